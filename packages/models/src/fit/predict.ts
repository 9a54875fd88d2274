import { checkTensor4D } from '@octconv/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../module/module';
import { checkModule, checkOptions, countOption } from './common';

/** Options of {@link predict}. */
export interface PredictOptions {
  /** Samples per forward; default 32. */
  batchSize?: number;
}

/**
 * The module's output for every image, as tfjs's `model.predict`: eval mode, in batches of
 * `batchSize` (so a large `xs` needs only one batch's activations at a time), outputs
 * concatenated along the batch axis; the module's mode is restored afterwards. The only tensor
 * left is the result, which the caller disposes.
 *
 * @param module Any module with a tensor in and a tensor out (`MiniOctNet` → `[n, classes]`).
 * @param xs `[n, height, width, channels]`.
 * @throws InvalidArgumentError / ShapeMismatchError before any forward.
 */
export function predict<Output extends tf.Tensor>(
  module: Module<tf.Tensor4D, Output>,
  xs: tf.Tensor4D,
  options?: PredictOptions,
): Output {
  const fn = 'predict';
  const net = checkModule(fn, module) as unknown as Module<tf.Tensor4D, Output>;
  const o = checkOptions(fn, options, ['batchSize']);
  const batchSize = countOption(fn, o, 'batchSize', 32);
  checkTensor4D(fn, 'xs', xs);
  const wasTraining = net.training;
  net.eval();
  try {
    // Checked as a whole first, so a bad input fails before the first batch runs.
    net.traceApply(fn, { high: xs.shape, low: null }, false);
    const count = xs.shape[0];
    if (count <= batchSize) return net.apply(xs);
    const parts: Output[] = [];
    try {
      for (let from = 0; from < count; from += batchSize) {
        const size = Math.min(batchSize, count - from);
        parts.push(
          tf.tidy(() =>
            net.apply(tf.slice(xs, [from, 0, 0, 0], [size, -1, -1, -1]) as tf.Tensor4D),
          ),
        );
      }
      return tf.concat(parts, 0) as Output;
    } finally {
      tf.dispose(parts);
    }
  } finally {
    net.train(wasTraining);
  }
}
