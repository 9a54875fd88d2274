import { softmaxCrossEntropy } from '@octconv/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../module/module';

/**
 * One optimisation step of a classifier in training mode: cross-entropy of
 * `model.apply(images)` against `labels`, gradients of every parameter with
 * `tf.variableGrads`, `optimizer.applyGradients`. Batch norms update their running statistics.
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
  model.train();
  const { value, grads } = tf.variableGrads(
    () => softmaxCrossEntropy(model.apply(images), labels),
    model.parameters(),
  );
  optimizer.applyGradients(grads);
  tf.dispose(grads);
  return value;
}
