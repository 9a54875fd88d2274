import type * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, ShapeMismatchError } from '../errors/octconv-error';
import { checkRecord } from '../shape/check-record';
import { OCTAVE_PATHS, type PathName } from '../shape/octave-conv-plan';
import { checkTensor, checkTensor4D } from '../tensor/check-tensor';

/** Weights of one OctConv path, as one `nn.Conv2d`. */
export interface OctavePathWeights {
  /** `[kernelHeight, kernelWidth, inChannels / groups, outChannels]` (HWIO). */
  filter: tf.Tensor4D;
  /** `[outChannels]`; the seed gives each of the four convolutions its own bias. */
  bias?: tf.Tensor1D | null;
}

/**
 * Weights of the four paths, named as the seed's PyTorch modules. A path exists exactly when its
 * weights are given: a first layer (α_in = 0) has `hh` and `hl`, a last layer (α_out = 0) `hh`
 * and `lh`, a depthwise layer `hh` and `ll`.
 */
export interface OctaveConvWeights {
  hh?: OctavePathWeights | null;
  hl?: OctavePathWeights | null;
  lh?: OctavePathWeights | null;
  ll?: OctavePathWeights | null;
}

/** @internal What the weights say about the layer. */
export interface OctaveWeightsInfo {
  present: Record<PathName, boolean>;
  kernel: [number, number];
  outChannels: { high: number; low: number };
}

const PATH_NAMES = OCTAVE_PATHS.map((path) => path.name);
const PATH_KEYS = ['filter', 'bias'];

/** @internal Validates every given path's tensors and their agreement; creates nothing. */
export function checkOctaveWeights(functionName: string, weights: unknown): OctaveWeightsInfo {
  checkRecord(functionName, 'weights', weights, PATH_NAMES, 'path');
  const present: Record<PathName, boolean> = { hh: false, hl: false, lh: false, ll: false };
  const outChannels = { high: 0, low: 0 };
  const outSource: { high?: PathName; low?: PathName } = {};
  let kernel: [number, number] | null = null;
  let kernelSource: PathName | null = null;

  for (const { name, to } of OCTAVE_PATHS) {
    const path = (weights as Record<string, unknown>)[name];
    if (path == null) continue;
    const { filter, bias } = checkRecord(functionName, `weights.${name}`, path, PATH_KEYS, 'field');
    const f = checkTensor4D(functionName, `weights.${name}.filter`, filter);
    const [kh, kw, , cout] = f.shape;
    if (bias != null) {
      const b = checkTensor(functionName, `weights.${name}.bias`, bias, 1, '[outChannels]');
      if (b.shape[0] !== cout) {
        throw new ShapeMismatchError({
          functionName,
          message: `weights.${name}.bias has ${b.shape[0]} values but its filter [${f.shape.join(', ')}] has ${cout} output channels`,
        });
      }
    }
    if (kernel === null) {
      kernel = [kh, kw];
      kernelSource = name;
    } else if (kernel[0] !== kh || kernel[1] !== kw) {
      throw new ShapeMismatchError({
        functionName,
        message: `weights.${name}.filter has a ${kh}×${kw} kernel but weights.${kernelSource}.filter has ${kernel[0]}×${kernel[1]}; all paths share one kernel size`,
      });
    }
    const known = outSource[to];
    if (known !== undefined && outChannels[to] !== cout) {
      throw new ShapeMismatchError({
        functionName,
        message: `weights.${name} and weights.${known} both produce the ${to} band but have ${cout} and ${outChannels[to]} output channels`,
      });
    }
    outChannels[to] = cout;
    outSource[to] = name;
    present[name] = true;
  }
  if (kernel === null) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'weights',
      value: weights,
      message: 'weights has no path; give at least one of hh, hl, lh, ll',
    });
  }
  return { present, kernel, outChannels };
}
