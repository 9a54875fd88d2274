import {
  checkTensor4D,
  InvalidArgumentError,
  ShapeMismatchError,
  softmaxCrossEntropy,
} from '@octconv/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../module/module';

/**
 * One optimisation step of a classifier in training mode: cross-entropy of
 * `model.apply(images)` against `labels`, gradients of every parameter with
 * `tf.variableGrads`, `optimizer.applyGradients`. Batch norms update their running statistics.
 *
 * It puts `model` in training mode and leaves it there, as a PyTorch training loop does: call
 * `model.eval()` before inference, or `apply` keeps normalising with the batch's statistics and
 * updating the running means.
 *
 * @param images `[batch, height, width, channels]`.
 * @param labels `batch` class indices.
 * @returns The loss before the step (a scalar the caller disposes).
 */
export function trainStep(
  model: Module<tf.Tensor4D, tf.Tensor2D>,
  optimizer: tf.Optimizer,
  images: tf.Tensor4D,
  labels: ArrayLike<number>,
): tf.Scalar {
  // Everything is checked before the forward: a throw inside tf.variableGrads would leave the
  // tensors kept for the backward pass behind, and batch norms would already have counted it.
  const fn = 'trainStep';
  checkTensor4D(fn, 'images', images);
  const wasTraining = model.training;
  model.train();
  let output: number[];
  try {
    output = model.traceApply(fn, { high: images.shape, low: null }).high ?? [];
  } catch (error) {
    model.train(wasTraining);
    throw error;
  }
  const [batch, classes] = output as [number, number];
  const fail = (error: Error): never => {
    model.train(wasTraining);
    throw error;
  };
  if (output.length !== 2) {
    fail(
      new ShapeMismatchError({
        functionName: fn,
        message: `the model returns [${output.join(', ')}], not [batch, classes] logits`,
      }),
    );
  }
  if (
    labels == null ||
    typeof (labels as ArrayLike<number>).length !== 'number' ||
    labels.length !== batch
  ) {
    fail(
      new ShapeMismatchError({
        functionName: fn,
        message: `expected ${batch} labels for a batch of ${batch}, got ${labels?.length ?? String(labels)}`,
      }),
    );
  }
  for (let i = 0; i < batch; i++) {
    const label = labels[i];
    if (!(Number.isInteger(label) && label! >= 0 && label! < classes)) {
      fail(
        new InvalidArgumentError({
          functionName: fn,
          argument: `labels[${i}]`,
          value: label,
          message: `labels[${i}] must be an integer class in [0, ${classes}), got ${String(label)}`,
        }),
      );
    }
  }
  const { value, grads } = tf.variableGrads(
    () => softmaxCrossEntropy(model.apply(images), labels),
    model.parameters(),
  );
  optimizer.applyGradients(grads);
  tf.dispose(grads);
  return value;
}
