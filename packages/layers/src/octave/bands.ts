import { ShapeMismatchError } from '@octconv/core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { show } from '../config/check';

/** A tfjs-layers shape: `null` where a size is not known yet (the batch, usually). */
export type Shape = tfl.Shape;

/** The constructor arguments every tfjs-layers layer takes (`name`, `inputShape`, `trainable`, …). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/**
 * Reads the input shapes of an octave layer: one `[batch, h, w, c]` shape is a plain feature map
 * (the high band of α = 0), two are `[high, low]`. Anything else is a typed error.
 * @internal
 */
export function bandShapes(
  functionName: string,
  inputShape: Shape | Shape[],
): { high: Shape | null; low: Shape | null } {
  const nested = Array.isArray(inputShape[0]) || inputShape.length === 0;
  const list = (nested ? inputShape : [inputShape]) as Shape[];
  if (list.length < 1 || list.length > 2 || list.some((s) => !Array.isArray(s) || s.length !== 4)) {
    throw new ShapeMismatchError({
      functionName,
      message: `expects one [batch, height, width, channels] input or the pair [high, low] of them, got ${show(inputShape)}`,
    });
  }
  return { high: list[0]!, low: list[1] ?? null };
}

/** `[high, low]` when both bands exist, else the one band (tfjs's single output). @internal */
export function toOutput<T>(high: T | null, low: T | null): T | T[] {
  if (high !== null && low !== null) return [high, low];
  return (high ?? low) as T;
}
