import { describe, expect, it } from 'vitest';
import {
  MOBILENET_V1_BLOCKS,
  MOBILENET_V2_BLOCKS,
  mobileNetBandAlpha,
  mobileNetSplit,
} from './mobilenet';
import { splitChannels } from './split-channels';

// Every channel count an official Oct-MobileNet splits: v1's depthwise and pointwise widths and
// v2's expanded middles, at the published width multipliers (int(c · m), as the models take it).
function splitWidths(multipliers: readonly number[]): number[] {
  const widths = new Set<number>();
  for (const m of multipliers) {
    for (const [dw, pw] of MOBILENET_V1_BLOCKS) {
      widths.add(Math.floor(dw * m));
      widths.add(Math.floor(pw * m));
    }
    for (const [cin, t] of MOBILENET_V2_BLOCKS) widths.add(Math.floor(cin * m) * t);
  }
  return [...widths];
}

describe('the official Oct-MobileNet split', () => {
  it('truncates the low band where rounding would not', () => {
    expect(mobileNetSplit(4, 0.375)).toEqual({ high: 3, low: 1 });
    expect(splitChannels(4, 0.375)).toEqual({ high: 2, low: 2 });
    expect(mobileNetSplit(144, 0.375)).toEqual({ high: 90, low: 54 });
    expect(mobileNetSplit(32, 0)).toEqual({ high: 32, low: 0 });
  });

  it('is what splitChannels gives for mobileNetBandAlpha, at every published width and ratio', () => {
    const widths = splitWidths([0.75, 1, 1.125]);
    expect(widths.length).toBeGreaterThan(20);
    for (const ratio of [0.375, 0.5])
      for (const c of widths)
        expect(splitChannels(c, mobileNetBandAlpha(c, ratio)), `${c} at ${ratio}`).toEqual(
          mobileNetSplit(c, ratio),
        );
  });

  it('has 13 v1 and 17 v2 blocks, four of each with stride 2, chained channel counts', () => {
    expect(MOBILENET_V1_BLOCKS).toHaveLength(13);
    expect(MOBILENET_V2_BLOCKS).toHaveLength(17);
    expect(MOBILENET_V1_BLOCKS.filter((b) => b[2] === 2)).toHaveLength(4);
    expect(MOBILENET_V2_BLOCKS.filter((b) => b[3] === 2)).toHaveLength(4);
    // Each block reads what the previous one wrote.
    MOBILENET_V1_BLOCKS.slice(1).forEach(([dw], i) => {
      expect(dw).toBe(MOBILENET_V1_BLOCKS[i]![1]);
    });
    MOBILENET_V2_BLOCKS.slice(1).forEach(([cin], i) => {
      expect(cin).toBe(MOBILENET_V2_BLOCKS[i]![2]);
    });
  });
});
