import * as tf from '@tensorflow/tfjs-core';
import { type KernelAlias, runKernelAlias } from '../autograd/kernel-alias';
import { formatValue } from '../errors/format-value';
import { InvalidArgumentError } from '../errors/octconv-error';
import { halfSize } from '../shape/conv-geometry';
import { checkTensor4D } from '../tensor/check-tensor';

const UPSAMPLE: KernelAlias = {
  name: 'OctconvUpsample',
  baseKernels: ['ResizeNearestNeighbor'],
  // Nearest resize to the cropped size picks source floor(i · ceil(n/2) / n) = floor(i / 2) for
  // every i < n, so one resize is "×2 then crop" without a separate slice.
  forward: (args, base) => base('ResizeNearestNeighbor')(args),
  gradFunc: (dy, _saved, attrs) => {
    const [height, width] = attrs.size as [number, number];
    return {
      images: () => {
        // Each source pixel received the 2×2 (or cropped) block above it: sum those blocks.
        // tfjs-backend-cpu's own ResizeNearestNeighborGrad is wrong for batch > 1.
        let grad = dy as tf.Tensor4D;
        if (height % 2 === 1 || width % 2 === 1) {
          grad = tf.pad(grad, [
            [0, 0],
            [0, height % 2],
            [0, width % 2],
            [0, 0],
          ]);
        }
        return tf.mul(tf.avgPool(grad, 2, 2, 'valid'), tf.scalar(4));
      },
    };
  },
};

/** @internal Upsample without argument checks, for callers that validated already. */
export function upsampleUnchecked(
  x: tf.Tensor4D,
  size: readonly [number, number],
  caller: string,
): tf.Tensor4D {
  return runKernelAlias<tf.Tensor4D>(
    UPSAMPLE,
    caller,
    { images: x },
    { alignCorners: false, halfPixelCenters: false, size: [size[0], size[1]] },
  );
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
  return upsampleUnchecked(x, size, fn);
}
