import { describe, expect, it } from 'vitest';
import { interleavedOrder } from '../harness/run-benchmark';
import { quantile, summarize } from './stats';

describe('statistics', () => {
  it('interpolates quantiles linearly between order statistics (numpy’s default)', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0.1)).toBeCloseTo(1.3, 12);
    expect(quantile([1, 2, 3, 4], 0.9)).toBeCloseTo(3.7, 12);
    expect(quantile([7], 0.9)).toBe(7);
    expect(quantile([10, 0, 5], 0)).toBe(0);
    expect(quantile([10, 0, 5], 1)).toBe(10);
    expect(() => quantile([], 0.5)).toThrow(
      'quantile: samples must be a non-empty list of finite numbers, got []',
    );
    expect(() => quantile([1, Number.NaN], 0.5)).toThrow('quantile: samples must be');
    expect(() => quantile([1], 2)).toThrow('quantile: q must be in [0, 1], got 2');
  });

  it('summarizes samples without reordering the caller’s array', () => {
    const samples = [5, 1, 9, 3, 7];
    expect(summarize(samples)).toEqual({ runs: 5, median: 5, p10: 1.8, p90: 8.2, min: 1, max: 9 });
    expect(samples).toEqual([5, 1, 9, 3, 7]);
  });

  it('interleaves the twins ABBA so drift hits both alike', () => {
    expect(interleavedOrder(3)).toEqual([
      'octave',
      'vanilla',
      'vanilla',
      'octave',
      'octave',
      'vanilla',
    ]);
  });
});
