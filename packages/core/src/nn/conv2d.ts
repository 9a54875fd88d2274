import * as tf from '@tensorflow/tfjs-core';
import { requireKernelAliases } from '../autograd/kernel-alias';
import { convolutionAliases, groupedConv2d } from '../conv/conv2d';
import { formatValue } from '../errors/format-value';
import { InvalidArgumentError, ShapeMismatchError } from '../errors/octconv-error';
import { channelsFirstHint } from '../shape/channels-first';
import { checkRecord } from '../shape/check-record';
import { convOutputSize, type Padding, resolvePadding } from '../shape/conv-geometry';
import { checkTensor, checkTensor4D } from '../tensor/check-tensor';

/** Options of {@link conv2d}, as `nn.Conv2d`'s. */
export interface Conv2dOptions {
  /** An integer ≥ 1 (default 1). */
  stride?: number;
  /** Symmetric zero padding per side (PyTorch), or `'same'` (TensorFlow). Default 0, like `nn.Conv2d`. */
  padding?: Padding;
  /** Kernel dilation, an integer ≥ 1 (default 1). */
  dilation?: number;
  /** Groups (default 1); `inChannels` makes it depthwise. */
  groups?: number;
  /** `[outChannels]`, added to every output pixel. */
  bias?: tf.Tensor1D | null;
}

const OPTION_KEYS = ['stride', 'padding', 'dilation', 'groups', 'bias'];
const FUNCTION_NAME = 'conv2d';

function invalid(argument: string, value: unknown, expected: string): never {
  throw new InvalidArgumentError({
    functionName: FUNCTION_NAME,
    argument: `options.${argument}`,
    value,
    message: `options.${argument} must be ${expected}, got ${formatValue(value)}`,
  });
}

/**
 * A plain 2-D convolution with PyTorch's `nn.Conv2d` semantics (symmetric padding, groups), in
 * NHWC, differentiable on every backend with tfjs-core alone: the stem of a network, the
 * projection of a residual shortcut, the vanilla twin of an OctConv.
 *
 * @param x `[batch, height, width, inChannels]`.
 * @param filter `[kernelHeight, kernelWidth, inChannels / groups, outChannels]` (HWIO).
 * @returns `[batch, outHeight, outWidth, outChannels]`.
 * @throws InvalidArgumentError for a bad option; ShapeMismatchError when the filter does not fit
 *   the input or the kernel is larger than the padded input.
 */
export function conv2d(x: tf.Tensor4D, filter: tf.Tensor4D, options?: Conv2dOptions): tf.Tensor4D {
  checkTensor4D(FUNCTION_NAME, 'x', x);
  checkTensor4D(FUNCTION_NAME, 'filter', filter);
  checkRecord(FUNCTION_NAME, 'options', options ?? {}, OPTION_KEYS, 'option');
  const { stride = 1, padding = 0, dilation = 1, groups = 1, bias = null } = options ?? {};
  if (!(Number.isInteger(stride) && stride >= 1)) invalid('stride', stride, 'an integer ≥ 1');
  if (padding !== 'same' && !(Number.isInteger(padding) && padding >= 0)) {
    invalid('padding', padding, "an integer ≥ 0 or 'same'");
  }
  if (!(Number.isInteger(dilation) && dilation >= 1)) {
    invalid('dilation', dilation, 'an integer ≥ 1');
  }
  if (!(Number.isInteger(groups) && groups >= 1)) invalid('groups', groups, 'an integer ≥ 1');
  if (stride > 1 && dilation > 1) {
    invalid(
      'dilation',
      dilation,
      '1 when the stride is above 1 (tfjs convolutions take one or the other)',
    );
  }
  const [, height, width, inChannels] = x.shape;
  const [kh, kw, groupIn, outChannels] = filter.shape;
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new ShapeMismatchError({
      functionName: FUNCTION_NAME,
      message: `groups ${groups} must divide the ${inChannels} input and ${outChannels} output channels`,
    });
  }
  if (groupIn * groups !== inChannels) {
    throw new ShapeMismatchError({
      functionName: FUNCTION_NAME,
      message: `filter [${filter.shape.join(', ')}] expects ${groupIn * groups} input channels (${groupIn} per group × ${groups}), x [${x.shape.join(', ')}] has ${inChannels}${channelsFirstHint(x.shape, groupIn * groups)}`,
    });
  }
  if (bias != null) {
    const b = checkTensor(FUNCTION_NAME, 'options.bias', bias, 1, '[outChannels]');
    if (b.shape[0] !== outChannels) {
      throw new ShapeMismatchError({
        functionName: FUNCTION_NAME,
        message: `options.bias has ${b.shape[0]} values, the filter has ${outChannels} output channels`,
      });
    }
  }
  const padH = resolvePadding(padding, height, kh, stride, dilation);
  const padW = resolvePadding(padding, width, kw, stride, dilation);
  const outHeight = convOutputSize(height, kh, stride, dilation, padH);
  const outWidth = convOutputSize(width, kw, stride, dilation, padW);
  if (outHeight < 1 || outWidth < 1) {
    throw new ShapeMismatchError({
      functionName: FUNCTION_NAME,
      message: `a ${kh}×${kw} kernel (dilation ${dilation}) does not fit the ${height}×${width} input with padding ${formatValue(padding)}`,
    });
  }
  requireKernelAliases(FUNCTION_NAME, convolutionAliases(groups, inChannels, groupIn));
  return tf.tidy(() =>
    groupedConv2d(
      x,
      filter,
      bias,
      groups,
      {
        stride,
        dilation,
        pads: { top: padH.before, bottom: padH.after, left: padW.before, right: padW.after },
      },
      FUNCTION_NAME,
    ),
  );
}
