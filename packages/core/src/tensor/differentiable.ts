import * as tf from '@tensorflow/tfjs-core';
import { type KernelAlias, runKernelAlias } from '../autograd/kernel-alias';

// Small differentiable building blocks over tfjs's own kernels. tfjs-core registers no gradients
// by itself, so every op on a path we differentiate goes through one of these aliases.

/** @internal */
export const SLICE_CHANNELS: KernelAlias = {
  name: 'OctconvSliceChannels',
  baseKernels: ['Slice'],
  gradFunc: (dy, _saved, attrs) => {
    const begin = attrs.begin as number[];
    const rank = begin.length;
    const first = begin[rank - 1]!;
    const size = (attrs.size as number[])[rank - 1]!;
    const channels = attrs.channels as number;
    const padding = begin.map((): [number, number] => [0, 0]);
    padding[rank - 1] = [first, channels - first - size];
    return { x: () => tf.pad(dy as tf.Tensor, padding) };
  },
};

/** @internal Channels `[begin, begin + size)` along the last axis, for any rank. */
export function sliceChannels<T extends tf.Tensor>(
  x: T,
  begin: number,
  size: number,
  caller: string,
): T {
  const rank = x.rank;
  const starts = new Array<number>(rank).fill(0);
  const sizes = new Array<number>(rank).fill(-1);
  starts[rank - 1] = begin;
  sizes[rank - 1] = size;
  return runKernelAlias<T>(
    SLICE_CHANNELS,
    caller,
    { x },
    { begin: starts, size: sizes, channels: x.shape[rank - 1]! },
  );
}

/** @internal */
export const CONCAT_CHANNELS: KernelAlias = {
  name: 'OctconvConcatChannels',
  baseKernels: ['Concat'],
  gradFunc: (dy, _saved, attrs) => {
    const sizes = attrs.sizes as number[];
    const grad = dy as tf.Tensor4D;
    const thunks: Record<string, () => tf.Tensor> = {};
    let begin = 0;
    sizes.forEach((size, index) => {
      const start = begin;
      thunks[index] = () => tf.slice(grad, [0, 0, 0, start], [-1, -1, -1, size]);
      begin += size;
    });
    return thunks;
  },
};

/** @internal Concatenates NHWC tensors along channels. */
export function concatChannels(tensors: tf.Tensor4D[], caller: string): tf.Tensor4D {
  return runKernelAlias<tf.Tensor4D>(CONCAT_CHANNELS, caller, tensors, {
    axis: 3,
    sizes: tensors.map((t) => t.shape[3]),
  });
}

/** @internal */
export const ADD: KernelAlias = {
  name: 'OctconvAdd',
  baseKernels: ['Add'],
  // Fresh tensors: handing back dy itself would let the caller's upstream gradient be disposed
  // through ours, and give both inputs one object.
  gradFunc: (dy) => ({ a: () => handle(dy as tf.Tensor), b: () => handle(dy as tf.Tensor) }),
};

/**
 * A new tensor object on `x`'s data. A same-shape reshape never copies, where `tf.clone` does on
 * tfjs-backend-wasm (its Identity kernel copies the buffer: 0.1–0.2 ms per 100k values, several
 * times per training step).
 */
function handle<T extends tf.Tensor>(x: T): T {
  return tf.reshape(x, x.shape) as T;
}

/** @internal `a + b` for two tensors of the same shape. */
export function addSameShape<T extends tf.Tensor>(a: T, b: T, caller: string): T {
  return runKernelAlias<T>(ADD, caller, { a, b }, {});
}

/** @internal */
export const IDENTITY: KernelAlias = {
  name: 'OctconvIdentity',
  baseKernels: ['Reshape'],
  // A same-shape Reshape: a new handle on the same data on every backend (Identity copies on
  // wasm).
  forward: (args, base) =>
    base('Reshape')({
      ...args,
      attrs: { shape: (args.inputs as { x: tf.TensorInfo }).x.shape },
    }),
  gradFunc: (dy) => ({ x: () => handle(dy as tf.Tensor) }),
};

/** @internal A new tensor sharing `x`'s data (no copy), so callers may dispose it freely. */
export function identity<T extends tf.Tensor>(x: T, caller: string): T {
  return runKernelAlias<T>(IDENTITY, caller, { x }, {});
}

/** @internal */
export const RESHAPE: KernelAlias = {
  name: 'OctconvReshape',
  baseKernels: ['Reshape'],
  gradFunc: (dy, _saved, attrs) => ({
    x: () => tf.reshape(dy as tf.Tensor, attrs.inputShape as number[]),
  }),
};

/** @internal Differentiable reshape (shares data, no copy). */
export function reshape<R extends tf.Rank>(
  x: tf.Tensor,
  shape: number[],
  caller: string,
): tf.Tensor<R> {
  return runKernelAlias<tf.Tensor<R>>(RESHAPE, caller, { x }, { shape, inputShape: x.shape });
}

/** @internal */
export const CROP_SPATIAL: KernelAlias = {
  name: 'OctconvCropSpatial',
  baseKernels: ['Slice'],
  gradFunc: (dy, _saved, attrs) => {
    const [height, width] = attrs.inputSize as [number, number];
    const [, croppedHeight, croppedWidth] = attrs.size as number[];
    return {
      x: () =>
        tf.pad(dy as tf.Tensor4D, [
          [0, 0],
          [0, height - croppedHeight!],
          [0, width - croppedWidth!],
          [0, 0],
        ]),
    };
  },
};

/** @internal The top-left `height × width` of an NHWC tensor. */
export function cropSpatial(
  x: tf.Tensor4D,
  height: number,
  width: number,
  caller: string,
): tf.Tensor4D {
  return runKernelAlias<tf.Tensor4D>(
    CROP_SPATIAL,
    caller,
    { x },
    { begin: [0, 0, 0, 0], size: [-1, height, width, -1], inputSize: [x.shape[1], x.shape[2]] },
  );
}
