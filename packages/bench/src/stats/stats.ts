import { InvalidArgumentError } from '@octconv/core';

/** Summary statistics of timing samples, in milliseconds. */
export interface TimingStats {
  runs: number;
  median: number;
  p10: number;
  p90: number;
  min: number;
  max: number;
}

/**
 * The q-quantile of `samples` (0 ≤ q ≤ 1) with linear interpolation between order statistics
 * (numpy's default, "type 7"): the median of [1, 2, 3, 4] is 2.5, its p10 is 1.3.
 */
export function quantile(samples: readonly number[], q: number): number {
  if (!Array.isArray(samples) || samples.length === 0 || !samples.every(Number.isFinite)) {
    throw new InvalidArgumentError({
      functionName: 'quantile',
      argument: 'samples',
      value: samples,
      message: `samples must be a non-empty list of finite numbers, got ${JSON.stringify(samples)}`,
    });
  }
  if (!(q >= 0 && q <= 1)) {
    throw new InvalidArgumentError({
      functionName: 'quantile',
      argument: 'q',
      value: q,
      message: `q must be in [0, 1], got ${q}`,
    });
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

/** The median of `samples` (the mean of the middle two when their number is even). */
export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}

/** Median, p10, p90, min and max of `samples`. */
export function summarize(samples: readonly number[]): TimingStats {
  return {
    runs: samples.length,
    median: quantile(samples, 0.5),
    p10: quantile(samples, 0.1),
    p90: quantile(samples, 0.9),
    min: Math.min(...samples),
    max: Math.max(...samples),
  };
}
