import type { NamedAttrMap, NamedTensorMap } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { type KernelAlias, runKernelAlias } from '../autograd/kernel-alias';
import {
  CONCAT_CHANNELS,
  concatChannels,
  RESHAPE,
  reshape,
  SLICE_CHANNELS,
  sliceChannels,
} from '../tensor/differentiable';
import {
  conv2dFilterGrad,
  conv2dInputGrad,
  depthwiseFilterGrad,
  depthwiseInputGrad,
} from './backprop';
import { type ConvAttrs, explicitPadding } from './conv-geometry-attrs';

function convAttrs(attrs: NamedAttrMap): ConvAttrs {
  return attrs.octconv as unknown as ConvAttrs;
}

function tfjsAttrs(attrs: ConvAttrs): NamedAttrMap {
  return {
    strides: [attrs.stride, attrs.stride],
    pad: explicitPadding(attrs.pads),
    dataFormat: 'NHWC',
    dilations: [attrs.dilation, attrs.dilation],
    activation: 'linear',
    leakyreluAlpha: 0,
    octconv: attrs as unknown as NamedAttrMap,
  };
}

/** A convolution alias: the plain kernel, or the fused one when a bias is given; our gradients. */
function convolutionAlias(
  name: string,
  plainKernel: string,
  fusedKernel: string,
  inputGrad: typeof conv2dInputGrad,
  filterGrad: typeof conv2dFilterGrad,
): KernelAlias {
  return {
    name,
    baseKernels: [plainKernel, fusedKernel],
    forward: (args, base) => base(args.inputs.bias ? fusedKernel : plainKernel)(args),
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const geometry = convAttrs(attrs);
      const grad = dy as tf.Tensor4D;
      return {
        x: () => inputGrad(grad, filter, x.shape, geometry),
        filter: () => filterGrad(x, grad, filter.shape, geometry),
        bias: () => tf.sum(grad, [0, 1, 2]),
      };
    },
  };
}

const CONV2D = convolutionAlias(
  'OctconvConv2D',
  'Conv2D',
  'FusedConv2D',
  conv2dInputGrad,
  conv2dFilterGrad,
);

const DEPTHWISE_CONV2D = convolutionAlias(
  'OctconvDepthwiseConv2D',
  'DepthwiseConv2dNative',
  'FusedDepthwiseConv2D',
  depthwiseInputGrad,
  depthwiseFilterGrad,
);

/** @internal The aliases {@link groupedConv2d} runs for these groups and channel counts. */
export function convolutionAliases(
  groups: number,
  inChannels: number,
  groupIn: number,
): KernelAlias[] {
  if (groups === 1) return [CONV2D];
  if (groups === inChannels && groupIn === 1) return [DEPTHWISE_CONV2D, RESHAPE];
  return [CONV2D, SLICE_CHANNELS, CONCAT_CHANNELS];
}

/**
 * @internal Differentiable 2-D convolution with PyTorch-style groups and explicit padding.
 * `filter` is `[kh, kw, inChannels / groups, outChannels]`; `groups = inChannels` (and a filter
 * of input depth 1) runs as a depthwise convolution.
 */
export function groupedConv2d(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D | null | undefined,
  groups: number,
  attrs: ConvAttrs,
  caller: string,
): tf.Tensor4D {
  const inChannels = x.shape[3];
  const [kh, kw, groupIn, outChannels] = filter.shape;
  if (groups === 1) {
    const inputs: NamedTensorMap = bias ? { x, filter, bias } : { x, filter };
    return runKernelAlias<tf.Tensor4D>(CONV2D, caller, inputs, tfjsAttrs(attrs));
  }
  if (groups === inChannels && groupIn === 1) {
    // PyTorch's depthwise output o reads input o / m, tfjs's output c·m + j reads input c: the
    // same order, so the filter only needs reshaping.
    const multiplier = outChannels / inChannels;
    const depthwiseFilter = reshape<tf.Rank.R4>(filter, [kh, kw, inChannels, multiplier], caller);
    const inputs: NamedTensorMap = bias
      ? { x, filter: depthwiseFilter, bias }
      : { x, filter: depthwiseFilter };
    return runKernelAlias<tf.Tensor4D>(DEPTHWISE_CONV2D, caller, inputs, tfjsAttrs(attrs));
  }
  const groupOut = outChannels / groups;
  const outputs: tf.Tensor4D[] = [];
  for (let g = 0; g < groups; g++) {
    outputs.push(
      groupedConv2d(
        sliceChannels(x, g * groupIn, groupIn, caller),
        sliceChannels(filter, g * groupOut, groupOut, caller),
        // A rank-1 slice, not a reshape: wasm's FusedConv2D reads the rank its data was made with.
        bias ? sliceChannels(bias, g * groupOut, groupOut, caller) : null,
        1,
        attrs,
        caller,
      ),
    );
  }
  return concatChannels(outputs, caller);
}
