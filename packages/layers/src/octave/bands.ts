import { InvalidArgumentError, ShapeMismatchError } from '@octconv/core';
import type { Tensor } from '@tensorflow/tfjs-core';
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

/**
 * Throws an {@link InvalidArgumentError} naming the layer unless every input is float32 (an
 * int32 image tensor would otherwise fail deep inside the convolution). @internal
 */
export function checkFloatInputs(
  functionName: string,
  layerName: string,
  inputs: readonly Tensor[],
): void {
  for (const [i, input] of inputs.entries()) {
    if (input.dtype !== 'float32') {
      throw new InvalidArgumentError({
        functionName,
        argument: inputs.length === 1 ? 'inputs' : `inputs[${i}]`,
        value: input,
        message: `layer ${JSON.stringify(layerName)} takes float32 inputs, got ${input.dtype}${inputs.length === 1 ? '' : ` (input ${i} of ${inputs.length})`}; convert it first, e.g. tf.cast(x, 'float32') or x.toFloat()`,
      });
    }
  }
}
