import { InvalidArgumentError } from '@octconv/core';
import { serialization } from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Shape } from './bands';

/**
 * A layer made of other layers (its parts), which tfjs sees as one: its weights, trainability and
 * regularization losses are its parts'. Each part is built by applying it to a symbolic input
 * inside this layer's `apply`, so its weights are named `<this layer>/<part>/<weight>`: unique
 * in a model and the same when a saved model is rebuilt, which is how `tf.loadLayersModel`
 * matches them. The base of `OctaveBlock2D` and `PerBand`.
 */
export abstract class CompositeLayer extends tfl.layers.Layer {
  /** Set after `super()`; the getters below run during tfjs's constructor too. */
  protected parts: tfl.layers.Layer[] | undefined;

  /** Builds `part` for inputs of `shape` (one `[batch, h, w, c]` or several). */
  protected buildPart(
    part: tfl.layers.Layer,
    shape: Shape | Shape[],
  ): tfl.SymbolicTensor | tfl.SymbolicTensor[] {
    const symbolic = (s: Shape) => tfl.input({ batchShape: s });
    const input = Array.isArray(shape[0])
      ? (shape as Shape[]).map(symbolic)
      : symbolic(shape as Shape);
    return part.apply(input) as tfl.SymbolicTensor | tfl.SymbolicTensor[];
  }

  override get trainable(): boolean {
    return this.trainable_;
  }

  override set trainable(value: boolean) {
    this.trainable_ = value;
    for (const part of this.parts ?? []) part.trainable = value;
  }

  override get trainableWeights(): tfl.LayerVariable[] {
    return this.trainable_ ? (this.parts ?? []).flatMap((part) => part.trainableWeights) : [];
  }

  override set trainableWeights(_weights: tfl.LayerVariable[]) {
    // The parts own their weights; tfjs's constructor assigns an empty list here.
  }

  override get nonTrainableWeights(): tfl.LayerVariable[] {
    const parts = this.parts ?? [];
    return this.trainable_
      ? parts.flatMap((part) => part.nonTrainableWeights)
      : parts.flatMap((part) => part.weights);
  }

  override set nonTrainableWeights(_weights: tfl.LayerVariable[]) {
    // As trainableWeights.
  }

  override get losses(): tfl.layers.Layer['losses'] {
    return [...super.losses, ...(this.parts ?? []).flatMap((part) => part.losses)];
  }

  override setFastWeightInitDuringBuild(value: boolean): void {
    super.setFastWeightInitDuringBuild(value);
    for (const part of this.parts ?? []) part.setFastWeightInitDuringBuild(value);
  }
}

/**
 * A layer from its serialized `{ className, config }` form, through the classes tfjs knows
 * (its own and every `serialization.registerClass`ed one). @internal
 */
export function deserializeLayer(
  functionName: string,
  argument: string,
  value: unknown,
): tfl.layers.Layer {
  const form = value as { className?: unknown; config?: unknown } | null;
  const entry =
    typeof form?.className === 'string'
      ? serialization.SerializationMap.getMap().classNameMap[form.className]
      : undefined;
  if (!entry || typeof form?.config !== 'object' || form.config === null) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      value,
      message: `${argument} must be a layer or a serialized { className, config } of a registered layer class, got ${typeof form?.className === 'string' ? `class ${JSON.stringify(form.className)}, which tfjs does not know (register it with tf.serialization.registerClass)` : String(value)}`,
    });
  }
  const [cls, fromConfig] = entry;
  return fromConfig(cls, { ...(form.config as serialization.ConfigDict) }) as tfl.layers.Layer;
}
