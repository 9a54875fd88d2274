import { formatValue } from '../errors/format-value';
import { InvalidArgumentError } from '../errors/octconv-error';
import { roundHalfEven } from './round-half-even';

/** Channel counts of the two bands of an octave feature map. */
export interface ChannelSplit {
  /** Channels kept at full resolution. */
  high: number;
  /** Channels kept at half resolution. */
  low: number;
}

/**
 * Throws an {@link InvalidArgumentError} naming `functionName` and `argument` unless `alpha` is a
 * number in [0, 1]; returns it. The check every α of `@octconv/*` goes through.
 */
export function checkAlpha(functionName: string, argument: string, alpha: unknown): number {
  if (typeof alpha !== 'number' || Number.isNaN(alpha) || alpha < 0 || alpha > 1) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      value: alpha,
      message: `${argument} must be a number in [0, 1], got ${formatValue(alpha)}`,
    });
  }
  return alpha;
}

/**
 * Throws an {@link InvalidArgumentError} naming `functionName` and `argument` unless `value` is an
 * integer ≥ `min`; returns it. The check every count of `@octconv/*` goes through.
 */
export function checkInteger(
  functionName: string,
  argument: string,
  value: unknown,
  min: number,
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      value,
      message: `${argument} must be an integer ≥ ${min}, got ${formatValue(value)}`,
    });
  }
  return value;
}

/**
 * Splits `channels` into a high and a low band for the ratio `alpha`, exactly as the seed
 * notebook (and so PyTorch checkpoints) do: `low = roundHalfEven(channels · alpha)`,
 * `high = channels − low`. Ties round to even, like Python 3: 10 · 0.25 → 2, 6 · 0.25 → 2.
 *
 * @param channels Total channel count, an integer ≥ 1.
 * @param alpha Fraction of channels in the low band, in [0, 1].
 * @throws InvalidArgumentError for a non-integer or non-positive count, or α outside [0, 1].
 */
export function splitChannels(channels: number, alpha: number): ChannelSplit {
  checkInteger('splitChannels', 'channels', channels, 1);
  checkAlpha('splitChannels', 'alpha', alpha);
  const low = roundHalfEven(channels * alpha);
  return { high: channels - low, low };
}
