// The noise warning says what fell short: too few runs, a wide spread, or both.
import { describe, expect, it } from 'vitest';
import { type BenchmarkResult, formatNoiseWarning, parseBenchmarkResult } from '../src/index';

function resultWith(runs: number, spread: number): BenchmarkResult {
  const timing = { runs, median: 10, p10: 10 - 5 * spread, p90: 10 + 5 * spread, min: 5, max: 20 };
  const variant = { firstRunMs: 50, timing, kernelCount: 1, kernelNames: ['Conv2D'], peakBytes: 1 };
  return parseBenchmarkResult({
    schema: 'octconv-bench/1',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1,
    settings: { warmup: 1, runs, seed: 1 },
    machine: { platform: 'linux', tfjs: '4.22.0' },
    backends: [{ name: 'cpu', available: true }],
    results: [
      {
        caseId: 'layer-c256-s14-a0.5',
        title: 'a layer',
        kind: 'layer',
        backend: 'cpu',
        alpha: 0.5,
        octave: variant,
        vanilla: variant,
        speedup: 1,
        theoretical: 2.29,
        efficiency: 0.44,
        leakedTensors: 0,
      },
    ],
    failures: [],
  });
}

describe('formatNoiseWarning', () => {
  it('asks for more runs only when runs fell short', () => {
    const warning = formatNoiseWarning(resultWith(3, 0.1));
    expect(warning).toContain('3 runs');
    expect(warning).toContain('run with --runs 20 or more');
    expect(warning).not.toContain('spread over');
  });

  it('blames the machine, not the run count, after --runs 20', () => {
    const warning = formatNoiseWarning(resultWith(20, 0.5));
    expect(warning).toContain('spread 50%');
    expect(warning).not.toContain('--runs');
    expect(warning).toContain('close other programs and run again');
  });

  it('names both when both fell short, and nothing when neither did', () => {
    const both = formatNoiseWarning(resultWith(5, 0.5));
    expect(both).toContain('--runs 20');
    expect(both).toContain('close other programs');
    expect(formatNoiseWarning(resultWith(20, 0.1))).toBe('');
  });
});
