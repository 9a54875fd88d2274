import * as tf from '@tensorflow/tfjs-core';
import type { Tolerance } from './backends';

/** Largest |actual − expected| relative to the tolerance; > 1 fails. Reports where. */
export function compareArrays(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: Tolerance,
): { ok: boolean; worst: number; index: number; actual: number; expected: number } {
  let worst = 0;
  let index = -1;
  if (actual.length !== expected.length) {
    return {
      ok: false,
      worst: Number.POSITIVE_INFINITY,
      index: -1,
      actual: actual.length,
      expected: expected.length,
    };
  }
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const ratio =
      Number.isNaN(a) !== Number.isNaN(e)
        ? Number.POSITIVE_INFINITY
        : Math.abs(a - e) / (tolerance.atol + tolerance.rtol * Math.abs(e));
    if (ratio > worst || Number.isNaN(ratio)) {
      worst = Number.isNaN(ratio) ? Number.POSITIVE_INFINITY : ratio;
      index = i;
    }
  }
  return {
    ok: worst <= 1,
    worst,
    index,
    actual: index >= 0 ? actual[index]! : Number.NaN,
    expected: index >= 0 ? expected[index]! : Number.NaN,
  };
}

/** Throws with the worst element when `actual` is not within `tolerance` of `expected`. */
export function assertClose(
  label: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: Tolerance,
): void {
  const result = compareArrays(actual, expected, tolerance);
  if (!result.ok) {
    const what =
      actual.length !== expected.length
        ? `length ${actual.length} ≠ expected ${expected.length}`
        : `element ${result.index}: ${result.actual} vs expected ${result.expected} (${result.worst.toFixed(2)}× the tolerance atol ${tolerance.atol}, rtol ${tolerance.rtol})`;
    throw new Error(`${label}: ${what}`);
  }
}

/** Reads a tensor back asynchronously (`dataSync` fails on WebGPU in Node). */
export async function read(tensor: tf.Tensor): Promise<Float32Array> {
  return (await tensor.data()) as Float32Array;
}

/**
 * Runs `fn` and checks that it leaves exactly as many tensors as before, counting what it
 * returns: `expectedNew` tensors may survive (the caller disposes them).
 */
export async function countNewTensors<T>(
  fn: () => T | Promise<T>,
): Promise<{ result: T; leaked: number }> {
  const before = tf.memory().numTensors;
  const result = await fn();
  return { result, leaked: tf.memory().numTensors - before };
}

/**
 * The id the next tensor will get. Ids only grow, so `nextTensorId()` before and after a call
 * differing by exactly 1 (the probe itself) proves the call created no tensor at all, not even
 * one it disposed again.
 */
export function nextTensorId(): number {
  const probe = tf.scalar(0);
  probe.dispose();
  return probe.id;
}

/** The error `call` throws, or undefined when it returns. */
export function captureError(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  return undefined;
}
