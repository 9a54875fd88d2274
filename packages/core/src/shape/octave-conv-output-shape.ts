import { checkRecord } from './check-record';
import { type OctaveConvPlan, planOctaveConv } from './octave-conv-plan';
import { type OctaveConvOptions, resolveOctaveConvOptions } from './options';
import { checkAlpha, checkInteger, splitChannels } from './split-channels';

/** A whole OctConv layer described by its hyper-parameters, as `nn.Conv2d` would take them. */
export interface OctaveConvLayerSpec extends OctaveConvOptions {
  /** Batch size (default 1). */
  batch?: number;
  /**
   * Height of the full-resolution input (the high band's, or the image's for a first layer).
   * When α_in puts every channel in the low band, only `ceil(height / 2)` is known to the layer,
   * and the high output is computed from twice that, as {@link octaveConv2d} does.
   */
  height: number;
  /** Width of the full-resolution input. */
  width: number;
  /** Total input channels, both bands. */
  inChannels: number;
  /** Total output channels, both bands. */
  outChannels: number;
  /** Low-band fraction of the input channels (default 0.5, the seed's). */
  alphaIn?: number;
  /** Low-band fraction of the output channels (default 0.5, the seed's). */
  alphaOut?: number;
  /** Square kernel size, or `[height, width]` (default 3). */
  kernelSize?: number | readonly [number, number];
}

const SPEC_KEYS = [
  'batch',
  'height',
  'width',
  'inChannels',
  'outChannels',
  'alphaIn',
  'alphaOut',
  'kernelSize',
  'stride',
  'padding',
  'dilation',
  'groups',
  'strideMode',
];

/**
 * Shapes of both output bands of an OctConv layer, and what each of its four paths computes
 * (input size after pooling, padding, output size, upsampling), without creating a tensor.
 * The channel split is {@link splitChannels}'s; odd sizes and both stride modes follow the same
 * rules as {@link octaveConv2d}, so the result always equals the shapes it returns.
 *
 * @example
 * octaveConvOutputShape({ height: 33, width: 33, inChannels: 64, outChannels: 128 }).output
 * // { high: [1, 33, 33, 64], low: [1, 17, 17, 64] }
 * @throws InvalidArgumentError for invalid hyper-parameters, or a padding that breaks the
 *   `low = ceil(high / 2)` relation between the bands.
 */
export function octaveConvOutputShape(spec: OctaveConvLayerSpec): OctaveConvPlan {
  const fn = 'octaveConvOutputShape';
  checkRecord(fn, 'spec', spec, SPEC_KEYS, 'field');
  const {
    batch = 1,
    height,
    width,
    inChannels,
    outChannels,
    alphaIn = 0.5,
    alphaOut = 0.5,
    kernelSize = 3,
    stride,
    padding,
    dilation,
    groups,
    strideMode,
  } = spec;
  checkInteger(fn, 'batch', batch, 1);
  checkInteger(fn, 'height', height, 1);
  checkInteger(fn, 'width', width, 1);
  checkInteger(fn, 'inChannels', inChannels, 1);
  checkInteger(fn, 'outChannels', outChannels, 1);
  checkAlpha(fn, 'alphaIn', alphaIn);
  checkAlpha(fn, 'alphaOut', alphaOut);
  const kernel = resolveKernelSize(fn, kernelSize);
  const options = resolveOctaveConvOptions(fn, {
    ...(stride !== undefined && { stride }),
    ...(padding !== undefined && { padding }),
    ...(dilation !== undefined && { dilation }),
    ...(groups !== undefined && { groups }),
    ...(strideMode !== undefined && { strideMode }),
  });
  const inSplit = splitChannels(inChannels, alphaIn);
  // With every input channel low (α_in rounding to all), the layer only sees the low band, so —
  // as octaveConv2d does — the high size is twice the low band's, rounded up to even.
  const size: [number, number] =
    inSplit.high === 0 ? [2 * Math.ceil(height / 2), 2 * Math.ceil(width / 2)] : [height, width];
  return planOctaveConv({
    functionName: fn,
    batch,
    size,
    inChannels: inSplit,
    outChannels: splitChannels(outChannels, alphaOut),
    kernel,
    options,
  });
}

/**
 * The input height and width at which an OctConv's hyper-parameters are checked before its real
 * input size is known (a layer built for any image size): `8 · (reach + 1)`, `reach` the larger
 * kernel side times the dilation. Large enough for every kernel, stride and padding to give a
 * non-empty output in both bands, so {@link octaveConvOutputShape} at this size rejects exactly
 * the combinations that fail at every size.
 *
 * @example
 * octaveConvOutputShape({ height: nominalInputSize(3), width: nominalInputSize(3), inChannels: 64, outChannels: 64 });
 */
export function nominalInputSize(
  kernelSize: number | readonly [number, number],
  dilation = 1,
): number {
  const [kh, kw] = resolveKernelSize('nominalInputSize', kernelSize);
  checkInteger('nominalInputSize', 'dilation', dilation, 1);
  return 8 * (Math.max(kh, kw) * dilation + 1);
}

/** @internal `3` → `[3, 3]`; validates a square size or a `[height, width]` pair. */
export function resolveKernelSize(functionName: string, kernelSize: unknown): [number, number] {
  if (Array.isArray(kernelSize) && kernelSize.length === 2) {
    checkInteger(functionName, 'kernelSize', kernelSize[0], 1);
    checkInteger(functionName, 'kernelSize', kernelSize[1], 1);
    return [kernelSize[0], kernelSize[1]];
  }
  return [checkInteger(functionName, 'kernelSize', kernelSize, 1), kernelSize as number];
}
