// A tolerance-aware fingerprint of a tensor: the page publishes it, the browser test recomputes
// it in Node and compares with each backend's float32 tolerance (sums against the sum of
// magnitudes, samples one by one), so different summation orders still agree.

/** How many evenly spaced values a checksum keeps. */
export const CHECKSUM_SAMPLES = 256;

/** Fingerprint of one band. */
export interface BandChecksum {
  shape: number[];
  sum: number;
  /** Sum of absolute values: the scale a tolerance on `sum` is relative to. */
  sumAbs: number;
  /** `CHECKSUM_SAMPLES` values at evenly spaced flat indices (all of them when fewer). */
  samples: number[];
}

/** Fingerprint of both output bands (a band with no channels is null). */
export interface OctaveChecksum {
  high: BandChecksum | null;
  low: BandChecksum | null;
}

/** The flat indices a checksum samples, for a tensor of `size` values. */
export function sampleIndices(size: number, count = CHECKSUM_SAMPLES): number[] {
  if (size <= count) return Array.from({ length: size }, (_, i) => i);
  return Array.from({ length: count }, (_, i) => Math.round((i * (size - 1)) / (count - 1)));
}

export function bandChecksum(values: ArrayLike<number>, shape: readonly number[]): BandChecksum {
  let sum = 0;
  let sumAbs = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    sum += value;
    sumAbs += Math.abs(value);
  }
  return {
    shape: [...shape],
    sum,
    sumAbs,
    samples: sampleIndices(values.length).map((i) => values[i]!),
  };
}
