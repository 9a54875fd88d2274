// The numbers the analysis must reproduce: the seed notebook's parameter comparison, the paper's
// Table 1 (per-layer ratios) and Table 2 (Oct-ResNet-50 multiply-adds at 224²).

import { describe, expect, it } from 'vitest';
import {
  analyze,
  compareOctaveConv,
  describeMiniOctNet,
  describeOctaveConv,
  describeOctResNet,
  sweepAlpha,
} from '../src/index';

describe('the seed notebook', () => {
  it('OctConv 64→128, k = 3, α = .5 has 73,728 parameters, as the vanilla conv', () => {
    const octave = analyze(
      describeOctaveConv({ height: 32, width: 32, inChannels: 64, outChannels: 128 }),
    );
    const vanilla = analyze(
      describeOctaveConv({
        height: 32,
        width: 32,
        inChannels: 64,
        outChannels: 128,
        alphaIn: 0,
        alphaOut: 0,
      }),
    );
    expect(octave.totals.params).toBe(73_728);
    expect(vanilla.totals.params).toBe(73_728);
    expect(octave.totals.convMacs).toBeLessThan(vanilla.totals.convMacs);
  });

  it('MiniOctNet(3, 10, .5) has 224,842 parameters', () => {
    expect(
      analyze(describeMiniOctNet({ inChannels: 3, numClasses: 10, alpha: 0.5 }, { height: 32 }))
        .totals.params,
    ).toBe(224_842);
  });
});

describe('paper Table 1: one layer, α_in = α_out = α', () => {
  for (const [alpha, flops, memory] of [
    [0.125, 82, 91],
    [0.25, 67, 81],
    [0.5, 44, 63],
    [0.75, 30, 44],
  ] as const) {
    it(`α = ${alpha}: FLOPs ${flops}%, memory ${memory}%, as 1 − ¾α(2−α) and 1 − ¾α`, () => {
      const ratios = compareOctaveConv({
        height: 56,
        width: 56,
        inChannels: 64,
        outChannels: 64,
        alphaIn: alpha,
        alphaOut: alpha,
      });
      expect(ratios.macsRatio).toBeCloseTo(1 - 0.75 * alpha * (2 - alpha), 12);
      expect(ratios.activationRatio).toBeCloseTo(1 - 0.75 * alpha, 12);
      expect(Math.round(ratios.macsRatio * 100)).toBe(flops);
      expect(Math.round(ratios.activationRatio * 100)).toBe(memory);
    });
  }
});

describe('paper Table 2: Oct-ResNet-50 at 224²', () => {
  it('gives 4.1, 3.6, 3.1, 2.4 and 1.9 GMACs at α = 0, .125, .25, .5, .75', () => {
    const rows = sweepAlpha(
      (alpha) => describeOctResNet({ depth: 50, alpha }, { height: 224 }),
      [0, 0.125, 0.25, 0.5, 0.75],
    );
    expect(rows.map((row) => (row.octave.convMacs / 1e9).toFixed(1))).toEqual([
      '4.1',
      '3.6',
      '3.1',
      '2.4',
      '1.9',
    ]);
    // Exact counts (convolutions + the classifier; the classifier adds 2,048,000).
    expect(rows.map((row) => row.octave.convMacs)).toEqual([
      4_089_184_256, 3_565_196_288, 3_103_526_912, 2_367_143_936, 1_880_035_328,
    ]);
    expect(rows.every((row) => row.octave.params === 25_557_032)).toBe(true);
    expect(rows[0]!.theoreticalSpeedup).toBe(1);
  });

  it('Oct-ResNet-26 and -101 follow the same schedule', () => {
    const macs = (depth: 26 | 101, alpha: number) =>
      analyze(describeOctResNet({ depth, alpha }, { height: 224 })).totals.convMacs;
    expect(macs(26, 0)).toBe(2_342_256_640);
    expect(macs(26, 0.5)).toBe(1_480_032_256);
    expect(macs(101, 0)).toBe(7_801_405_440);
    expect(macs(101, 0.5)).toBe(3_991_240_704);
  });
});

describe('d-li14/octconv.pytorch’s pretrained Oct-ResNet-50 (variant d-li14)', () => {
  it('has its README’s 25.557 M parameters and 2.367 GMACs at 224², pooling before every stride', () => {
    const description = describeOctResNet(
      { depth: 50, alpha: 0.5, variant: 'd-li14' },
      { height: 224 },
    );
    const totals = analyze(description).totals;
    expect(totals.params).toBe(25_557_032);
    expect(totals.convMacs).toBe(2_367_143_936);
    expect((totals.convMacs / 1e9).toFixed(3)).toBe('2.367');
    const names = description.layers.map((layer) => layer.name);
    expect(names).toContain('layer1.0.conv1.conv');
    expect(names).toContain('layer1.0.conv1.bn_h');
    expect(names).toContain('layer4.0.downsample.0.conv');
    expect(names).toContain('layer4.0.downsample.0.bn_h');
    const opener = description.layers.find((layer) => layer.name === 'layer4.0.conv2.conv');
    expect(opener?.kind === 'octave-conv' && opener.spec.strideMode).toBe('pool');
  });
});
