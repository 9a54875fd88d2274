import * as tf from '@tensorflow/tfjs-core';
import { type KernelAlias, requireKernelAliases, runKernelAlias } from '../autograd/kernel-alias';
import { formatValue } from '../errors/format-value';
import { InvalidArgumentError } from '../errors/octconv-error';
import { fusedStepsImplementation } from '../kernels/fused-ops';
import { halfSize } from '../shape/conv-geometry';
import { checkTensor4D } from '../tensor/check-tensor';
import { CROP_SPATIAL, cropSpatial } from '../tensor/differentiable';

/** @internal Nearest ×2 to exactly twice the size: the scale is 0.5, exact in float32. */
export const UPSAMPLE: KernelAlias = {
  name: 'OctconvUpsample',
  baseKernels: ['ResizeNearestNeighbor'],
  gradFunc: (dy) => ({
    // Each source pixel received the 2×2 block above it: sum those blocks. (tfjs-backend-cpu's
    // own ResizeNearestNeighborGrad is wrong for batch > 1.)
    images: () => tf.mul(tf.avgPool(dy as tf.Tensor4D, 2, 2, 'valid'), tf.scalar(4)),
  }),
};

/** @internal Aliases `upsampleUnchecked` may run. */
export const UPSAMPLE_ALIASES = [UPSAMPLE, CROP_SPATIAL];

/** @internal Nearest ×2 of `x` to `[2h, 2w]`, without argument checks. */
export function upsampleDouble(x: tf.Tensor4D, caller: string): tf.Tensor4D {
  return runKernelAlias<tf.Tensor4D>(
    UPSAMPLE,
    caller,
    { images: x },
    { alignCorners: false, halfPixelCenters: false, size: [2 * x.shape[1], 2 * x.shape[2]] },
  );
}

/** @internal Upsample without argument checks, for callers that validated already. */
export function upsampleUnchecked(
  x: tf.Tensor4D,
  size: readonly [number, number],
  caller: string,
): tf.Tensor4D {
  if (size[0] === 2 * x.shape[1] && size[1] === 2 * x.shape[2]) return upsampleDouble(x, caller);
  // Odd sizes: double, then crop. A single resize to the odd size would pick source
  // floor(i · ceil(n/2) / n), which is floor(i / 2) in exact arithmetic but not in the float32 of
  // the wasm and webgpu kernels (wrong rows from n = 16383 on).
  return tf.tidy(() => cropSpatial(upsampleDouble(x, caller), size[0], size[1], caller));
}

/**
 * The octave "Up": nearest-neighbour ×2, cropped to `size`, so a low band of `ceil(h/2)` rows
 * comes back to exactly `h` rows for odd `h`. On even sizes this equals PyTorch's
 * `F.interpolate(x, scale_factor=2, mode='nearest')`. Differentiable on every backend.
 *
 * @param x `[batch, height, width, channels]`, float32.
 * @param size `[outHeight, outWidth]` with `ceil(outHeight / 2) = height` and
 *   `ceil(outWidth / 2) = width`.
 * @returns `[batch, outHeight, outWidth, channels]`.
 */
export function upsample(x: tf.Tensor4D, size: readonly [number, number]): tf.Tensor4D {
  const fn = 'upsample';
  checkTensor4D(fn, 'x', x);
  const valid =
    Array.isArray(size) &&
    size.length === 2 &&
    size.every((n) => Number.isInteger(n) && n >= 1) &&
    halfSize(size[0]) === x.shape[1] &&
    halfSize(size[1]) === x.shape[2];
  if (!valid) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'size',
      value: size,
      message: `size must be [height, width] whose halves (rounded up) are the input's ${x.shape[1]}×${x.shape[2]}, i.e. [${2 * x.shape[1] - 1} or ${2 * x.shape[1]}, ${2 * x.shape[2] - 1} or ${2 * x.shape[2]}]; got ${formatValue(size)}`,
    });
  }
  requireKernelAliases(fn, UPSAMPLE_ALIASES);
  return upsampleUnchecked(x, size, fn);
}

/**
 * @internal `a + Up(b)` as one differentiable kernel where the fused step runs (wasm with SIMD,
 * webgpu): the training path's L→H join, one pass instead of a resize and an add. The gradient
 * is `dy` for `a` and, for `b`, the sum of each 2×2 block of `dy` over the real pixels (an odd
 * edge's block is cut by the crop).
 */
export const UPSAMPLE_ADD: KernelAlias = {
  name: 'OctconvUpsampleAdd',
  baseKernels: ['OctconvFusedUpsampleAdd'],
  forward: (args, base) => base('OctconvFusedUpsampleAdd')({ ...args, attrs: { relu: false } }),
  inputsToSave: [],
  gradFunc: (dy, _saved, attrs) => {
    const [lowHeight, lowWidth] = attrs.lowSize as [number, number];
    const grad = dy as tf.Tensor4D;
    return {
      a: () => tf.reshape(grad, grad.shape),
      b: () => {
        const even =
          grad.shape[1] === 2 * lowHeight && grad.shape[2] === 2 * lowWidth
            ? grad
            : tf.pad(grad, [
                [0, 0],
                [0, 2 * lowHeight - grad.shape[1]],
                [0, 2 * lowWidth - grad.shape[2]],
                [0, 0],
              ]);
        return tf.mul(tf.avgPool(even, 2, 2, 'valid'), tf.scalar(4));
      },
    };
  },
};

/**
 * @internal Whether {@link upsampleAddUnchecked} can run as one kernel on the active backend
 * (registering the fused step if needed).
 */
export function canFuseUpsampleAdd(): boolean {
  return fusedStepsImplementation() !== 'tfjs-ops';
}

/** @internal `a + Up(b)` through {@link UPSAMPLE_ADD}; only where {@link canFuseUpsampleAdd}. */
export function upsampleAddUnchecked(a: tf.Tensor4D, b: tf.Tensor4D, caller: string): tf.Tensor4D {
  return runKernelAlias<tf.Tensor4D>(
    UPSAMPLE_ADD,
    caller,
    { a, b },
    {
      lowSize: [b.shape[1], b.shape[2]],
    },
  );
}
