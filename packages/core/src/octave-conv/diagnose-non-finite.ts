import * as tf from '@tensorflow/tfjs-core';
import { requireKernelAliases } from '../autograd/kernel-alias';
import { convolutionAliases, groupedConv2d } from '../conv/conv2d';
import type { OctaveTensor } from '../octave/octave-tensor';
import { DOWNSAMPLE, downsampleUnchecked } from '../resample/downsample';
import { UPSAMPLE_ALIASES, upsampleUnchecked } from '../resample/upsample';
import { type Band, OCTAVE_PATHS, type PathName } from '../shape/octave-conv-plan';
import type { OctaveConvOptions } from '../shape/options';
import type { OctaveConvWeights } from './octave-conv-weights';
import { planOctaveConv2d } from './octave-conv2d';

/** Where {@link diagnoseNonFinite} first met a NaN or ±Infinity. */
export interface NonFiniteReport {
  /** `input` (a band of `x`), `weights` (a filter or bias), `path` (a path's result before it is added), `output`. */
  stage: 'input' | 'weights' | 'path' | 'output';
  band?: Band;
  path?: PathName;
  /** `filter` or `bias`, for `weights`. */
  tensor?: 'filter' | 'bias';
  /** How many values are not finite there, and the first one (NaN, Infinity or -Infinity). */
  count: number;
  first: number;
}

async function nonFinite(tensor: tf.Tensor): Promise<{ count: number; first: number } | null> {
  const values = await tensor.data();
  let count = 0;
  let first = 0;
  for (const value of values as Float32Array) {
    if (!Number.isFinite(value)) {
      if (count === 0) first = value;
      count += 1;
    }
  }
  return count > 0 ? { count, first } : null;
}

/**
 * The debugging twin of {@link octaveConv2d}: runs the same layer step by step and reports the
 * first place a NaN or ±Infinity appears — an input band, a filter or bias, one path's result, or
 * an output band — or `null` when everything is finite. Non-finite values otherwise propagate as
 * in PyTorch (nothing is masked), so this is how to find where they come from. It downloads every
 * intermediate (async, works on WebGPU); use it while debugging, not in a hot loop.
 *
 * Note: tfjs-backend-wasm 4.22's XNNPACK convolution and pooling turn NaN into −Infinity; both
 * count as non-finite here.
 */
export async function diagnoseNonFinite(
  x: OctaveTensor,
  weights: OctaveConvWeights,
  options?: OctaveConvOptions,
): Promise<NonFiniteReport | null> {
  const fn = 'diagnoseNonFinite';
  const plan = planOctaveConv2d(fn, x, weights, options);
  for (const band of ['high', 'low'] as const) {
    const tensor = x[band];
    const found = tensor && (await nonFinite(tensor));
    if (found) return { stage: 'input', band, ...found };
  }
  for (const { name } of OCTAVE_PATHS) {
    const path = weights[name];
    if (!path) continue;
    for (const kind of ['filter', 'bias'] as const) {
      const tensor = path[kind];
      const found = tensor && (await nonFinite(tensor));
      if (found) return { stage: 'weights', path: name, tensor: kind, ...found };
    }
  }
  const aliases = new Set([DOWNSAMPLE, ...UPSAMPLE_ALIASES]);
  const outputs: Record<Band, tf.Tensor4D | null> = { high: null, low: null };
  try {
    for (const { name } of OCTAVE_PATHS) {
      const path = plan.paths[name];
      if (path === null) continue;
      const { filter, bias } = weights[name]!;
      for (const alias of convolutionAliases(path.groups, path.inChannels, filter.shape[2]))
        aliases.add(alias);
      requireKernelAliases(fn, [...aliases]);
      const y = tf.tidy(() => {
        let input = x[path.from]!;
        for (let i = 0; i < path.downsample; i++) input = downsampleUnchecked(input, fn);
        const geometry = { stride: path.stride, dilation: plan.dilation, pads: path.pads };
        let result = groupedConv2d(input, filter, bias, path.groups, geometry, fn);
        if (path.upsample)
          result = upsampleUnchecked(result, [plan.output.high![1], plan.output.high![2]], fn);
        return result;
      });
      const found = await nonFinite(y);
      if (found) {
        y.dispose();
        return { stage: 'path', path: name, band: path.to, ...found };
      }
      const previous = outputs[path.to];
      outputs[path.to] = previous ? tf.tidy(() => tf.add(previous, y) as tf.Tensor4D) : y;
      if (previous) {
        previous.dispose();
        y.dispose();
      }
    }
    for (const band of ['high', 'low'] as const) {
      const tensor = outputs[band];
      const found = tensor && (await nonFinite(tensor));
      if (found) return { stage: 'output', band, ...found };
    }
    return null;
  } finally {
    tf.dispose([outputs.high, outputs.low].filter((t): t is tf.Tensor4D => t !== null));
  }
}
