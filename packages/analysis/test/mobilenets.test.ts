// The official Oct-MobileNet figures (facebookresearch/OctConv README; "Drop an Octave" Table 5)
// that the analysis must reproduce at 224²: parameters to 0.1 M, multiply-adds within 2 %,
// counted as the official FLOP figures are: every convolution (stem, depthwise, pointwise, tail)
// and the classifier; batch norm, ReLU/ReLU6, pooling, upsampling and additions are reported
// apart (LayerAnalysis.otherOps) and not counted, as in the published tables.

import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main';
import { analyze, describeOctMobileNetV1, describeOctMobileNetV2 } from '../src/index';

function totals(v: 1 | 2, widthMultiplier: number, alpha: number) {
  const describeNet = v === 1 ? describeOctMobileNetV1 : describeOctMobileNetV2;
  const { totals } = analyze(describeNet({ widthMultiplier, alpha }, { height: 224 }));
  return { params: totals.params / 1e6, macs: totals.convMacs / 1e6 };
}

describe('official Oct-MobileNet figures at 224²', () => {
  for (const [label, v, width, alpha, params, macs] of [
    ['0.75 MobileNet v1, α .375', 1, 0.75, 0.375, 2.6, 213],
    ['1.0 MobileNet v1, α .5', 1, 1, 0.5, 4.2, 321],
    ['1.0 MobileNet v2, α .375', 2, 1, 0.375, 3.5, 256],
    ['1.125 MobileNet v2, α .5', 2, 1.125, 0.5, 4.2, 295],
    // The plain MobileNet v1 1.0 of the MobileNet paper.
    ['1.0 MobileNet v1, α 0', 1, 1, 0, 4.2, 569],
  ] as const) {
    it(`${label}: ${params} M parameters, ${macs} M multiply-adds`, () => {
      const t = totals(v, width, alpha);
      expect(Math.abs(t.params - params)).toBeLessThan(0.05);
      expect(Math.abs(t.macs - macs) / macs).toBeLessThan(0.02);
    });
  }

  it('plain MobileNet v2 1.0: 3.5 M / 300 M, once the t = 1 expansion the official code adds is set apart', () => {
    // The official v2 (and so ours) keeps a 1×1 expansion conv in block 0 (t = 1, 32 → 32 at
    // 112²), which the MobileNet v2 paper's 300 M network does not have: 32·32·112² MACs and
    // 1,024 weights (+ 64 batch-norm parameters).
    const t = totals(2, 1, 0);
    const expansionMacs = (32 * 32 * 112 * 112) / 1e6;
    expect(Math.abs(t.params - 3.5)).toBeLessThan(0.05);
    expect(Math.abs(t.macs - expansionMacs - 300) / 300).toBeLessThan(0.02);
    expect(t.macs).toBeCloseTo(313.619328, 6);
  });

  it('α = .5 promises 1.79× on v1 1.0 (the issue: 1.77× from 569 M / 321 M)', () => {
    const plain = totals(1, 1, 0);
    const octave = totals(1, 1, 0.5);
    expect(plain.macs / octave.macs).toBeGreaterThan(1.75);
    expect(plain.macs / octave.macs).toBeLessThan(1.8);
  });

  it('exact counts equal the PyTorch reference (fixtures/oct_mobilenet.py forward hooks)', () => {
    expect(totals(1, 1, 0.5).macs * 1e6).toBeCloseTo(318_167_680, 0);
    expect(totals(1, 0.75, 0.375).macs * 1e6).toBeCloseTo(211_379_016, 0);
    expect(totals(2, 1, 0.375).macs * 1e6).toBeCloseTo(254_031_408, 0);
    expect(totals(2, 1.125, 0.5).macs * 1e6).toBeCloseTo(292_764_600, 0);
    expect(totals(1, 1, 0).macs * 1e6).toBeCloseTo(568_740_352, 0);
  });

  it('the CLI prints the sweep: pnpm analyze --model oct-mobilenet-v1 --width 1 --alpha 0,0.5', () => {
    const { output } = main(['--model', 'oct-mobilenet-v1', '--width', '1', '--alpha', '0,0.5']);
    expect(output).toContain('Oct-MobileNet v1 1, input 224×224');
    expect(output).toMatch(/0\.5\s+0\.318\s/);
    expect(output).toContain('4,231,976');
    const v2 = main(['--model', 'oct-mobilenet-v2', '--width', '1.125', '--alpha', '0.5']).output;
    expect(v2).toMatch(/0\.5\s+0\.293\s/);
    expect(() => main(['--model', 'oct-mobilenet-v2', '--width', 'x'])).toThrow(
      '--width must be a number in (0, 16]',
    );
  });
});
