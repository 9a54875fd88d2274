import type { NamedAttrMap, NamedTensorMap } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { type KernelAlias, runKernelAlias } from '../autograd/kernel-alias';
import { concatChannels, reshape, sliceChannels } from '../tensor/differentiable';
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

const CONV2D: KernelAlias = {
  name: 'OctconvConv2D',
  baseKernels: ['Conv2D', 'FusedConv2D'],
  forward: (args, base) => base(args.inputs.bias ? 'FusedConv2D' : 'Conv2D')(args),
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const geometry = convAttrs(attrs);
    const grad = dy as tf.Tensor4D;
    return {
      x: () => conv2dInputGrad(grad, filter, x.shape, geometry),
      filter: () => conv2dFilterGrad(x, grad, filter.shape, geometry),
      bias: () => tf.sum(grad, [0, 1, 2]),
    };
  },
};

const DEPTHWISE_CONV2D: KernelAlias = {
  name: 'OctconvDepthwiseConv2D',
  baseKernels: ['DepthwiseConv2dNative', 'FusedDepthwiseConv2D'],
  forward: (args, base) =>
    base(args.inputs.bias ? 'FusedDepthwiseConv2D' : 'DepthwiseConv2dNative')(args),
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const geometry = convAttrs(attrs);
    const grad = dy as tf.Tensor4D;
    return {
      x: () => depthwiseInputGrad(grad, filter, x.shape, geometry),
      filter: () => depthwiseFilterGrad(x, grad, filter.shape, geometry),
      bias: () => tf.sum(grad, [0, 1, 2]),
    };
  },
};

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
): tf.Tensor4D {
  const inChannels = x.shape[3];
  const [kh, kw, groupIn, outChannels] = filter.shape;
  if (groups === 1) {
    const inputs: NamedTensorMap = bias ? { x, filter, bias } : { x, filter };
    return runKernelAlias<tf.Tensor4D>(CONV2D, 'conv2d', inputs, tfjsAttrs(attrs));
  }
  if (groups === inChannels && groupIn === 1) {
    // PyTorch's depthwise output o reads input o / m, tfjs's output c·m + j reads input c: the
    // same order, so the filter only needs reshaping.
    const depthwiseFilter = reshape<tf.Rank.R4>(filter, [
      kh,
      kw,
      inChannels,
      outChannels / inChannels,
    ]);
    const inputs: NamedTensorMap = bias
      ? { x, filter: depthwiseFilter, bias }
      : { x, filter: depthwiseFilter };
    return runKernelAlias<tf.Tensor4D>(
      DEPTHWISE_CONV2D,
      'depthwiseConv2d',
      inputs,
      tfjsAttrs(attrs),
    );
  }
  const groupOut = outChannels / groups;
  const outputs: tf.Tensor4D[] = [];
  for (let g = 0; g < groups; g++) {
    outputs.push(
      groupedConv2d(
        sliceChannels(x, g * groupIn, groupIn),
        sliceChannels(filter, g * groupOut, groupOut),
        // A rank-1 slice, not a reshape: wasm's FusedConv2D reads the rank its data was made with.
        bias ? sliceChannels(bias, g * groupOut, groupOut) : null,
        1,
        attrs,
      ),
    );
  }
  return concatChannels(outputs);
}
