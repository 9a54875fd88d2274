import * as tf from '@tensorflow/tfjs-core';
import { im2row } from '../kernels/fused-ops';
import { type ConvAttrs, type ExplicitPadding, explicitPadding } from './conv-geometry-attrs';

// Gradients of stride/dilation/explicit-padding convolutions written with forward ops only.
// tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter (tfjs #8474) and its Conv2DBackpropInput is
// a slow scalar loop; forward convolutions go through XNNPACK on every backend.

/**
 * Spreads `x` so that pixel (i, j) lands on (i·s, j·s) with zeros between, `[n, h·s, w·s, c]`
 * (the last s − 1 rows/columns are zeros too). Channel pad + depthToSpace keeps every tensor at
 * rank 4: rank-6 pads compile to invalid WGSL on tfjs-backend-webgpu 4.22.
 * @internal
 */
export function spread(x: tf.Tensor4D, stride: number): tf.Tensor4D {
  if (stride === 1) return x;
  const channels = x.shape[3];
  const padded = tf.pad(x, [
    [0, 0],
    [0, 0],
    [0, 0],
    [0, (stride * stride - 1) * channels],
  ]);
  return tf.depthToSpace(padded, stride, 'NHWC');
}

/**
 * Prepares dy for the "full" stride-1 correlation with the flipped kernel that gives dx: spreads
 * it by the stride and works out the padding; a padding below zero (a forward padding wider than
 * the kernel's reach) crops instead.
 */
function padForInputGrad(
  dy: tf.Tensor4D,
  inputSize: readonly [number, number],
  kernelSize: readonly [number, number],
  attrs: ConvAttrs,
): { dy: tf.Tensor4D; padding: ExplicitPadding } {
  let spreadDy = spread(dy, attrs.stride);
  const span = kernelSize.map((k) => (k - 1) * attrs.dilation + 1);
  const before = [span[0]! - 1 - attrs.pads.top, span[1]! - 1 - attrs.pads.left];
  const after = [
    inputSize[0] + span[0]! - 1 - before[0]! - spreadDy.shape[1],
    inputSize[1] + span[1]! - 1 - before[1]! - spreadDy.shape[2],
  ];
  if (before.some((p) => p < 0) || after.some((p) => p < 0)) {
    const cropBefore = before.map((p) => Math.max(-p, 0));
    const cropAfter = after.map((p) => Math.max(-p, 0));
    spreadDy = tf.slice(
      spreadDy,
      [0, cropBefore[0]!, cropBefore[1]!, 0],
      [
        -1,
        spreadDy.shape[1] - cropBefore[0]! - cropAfter[0]!,
        spreadDy.shape[2] - cropBefore[1]! - cropAfter[1]!,
        -1,
      ],
    );
  }
  return {
    dy: spreadDy,
    padding: [
      [0, 0],
      [Math.max(before[0]!, 0), Math.max(after[0]!, 0)],
      [Math.max(before[1]!, 0), Math.max(after[1]!, 0)],
      [0, 0],
    ],
  };
}

/** dx of `conv2d(x, filter)`: a stride-1 correlation of (spread) dy with the flipped, transposed kernel. */
export function conv2dInputGrad(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: readonly number[],
  attrs: ConvAttrs,
): tf.Tensor4D {
  const [kh, kw] = filter.shape;
  const prepared = padForInputGrad(dy, [inputShape[1]!, inputShape[2]!], [kh, kw], attrs);
  const flipped = kh === 1 && kw === 1 ? filter : tf.reverse(filter, [0, 1]);
  const transposed = tf.transpose(flipped, [0, 1, 3, 2]);
  return tf.conv2d(prepared.dy, transposed, 1, prepared.padding, 'NHWC', attrs.dilation);
}

/**
 * dfilter of `conv2d(x, filter)` as one forward convolution: with the batch moved into channels
 * (`x` → `[cin, h, w, n]`) and dy used as the kernel (`[outH, outW, n, cout]`, dilated by the
 * forward stride, strided by the forward dilation), the output `[cin, kh, kw, cout]` is dW.
 */
export function conv2dFilterGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: readonly number[],
  attrs: ConvAttrs,
): tf.Tensor4D {
  const [kh, kw, inChannels, outChannels] = filterShape as [number, number, number, number];
  const fast = filterGradByRows(x, dy, filterShape, attrs);
  if (fast) return fast;
  const channelsAsBatch = tf.transpose(x, [3, 1, 2, 0]);
  const dyAsKernel = tf.transpose(dy, [1, 2, 0, 3]);
  let grad = tf.conv2d(
    channelsAsBatch,
    dyAsKernel,
    attrs.dilation,
    explicitPadding(attrs.pads),
    'NHWC',
    attrs.stride,
  );
  if (grad.shape[1] !== kh || grad.shape[2] !== kw) {
    grad = tf.slice(grad, [0, 0, 0, 0], [inChannels, kh, kw, outChannels]);
  }
  return tf.transpose(grad, [1, 2, 0, 3]);
}

/**
 * wasm: the same dW with the width and the batch in the reduction dimension. Moving the batch
 * into channels (below) leaves XNNPACK `n` values (2 for a batch of 2) per kernel tap, and the
 * HH filter gradient of a 64-channel block ran at half the forward's speed. Here `im2row` lays
 * the input's width taps out as `[kw·cin, rows, 1, wout·n]` and dy becomes an
 * `[hout, 1, wout·n, cout]` kernel: one convolution over rows, `wout·n` values per tap.
 */
function filterGradByRows(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: readonly number[],
  attrs: ConvAttrs,
): tf.Tensor4D | null {
  const [kh, kw, inChannels, outChannels] = filterShape as [number, number, number, number];
  const [batch, height] = x.shape;
  const [, outHeight, outWidth] = dy.shape;
  const paddedHeight = height + attrs.pads.top + attrs.pads.bottom;
  const rows = im2row(x, {
    kernelWidth: kw,
    outWidth,
    paddedHeight,
    padTop: attrs.pads.top,
    padLeft: attrs.pads.left,
    stride: attrs.stride,
    dilation: attrs.dilation,
  });
  if (rows === null) return null;
  try {
    return tf.tidy((): tf.Tensor4D => {
      const kernel = tf.reshape(tf.transpose(dy, [1, 2, 0, 3]), [
        outHeight,
        1,
        outWidth * batch,
        outChannels,
      ]);
      // Output row a is Σ_i rows[a·dilation + i·stride] · dy[i]: stride and dilation swap roles.
      let rowsGrad = tf.conv2d(rows, kernel as tf.Tensor4D, [attrs.dilation, 1], 'valid', 'NHWC', [
        attrs.stride,
        1,
      ]);
      if (rowsGrad.shape[1] !== kh) rowsGrad = tf.slice(rowsGrad, [0, 0, 0, 0], [-1, kh, -1, -1]);
      // [kw·cin, kh, 1, cout] → [kh, kw, cin, cout]
      return tf.transpose(tf.reshape(rowsGrad, [kw, inChannels, kh, outChannels]), [2, 0, 1, 3]);
    }) as tf.Tensor4D;
  } finally {
    rows.dispose();
  }
}

/** dx of a depthwise convolution (`filter` `[kh, kw, c, multiplier]`). */
export function depthwiseInputGrad(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: readonly number[],
  attrs: ConvAttrs,
): tf.Tensor4D {
  const [kh, kw, channels, multiplier] = filter.shape;
  const [batch, height, width] = inputShape as [number, number, number];
  const prepared = padForInputGrad(dy, [height, width], [kh, kw], attrs);
  // Every (channel, multiplier) output goes back to its own channel: a depthwise correlation
  // with multiplier 1 over all c·m channels, then a sum over the multiplier.
  const flipped = tf.reshape(tf.reverse(filter, [0, 1]), [kh, kw, channels * multiplier, 1]);
  const grad = tf.depthwiseConv2d(
    prepared.dy,
    flipped as tf.Tensor4D,
    1,
    prepared.padding,
    'NHWC',
    attrs.dilation,
  );
  if (multiplier === 1) return grad;
  const summed = tf.sum(tf.reshape(grad, [batch * height * width * channels, multiplier]), 1);
  return tf.reshape(summed, [batch, height, width, channels]);
}

/** dfilter of a depthwise convolution: one shifted product per kernel tap, summed. */
export function depthwiseFilterGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: readonly number[],
  attrs: ConvAttrs,
): tf.Tensor4D {
  const [kh, kw, channels, multiplier] = filterShape as [number, number, number, number];
  const [batch, outHeight, outWidth] = dy.shape;
  const { stride, dilation, pads } = attrs;
  const padded = tf.pad(x, explicitPadding(pads));
  const positions = batch * outHeight * outWidth;
  const dyByChannel = tf.reshape(dy, [positions, channels, multiplier]);
  const taps: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const begin = [0, i * dilation, j * dilation, 0];
      const shifted =
        stride === 1
          ? tf.slice(padded, begin, [batch, outHeight, outWidth, channels])
          : tf.stridedSlice(
              padded,
              begin,
              [
                batch,
                begin[1]! + (outHeight - 1) * stride + 1,
                begin[2]! + (outWidth - 1) * stride + 1,
                channels,
              ],
              [1, stride, stride, 1],
            );
      taps.push(tf.sum(tf.mul(tf.reshape(shifted, [positions, channels, 1]), dyByChannel), 0));
    }
  }
  return tf.reshape(tf.stack(taps), [kh, kw, channels, multiplier]);
}
