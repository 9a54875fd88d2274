import * as tf from '@tensorflow/tfjs-core';
import { formatValue } from '../errors/format-value';
import { InvalidArgumentError, ShapeMismatchError } from '../errors/octconv-error';

/**
 * Throws unless `value` is a live float32 tensor of the given rank (`null`: any), naming
 * `functionName` and `argument` (for packages built on core that validate as core does). Runs before any
 * tensor is created, so a rejected call leaves nothing behind.
 */
export function checkTensor<R extends tf.Rank>(
  functionName: string,
  argument: string,
  value: unknown,
  rank: number | null,
  layout: string,
): tf.Tensor<R> {
  if (!(value instanceof tf.Tensor)) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      value,
      message: `${argument} must be a tf.Tensor${layout ? ` ${layout}` : ''}, got ${formatValue(value)}`,
    });
  }
  if (value.isDisposed) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      value,
      message: `${argument} has been disposed`,
    });
  }
  if (rank !== null && value.rank !== rank) {
    throw new ShapeMismatchError({
      functionName,
      message: `${argument} must have rank ${rank} ${layout}, got shape [${value.shape.join(', ')}]`,
    });
  }
  if (value.shape.some((dimension: number) => dimension === 0)) {
    throw new ShapeMismatchError({
      functionName,
      message: `${argument} has an empty dimension, shape [${value.shape.join(', ')}]; a band without channels is null, not a zero-sized tensor`,
    });
  }
  if (value.dtype !== 'float32') {
    throw new ShapeMismatchError({
      functionName,
      message: `${argument} must be float32, got ${value.dtype}`,
    });
  }
  return value as tf.Tensor<R>;
}

/** {@link checkTensor} for a rank-4 NHWC feature map. */
export function checkTensor4D(functionName: string, argument: string, value: unknown): tf.Tensor4D {
  return checkTensor<tf.Rank.R4>(
    functionName,
    argument,
    value,
    4,
    '[batch, height, width, channels]',
  ) as tf.Tensor4D;
}
