import { InvalidArgumentError, ShapeMismatchError } from '../errors/octconv-error';
import {
  convOutputSize,
  effectiveKernelSize,
  halfSize,
  type PadAmounts,
  resolvePadding,
} from './conv-geometry';
import type { ResolvedOctaveConvOptions } from './options';
import type { ChannelSplit } from './split-channels';

/** One of the two bands of an octave feature map. */
export type Band = 'high' | 'low';

/** The four OctConv paths, named as the seed's PyTorch modules (`hh`, `hl`, `lh`, `ll`). */
export type PathName = 'hh' | 'hl' | 'lh' | 'll';

/** NHWC shape `[batch, height, width, channels]`. */
export type Shape4 = [number, number, number, number];

/** Every path with its source and target band, in the seed's order. */
export const OCTAVE_PATHS: readonly { name: PathName; from: Band; to: Band }[] = [
  { name: 'hh', from: 'high', to: 'high' },
  { name: 'hl', from: 'high', to: 'low' },
  { name: 'lh', from: 'low', to: 'high' },
  { name: 'll', from: 'low', to: 'low' },
];

/** What one path computes: pool `downsample` times, convolve, maybe upsample ×2 and crop. */
export interface OctavePathPlan {
  name: PathName;
  from: Band;
  to: Band;
  inChannels: number;
  outChannels: number;
  /** Groups of this path's convolution (the input channels when depthwise). */
  groups: number;
  /** 2×2 average pools applied to the source band before the convolution (0, 1 or 2). */
  downsample: 0 | 1 | 2;
  /** `[height, width]` the convolution sees. */
  convInput: [number, number];
  stride: 1 | 2;
  /** Zero padding of the convolution, per side. */
  pads: { top: number; bottom: number; left: number; right: number };
  /** `[height, width]` the convolution produces. */
  convOutput: [number, number];
  /** Whether the result is upsampled ×2 (nearest) and cropped to the high band. */
  upsample: boolean;
}

/** Shapes and per-path work of one OctConv, computed without running anything. */
export interface OctaveConvPlan {
  batch: number;
  /** `[kernelHeight, kernelWidth]`. */
  kernel: [number, number];
  dilation: number;
  /** Groups equal the input channels: only H→H and L→L, each depthwise. */
  depthwise: boolean;
  input: { high: Shape4 | null; low: Shape4 | null };
  output: { high: Shape4 | null; low: Shape4 | null };
  paths: Record<PathName, OctavePathPlan | null>;
}

/** @internal */
export interface OctaveConvPlanRequest {
  functionName: string;
  batch: number;
  /** Nominal `[height, width]` of the high band (twice the low band's when it has no channels). */
  size: readonly [number, number];
  inChannels: ChannelSplit;
  outChannels: ChannelSplit;
  kernel: readonly [number, number];
  options: ResolvedOctaveConvOptions;
  /** Paths that have weights; by default every path the channels and groups allow. */
  present?: Readonly<Record<PathName, boolean>>;
}

function times(size: readonly [number, number]): string {
  return `${size[0]}×${size[1]}`;
}

function halve(size: readonly [number, number], count: number): [number, number] {
  let [h, w] = size;
  for (let i = 0; i < count; i++) {
    h = halfSize(h);
    w = halfSize(w);
  }
  return [h, w];
}

/**
 * @internal Validates an OctConv configuration and computes every shape. Throws before any
 * tensor exists, so callers can validate first and compute second.
 */
export function planOctaveConv(request: OctaveConvPlanRequest): OctaveConvPlan {
  const { functionName, batch, size, inChannels, outChannels, kernel, options } = request;
  const { stride, strideMode, dilation, groups, padding } = options;
  const totalIn = inChannels.high + inChannels.low;
  const depthwise = groups > 1 && groups === totalIn;

  if (inChannels.high + inChannels.low === 0) {
    throw new ShapeMismatchError({
      functionName,
      message: 'both input bands are empty; an octave feature map needs a high or a low band',
    });
  }

  const lowSize = halve(size, 1);
  const bandSize = (band: Band) => (band === 'high' ? size : lowSize);

  // Where each path pools, at what stride it convolves, and whether it upsamples.
  const schedule = (
    name: PathName,
  ): { downsample: 0 | 1 | 2; stride: 1 | 2; upsample: boolean } => {
    const toHighFromLow = name === 'lh';
    if (stride === 1)
      return { downsample: name === 'hl' ? 1 : 0, stride: 1, upsample: toHighFromLow };
    if (strideMode === 'conv') {
      return { downsample: name === 'hl' ? 1 : 0, stride: 2, upsample: toHighFromLow };
    }
    const downsample = name === 'hl' ? 2 : name === 'lh' ? 0 : 1;
    return { downsample, stride: 1, upsample: false };
  };

  const geometry = (name: PathName, from: Band) => {
    const step = schedule(name);
    const convInput = halve(bandSize(from), step.downsample);
    const padH: PadAmounts = resolvePadding(
      padding,
      convInput[0],
      kernel[0],
      step.stride,
      dilation,
    );
    const padW: PadAmounts = resolvePadding(
      padding,
      convInput[1],
      kernel[1],
      step.stride,
      dilation,
    );
    const convOutput: [number, number] = [
      convOutputSize(convInput[0], kernel[0], step.stride, dilation, padH),
      convOutputSize(convInput[1], kernel[1], step.stride, dilation, padW),
    ];
    return {
      ...step,
      convInput,
      convOutput,
      pads: { top: padH.before, bottom: padH.after, left: padW.before, right: padW.after },
    };
  };

  // The high output is what H→H would produce, the low output what L→L would, whether or not
  // those paths exist; every present path must land on them.
  const highOut = geometry('hh', 'high').convOutput;
  const lowOut = geometry('ll', 'low').convOutput;

  const paths: Record<PathName, OctavePathPlan | null> = { hh: null, hl: null, lh: null, ll: null };
  const consumed = { high: false, low: false };
  const produced = { high: false, low: false };

  for (const { name, from, to } of OCTAVE_PATHS) {
    const cin = inChannels[from];
    const cout = outChannels[to];
    const allowed = cin > 0 && cout > 0 && (!depthwise || from === to);
    const present = request.present ? request.present[name] : allowed;
    if (!present) continue;
    if (!allowed) {
      const reason = depthwise
        ? `a depthwise OctConv (groups ${groups} = input channels) keeps only H→H and L→L`
        : cin === 0
          ? `the ${from} input band has no channels`
          : `the ${to} output band has no channels`;
      throw new ShapeMismatchError({
        functionName,
        message: `path ${name} (${from}→${to}) has weights, but ${reason}`,
      });
    }
    const pathGroups = depthwise ? cin : groups;
    if (depthwise ? cout % cin !== 0 : cin % groups !== 0 || cout % groups !== 0) {
      throw new InvalidArgumentError({
        functionName,
        argument: 'options.groups',
        value: groups,
        message: depthwise
          ? `depthwise path ${name} maps ${cin} to ${cout} channels; the output channels must be a multiple of the input channels`
          : `groups ${groups} must divide both channel counts of path ${name} (${cin} in, ${cout} out)`,
      });
    }
    const plan = geometry(name, from);
    const expected = to === 'high' ? highOut : lowOut;
    const landed = plan.upsample ? [halfSize(expected[0]), halfSize(expected[1])] : expected;
    if (plan.convOutput[0] !== landed[0] || plan.convOutput[1] !== landed[1]) {
      throw bandSizeError(functionName, request, highOut, lowOut);
    }
    paths[name] = {
      name,
      from,
      to,
      inChannels: cin,
      outChannels: cout,
      groups: pathGroups,
      downsample: plan.downsample,
      convInput: plan.convInput,
      stride: plan.stride,
      pads: plan.pads,
      convOutput: plan.convOutput,
      upsample: plan.upsample,
    };
    consumed[from] = true;
    produced[to] = true;
  }

  for (const band of ['high', 'low'] as const) {
    if (inChannels[band] > 0 && !consumed[band]) {
      throw new ShapeMismatchError({
        functionName,
        message: `the ${band} input band has ${inChannels[band]} channels but no path uses it${depthwise ? ` (a depthwise OctConv needs a ${band} output band)` : ''}`,
      });
    }
    if (outChannels[band] > 0 && !produced[band]) {
      throw new ShapeMismatchError({
        functionName,
        message: `the ${band} output band has ${outChannels[band]} channels but no path produces it${depthwise ? ` (a depthwise OctConv needs a ${band} input band)` : ''}`,
      });
    }
  }

  if (produced.high && (highOut[0] < 1 || highOut[1] < 1)) {
    throw emptyOutputError(functionName, request, 'high', highOut);
  }
  if (produced.low && (lowOut[0] < 1 || lowOut[1] < 1)) {
    throw emptyOutputError(functionName, request, 'low', lowOut);
  }
  // Only output bands that both exist must fit together; a layer with one output band is free.
  if (
    produced.high &&
    produced.low &&
    (lowOut[0] !== halfSize(highOut[0]) || lowOut[1] !== halfSize(highOut[1]))
  ) {
    throw bandSizeError(functionName, request, highOut, lowOut);
  }

  const shape = (band: Band, spatial: readonly [number, number], channels: ChannelSplit) =>
    channels[band] > 0 ? ([batch, spatial[0], spatial[1], channels[band]] as Shape4) : null;
  return {
    batch,
    kernel: [kernel[0], kernel[1]],
    dilation,
    depthwise,
    input: { high: shape('high', size, inChannels), low: shape('low', lowSize, inChannels) },
    output: {
      high: produced.high ? shape('high', highOut, outChannels) : null,
      low: produced.low ? shape('low', lowOut, outChannels) : null,
    },
    paths,
  };
}

function describeKernel(request: OctaveConvPlanRequest): string {
  const { kernel, options } = request;
  const dilated = options.dilation > 1 ? ` dilated ${options.dilation}` : '';
  return `padding ${JSON.stringify(options.padding)} with a ${kernel[0]}×${kernel[1]}${dilated} kernel at stride ${options.stride}`;
}

function emptyOutputError(
  functionName: string,
  request: OctaveConvPlanRequest,
  band: Band,
  out: readonly [number, number],
): InvalidArgumentError {
  return new InvalidArgumentError({
    functionName,
    argument: 'options.padding',
    value: request.options.padding,
    message: `${describeKernel(request)} leaves the ${band} output empty (${times(out)}) for a ${times(request.size)} input: the kernel is larger than the padded band`,
  });
}

function bandSizeError(
  functionName: string,
  request: OctaveConvPlanRequest,
  highOut: readonly [number, number],
  lowOut: readonly [number, number],
): InvalidArgumentError {
  const { kernel, options } = request;
  const spanH = effectiveKernelSize(kernel[0], options.dilation);
  const spanW = effectiveKernelSize(kernel[1], options.dilation);
  const hint =
    spanH === spanW && spanH % 2 === 1 ? `padding ${(spanH - 1) / 2} or 'same'` : `padding 'same'`;
  return new InvalidArgumentError({
    functionName,
    argument: 'options.padding',
    value: options.padding,
    message: `${describeKernel(request)} maps the ${times(request.size)} high band to ${times(highOut)} and the low band to ${times(lowOut)}, but the bands can only be added when the low band is ceil(high/2) = ${times([halfSize(highOut[0]), halfSize(highOut[1])])}; use ${hint}`,
  });
}
