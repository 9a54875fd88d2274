import * as tf from '@tensorflow/tfjs-core';
import { type KernelAlias, runKernelAlias } from '../autograd/kernel-alias';
import { spread } from '../conv/backprop';
import { formatValue } from '../errors/format-value';
import { InvalidArgumentError, ShapeMismatchError } from '../errors/octconv-error';
import { checkRecord } from '../shape/check-record';
import { convOutputSize } from '../shape/conv-geometry';
import { checkTensor4D } from '../tensor/check-tensor';

/** Options of {@link maxPool2d}, as `nn.MaxPool2d`'s (floor mode). */
export interface MaxPool2dOptions {
  /** Window size, an integer ≥ 1. */
  kernelSize: number;
  /** An integer ≥ 1; default `kernelSize`, as PyTorch. */
  stride?: number;
  /** Implicit −∞ padding per side, an integer from 0 to `kernelSize / 2` (PyTorch's limit). */
  padding?: number;
}

/**
 * dx of max pooling: each output's gradient goes to the first input of its window (in row-major
 * order) that equals the maximum, as PyTorch's CPU kernel picks it. Written with forward ops:
 * tfjs-backend-wasm 4.22's MaxPoolGrad gave wrong values for a 3×3, stride 2, padding 1 pool
 * (measured here, 2026-11-25), the ResNet stem's.
 */
function maxPoolInputGrad(
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  y: tf.Tensor4D,
  kernelSize: number,
  stride: number,
  padding: number,
): tf.Tensor4D {
  const [batch, height, width, channels] = x.shape;
  const [, outHeight, outWidth] = y.shape;
  const paddedHeight = height + 2 * padding;
  const paddedWidth = width + 2 * padding;
  const reachHeight = (outHeight - 1) * stride + 1;
  const reachWidth = (outWidth - 1) * stride + 1;
  const padded = tf.pad(
    x,
    [
      [0, 0],
      [padding, padding],
      [padding, padding],
      [0, 0],
    ],
    Number.NEGATIVE_INFINITY,
  );
  let taken = tf.zerosLike(y);
  let grad = tf.zeros<tf.Rank.R4>([batch, paddedHeight, paddedWidth, channels]);
  for (let ky = 0; ky < kernelSize; ky++) {
    for (let kx = 0; kx < kernelSize; kx++) {
      const tap = tf.stridedSlice(
        padded,
        [0, ky, kx, 0],
        [batch, ky + reachHeight, kx + reachWidth, channels],
        [1, stride, stride, 1],
      ) as tf.Tensor4D;
      const hit = tf.mul(tf.cast(tf.equal(tap, y), 'float32'), tf.sub(1, taken));
      taken = tf.add(taken, hit);
      const spreadGrad = tf.slice(
        spread(tf.mul(dy, hit), stride),
        [0, 0, 0, 0],
        [batch, reachHeight, reachWidth, channels],
      );
      grad = tf.add(
        grad,
        tf.pad(spreadGrad, [
          [0, 0],
          [ky, paddedHeight - ky - reachHeight],
          [kx, paddedWidth - kx - reachWidth],
          [0, 0],
        ]),
      );
    }
  }
  return tf.slice(grad, [0, padding, padding, 0], [batch, height, width, channels]);
}

/** @internal */
export const MAX_POOL: KernelAlias = {
  name: 'OctconvMaxPool',
  baseKernels: ['MaxPool'],
  inputsToSave: ['x'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, y] = saved as [tf.Tensor4D, tf.Tensor4D];
    const [kernelSize] = attrs.filterSize as [number, number];
    const [stride] = attrs.strides as [number, number];
    return {
      x: () => maxPoolInputGrad(dy as tf.Tensor4D, x, y, kernelSize, stride, attrs.pad as number),
    };
  },
};

/**
 * Max pooling with PyTorch's `nn.MaxPool2d` semantics (symmetric padding that never wins,
 * floor mode), differentiable with tfjs-core alone: the stem of a ResNet.
 *
 * @param x `[batch, height, width, channels]`.
 */
export function maxPool2d(x: tf.Tensor4D, options: MaxPool2dOptions): tf.Tensor4D {
  const functionName = 'maxPool2d';
  checkTensor4D(functionName, 'x', x);
  checkRecord(functionName, 'options', options, ['kernelSize', 'stride', 'padding'], 'option');
  const { kernelSize, stride = kernelSize, padding = 0 } = options;
  const check = (argument: string, value: unknown, ok: boolean, expected: string) => {
    if (!ok) {
      throw new InvalidArgumentError({
        functionName,
        argument: `options.${argument}`,
        value,
        message: `options.${argument} must be ${expected}, got ${formatValue(value)}`,
      });
    }
  };
  check(
    'kernelSize',
    kernelSize,
    Number.isInteger(kernelSize) && kernelSize >= 1,
    'an integer ≥ 1',
  );
  check('stride', stride, Number.isInteger(stride) && stride >= 1, 'an integer ≥ 1');
  check(
    'padding',
    padding,
    Number.isInteger(padding) && padding >= 0 && padding <= kernelSize / 2,
    `an integer from 0 to half the kernel size (${Math.floor(kernelSize / 2)})`,
  );
  const [, height, width] = x.shape;
  const pad = { before: padding, after: padding };
  if (
    convOutputSize(height, kernelSize, stride, 1, pad) < 1 ||
    convOutputSize(width, kernelSize, stride, 1, pad) < 1
  ) {
    throw new ShapeMismatchError({
      functionName,
      message: `a ${kernelSize}×${kernelSize} window does not fit the ${height}×${width} input with padding ${padding}`,
    });
  }
  return runKernelAlias<tf.Tensor4D>(
    MAX_POOL,
    functionName,
    { x },
    {
      filterSize: [kernelSize, kernelSize],
      strides: [stride, stride],
      pad: padding,
      dimRoundingMode: 'floor',
    },
  );
}

/** @internal */
export const GLOBAL_AVG_POOL: KernelAlias = {
  name: 'OctconvGlobalAvgPool',
  baseKernels: ['Mean'],
  gradFunc: (dy, _saved, attrs) => {
    const [batch, height, width, channels] = attrs.inputShape as number[];
    return {
      // Every pixel gets dy / (h·w). Spread by a nearest resize from 1×1: tfjs-backend-wasm's
      // Tile (what broadcastTo runs) took 19 ms for [2, 56, 56, 32], the resize 0.2 ms.
      x: () =>
        tf.image.resizeNearestNeighbor(
          tf.div(
            tf.reshape(dy as tf.Tensor2D, [batch!, 1, 1, channels!]),
            height! * width!,
          ) as tf.Tensor4D,
          [height!, width!],
        ),
    };
  },
};

/** @internal Global average pooling without input checks. */
export function globalAvgPoolUnchecked(x: tf.Tensor4D, caller: string): tf.Tensor2D {
  return runKernelAlias<tf.Tensor2D>(
    GLOBAL_AVG_POOL,
    caller,
    { x },
    { axis: [1, 2], keepDims: false, inputShape: x.shape },
  );
}

/**
 * The mean over height and width (PyTorch's `AdaptiveAvgPool2d(1)` then `flatten(1)`),
 * differentiable with tfjs-core alone.
 *
 * @param x `[batch, height, width, channels]`.
 * @returns `[batch, channels]`.
 */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor2D {
  checkTensor4D('globalAvgPool', 'x', x);
  return globalAvgPoolUnchecked(x, 'globalAvgPool');
}
