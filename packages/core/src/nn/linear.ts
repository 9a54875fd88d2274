import * as tf from '@tensorflow/tfjs-core';
import { requireKernelAliases } from '../autograd/kernel-alias';
import { convolutionAliases, groupedConv2d } from '../conv/conv2d';
import { ShapeMismatchError } from '../errors/octconv-error';
import { checkTensor } from '../tensor/check-tensor';
import { RESHAPE, reshape } from '../tensor/differentiable';

const NO_PADDING = { top: 0, bottom: 0, left: 0, right: 0 };

/** @internal `linear` without input checks. */
export function linearUnchecked(
  x: tf.Tensor2D,
  weight: tf.Tensor2D,
  bias: tf.Tensor1D | null | undefined,
  caller: string,
): tf.Tensor2D {
  const [batch, inFeatures] = x.shape;
  const outFeatures = weight.shape[1];
  requireKernelAliases(caller, [...convolutionAliases(1, inFeatures, inFeatures), RESHAPE]);
  // A 1×1 convolution over a 1×1 image is the matrix product, and reuses the convolution's
  // gradients, which work on every backend (wasm's matMul with a transposed operand is slow).
  const image = reshape<tf.Rank.R4>(x, [batch, 1, 1, inFeatures], caller) as tf.Tensor4D;
  const filter = reshape<tf.Rank.R4>(
    weight,
    [1, 1, inFeatures, outFeatures],
    caller,
  ) as tf.Tensor4D;
  const y = groupedConv2d(
    image,
    filter,
    bias,
    1,
    { stride: 1, dilation: 1, pads: NO_PADDING },
    caller,
  );
  return reshape<tf.Rank.R2>(y, [batch, outFeatures], caller) as tf.Tensor2D;
}

/**
 * A fully connected layer, `x · weight + bias`, differentiable with tfjs-core alone.
 * PyTorch's `nn.Linear` stores `weight` as `[out, in]`; here it is `[in, out]` (tfjs's layout).
 *
 * @param x `[batch, inFeatures]`.
 * @param weight `[inFeatures, outFeatures]`.
 * @param bias `[outFeatures]`.
 * @returns `[batch, outFeatures]`.
 */
export function linear(
  x: tf.Tensor2D,
  weight: tf.Tensor2D,
  bias?: tf.Tensor1D | null,
): tf.Tensor2D {
  checkTensor('linear', 'x', x, 2, '[batch, inFeatures]');
  checkTensor('linear', 'weight', weight, 2, '[inFeatures, outFeatures]');
  if (weight.shape[0] !== x.shape[1]) {
    throw new ShapeMismatchError({
      functionName: 'linear',
      message: `x [${x.shape.join(', ')}] has ${x.shape[1]} features, weight [${weight.shape.join(', ')}] expects ${weight.shape[0]}`,
    });
  }
  if (bias != null) {
    checkTensor('linear', 'bias', bias, 1, '[outFeatures]');
    if (bias.shape[0] !== weight.shape[1]) {
      throw new ShapeMismatchError({
        functionName: 'linear',
        message: `bias has ${bias.shape[0]} values, weight [${weight.shape.join(', ')}] has ${weight.shape[1]} outputs`,
      });
    }
  }
  return tf.tidy(() => linearUnchecked(x, weight, bias, 'linear'));
}
