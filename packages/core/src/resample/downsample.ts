import * as tf from '@tensorflow/tfjs-core';
import { type KernelAlias, requireKernelAliases, runKernelAlias } from '../autograd/kernel-alias';
import { halfSize } from '../shape/conv-geometry';
import { checkTensor4D } from '../tensor/check-tensor';

/** 1 / (real pixels in each 2×2 window), `[1, ceil(h/2), ceil(w/2), 1]`; only odd sizes need it. */
function inverseWindowCounts(height: number, width: number): tf.Tensor4D {
  const outHeight = halfSize(height);
  const outWidth = halfSize(width);
  const values = new Float32Array(outHeight * outWidth);
  for (let i = 0; i < outHeight; i++) {
    const rows = 2 * i + 1 < height ? 2 : 1;
    for (let j = 0; j < outWidth; j++) {
      const columns = 2 * j + 1 < width ? 2 : 1;
      values[i * outWidth + j] = 1 / (rows * columns);
    }
  }
  return tf.tensor4d(values, [1, outHeight, outWidth, 1]);
}

/** @internal */
export const DOWNSAMPLE: KernelAlias = {
  name: 'OctconvDownsample',
  baseKernels: ['AvgPool'],
  // TF's 'same' pooling pads odd sizes after the last row/column and averages only real pixels,
  // which is exactly the ceil-mode average pooling we want; on even sizes it equals 'valid'.
  gradFunc: (dy, _saved, attrs) => {
    const [height, width] = attrs.inputSize as [number, number];
    return {
      x: () => {
        const grad = dy as tf.Tensor4D;
        const scaled: tf.Tensor4D =
          height % 2 === 0 && width % 2 === 0
            ? tf.mul(grad, tf.scalar(0.25))
            : tf.mul(grad, inverseWindowCounts(height, width));
        // Spread each window's share back over it: ×2 exactly, then crop the odd row/column.
        const spread = tf.image.resizeNearestNeighbor(scaled, [
          2 * scaled.shape[1],
          2 * scaled.shape[2],
        ]);
        return spread.shape[1] === height && spread.shape[2] === width
          ? spread
          : tf.slice(spread, [0, 0, 0, 0], [-1, height, width, -1]);
      },
    };
  },
};

/** @internal Downsample without argument checks, for callers that validated already. */
export function downsampleUnchecked(x: tf.Tensor4D, caller: string): tf.Tensor4D {
  return runKernelAlias<tf.Tensor4D>(
    DOWNSAMPLE,
    caller,
    { x },
    {
      filterSize: [2, 2],
      strides: [2, 2],
      pad: 'same',
      inputSize: [x.shape[1], x.shape[2]],
    },
  );
}

/**
 * The octave "Down": 2×2 average pooling with stride 2 in ceil mode, averaging only the real
 * pixels of each window, so odd sizes work (a 7×7 map becomes 4×4; its last row averages pairs,
 * its corner is copied). On even sizes this equals PyTorch's `AvgPool2d(2)`.
 * Differentiable on every backend.
 *
 * @param x `[batch, height, width, channels]`, float32.
 * @returns `[batch, ceil(height / 2), ceil(width / 2), channels]`.
 */
export function downsample(x: tf.Tensor4D): tf.Tensor4D {
  checkTensor4D('downsample', 'x', x);
  requireKernelAliases('downsample', [DOWNSAMPLE]);
  return downsampleUnchecked(x, 'downsample');
}
