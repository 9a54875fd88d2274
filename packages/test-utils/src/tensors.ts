import * as tf from '@tensorflow/tfjs-core';
import { randomValues } from './random';
import type { RefGraph, RefTensor } from './reference';

/** The same random values as a float32 tfjs tensor and a float64 reference tensor. */
export interface TensorPair {
  tensor: tf.Tensor;
  ref: RefTensor;
}

/**
 * Random values uniform in [-scale, scale), rounded to float32 first so that the backend and the
 * reference see exactly the same inputs.
 */
export function randomPair(
  graph: RefGraph,
  random: () => number,
  shape: number[],
  scale = 1,
): TensorPair {
  const values = Float32Array.from(
    randomValues(
      random,
      shape.reduce((a, b) => a * b, 1),
      scale,
    ),
  );
  return { tensor: tf.tensor(values, shape, 'float32'), ref: graph.tensor(shape, values) };
}
