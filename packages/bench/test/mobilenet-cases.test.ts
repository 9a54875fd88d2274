// The Oct-MobileNet cases: the four official models in the full suite and a small v1 in the
// default one, each against its α = 0 twin with the analysis' theory; the small one runs clean.

import { describe, expect, it } from 'vitest';
import { parseBenchmarkResult, runBenchmark, selectCases } from '../src/index';

describe('Oct-MobileNet bench cases', () => {
  it('the full suite has the four official models, the default one a small v1', () => {
    expect(selectCases('full', ['oct-mobilenet']).map((c) => c.id)).toEqual([
      'oct-mobilenet-v1-w0.25-a0.5-s96',
      'oct-mobilenet-v1-w1-a0.5-s224',
      'oct-mobilenet-v1-w0.75-a0.375-s224',
      'oct-mobilenet-v2-w1-a0.375-s224',
      'oct-mobilenet-v2-w1.125-a0.5-s224',
    ]);
    expect(selectCases('default', ['oct-mobilenet']).map((c) => c.id)).toEqual([
      'oct-mobilenet-v1-w0.25-a0.5-s96',
    ]);
  });

  it('their theory is the ratio of multiply-adds (v1 1.0 at α .5: 568.7 M / 318.2 M)', () => {
    const [v1] = selectCases('full', ['oct-mobilenet-v1-w1-a0.5']);
    expect(v1!.theoretical()).toBeCloseTo(568_740_352 / 318_167_680, 9);
    const [v2] = selectCases('full', ['oct-mobilenet-v2-w1.125-a0.5']);
    expect(v2!.theoretical()).toBeGreaterThan(1.3);
    expect(v2!.theoretical()).toBeLessThan(1.4);
  });

  it('the small case runs against its twin on wasm without leaking', async () => {
    const result = await runBenchmark({
      cases: selectCases('default', ['oct-mobilenet']),
      backends: ['wasm'],
      warmup: 0,
      runs: 1,
    });
    expect(parseBenchmarkResult(JSON.parse(JSON.stringify(result)))).toEqual(result);
    const [r] = result.results;
    expect(r).toMatchObject({ backend: 'wasm', leakedTensors: 0, alpha: 0.5 });
    expect(r!.octave.kernelCount).toBeGreaterThan(r!.vanilla.kernelCount);
  }, 120_000);
});
