import { formatValue } from '../errors/format-value';
import { InvalidArgumentError } from '../errors/octconv-error';
import { checkRecord } from './check-record';
import type { Padding } from './conv-geometry';

/**
 * How a stride-2 OctConv reduces resolution.
 * - `'pool'` (default; the paper and its official code): the high band is average-pooled before
 *   H→H and H→L, the low band before L→L, and L→H runs at stride 1 with no upsampling.
 * - `'conv'` (the seed notebook): each of the four convolutions has stride 2, and pooling and
 *   upsampling happen as at stride 1.
 */
export type StrideMode = 'pool' | 'conv';

/** Options of {@link octaveConv2d}; every path uses the same ones. */
export interface OctaveConvOptions {
  /** 1 or 2 (default 1). Larger strides are not an octave operation. */
  stride?: 1 | 2;
  /** Symmetric zero padding per side (PyTorch), or `'same'` (TensorFlow). Default 1, the seed's. */
  padding?: Padding;
  /** Kernel dilation, an integer ≥ 1 (default 1). */
  dilation?: number;
  /**
   * Groups, as `nn.Conv2d`'s (default 1). Every path is grouped with it; when it equals the
   * total input channels the layer is depthwise and keeps only H→H and L→L, each depthwise on
   * its own band.
   */
  groups?: number;
  /** Stride-2 semantics, see {@link StrideMode}. Default `'pool'`. */
  strideMode?: StrideMode;
}

/** @internal */
export interface ResolvedOctaveConvOptions {
  stride: 1 | 2;
  padding: Padding;
  dilation: number;
  groups: number;
  strideMode: StrideMode;
}

const OPTION_KEYS = ['stride', 'padding', 'dilation', 'groups', 'strideMode'];

function invalid(functionName: string, key: string, value: unknown, expected: string): never {
  throw new InvalidArgumentError({
    functionName,
    argument: `options.${key}`,
    value,
    message: `options.${key} must be ${expected}, got ${formatValue(value)}`,
  });
}

/** @internal Validates options and fills in the seed's defaults. */
export function resolveOctaveConvOptions(
  functionName: string,
  options: OctaveConvOptions | undefined,
): ResolvedOctaveConvOptions {
  checkRecord(functionName, 'options', options ?? {}, OPTION_KEYS, 'option');
  const { stride = 1, padding = 1, dilation = 1, groups = 1, strideMode = 'pool' } = options ?? {};
  if (stride !== 1 && stride !== 2) invalid(functionName, 'stride', stride, '1 or 2');
  if (padding !== 'same' && !(Number.isInteger(padding) && padding >= 0)) {
    invalid(functionName, 'padding', padding, "an integer ≥ 0 or 'same'");
  }
  if (!(Number.isInteger(dilation) && dilation >= 1)) {
    invalid(functionName, 'dilation', dilation, 'an integer ≥ 1');
  }
  if (!(Number.isInteger(groups) && groups >= 1)) {
    invalid(functionName, 'groups', groups, 'an integer ≥ 1');
  }
  if (strideMode !== 'pool' && strideMode !== 'conv') {
    invalid(functionName, 'strideMode', strideMode, "'pool' or 'conv'");
  }
  if (stride === 2 && dilation > 1 && strideMode === 'conv') {
    throw new InvalidArgumentError({
      functionName,
      argument: 'options.dilation',
      value: dilation,
      message: `strideMode 'conv' with stride 2 and dilation ${dilation} is not supported (tfjs convolutions take a stride or a dilation, not both); use strideMode 'pool'`,
    });
  }
  return { stride, padding, dilation, groups, strideMode };
}

/**
 * The stride mode the networks give each OctConv: `'pool'` (the paper's) where a low band is
 * involved, `'conv'` for a single-band layer (α_in = α_out = 0), which then convolves with stride 2
 * exactly as the plain network does, so that a network at α = 0 is its plain twin. Multiply-adds
 * are the same either way.
 */
export function singleBandStrideMode(alphaIn: number, alphaOut: number): StrideMode {
  return alphaIn === 0 && alphaOut === 0 ? 'conv' : 'pool';
}
