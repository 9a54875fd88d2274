import type * as tf from '@tensorflow/tfjs-core';
import { type KernelAlias, requireKernelAliases } from '../autograd/kernel-alias';
import { convolutionAliases, groupedConv2d } from '../conv/conv2d';
import { ShapeMismatchError } from '../errors/octconv-error';
import { checkOctaveTensor, type OctaveTensor, tidyOctave } from '../octave/octave-tensor';
import { DOWNSAMPLE, downsampleUnchecked } from '../resample/downsample';
import {
  canFuseUpsampleAdd,
  UPSAMPLE_ADD,
  UPSAMPLE_ALIASES,
  upsampleAddUnchecked,
  upsampleUnchecked,
} from '../resample/upsample';
import { channelsFirstHint } from '../shape/channels-first';
import { halfSize } from '../shape/conv-geometry';
import {
  type Band,
  OCTAVE_PATHS,
  type OctaveConvPlan,
  planOctaveConv,
} from '../shape/octave-conv-plan';
import { type OctaveConvOptions, resolveOctaveConvOptions } from '../shape/options';
import { ADD, addSameShape } from '../tensor/differentiable';
import { checkOctaveWeights, type OctaveConvWeights } from './octave-conv-weights';

/**
 * Validates everything `octaveConv2d` would be given and returns its plan (shapes and per-path
 * work) without creating a tensor.
 * @internal
 */
export function planOctaveConv2d(
  functionName: string,
  x: OctaveTensor,
  weights: OctaveConvWeights,
  options: OctaveConvOptions | undefined,
): OctaveConvPlan {
  const input = checkOctaveTensor(functionName, 'x', x);
  const layer = checkOctaveWeights(functionName, weights);
  const resolved = resolveOctaveConvOptions(functionName, options);
  const plan = planOctaveConv({
    functionName,
    batch: input.batch,
    size: input.size,
    inChannels: input.channels,
    outChannels: layer.outChannels,
    kernel: layer.kernel,
    options: resolved,
    present: layer.present,
  });
  for (const path of Object.values(plan.paths)) {
    if (path === null) continue;
    const filter = weights[path.name]!.filter;
    const expected = path.inChannels / path.groups;
    if (filter.shape[2] !== expected) {
      const depthwiseHint =
        filter.shape[2] === 1 && resolved.groups === 1
          ? ` (for a depthwise layer pass options.groups = ${input.channels.high + input.channels.low})`
          : '';
      throw new ShapeMismatchError({
        functionName,
        message: `weights.${path.name}.filter [${filter.shape.join(', ')}] expects ${filter.shape[2] * path.groups} ${path.from} input channels, but x.${path.from} has ${path.inChannels}${depthwiseHint}${channelsFirstHint(x[path.from]?.shape ?? [], filter.shape[2] * path.groups)}`,
      });
    }
  }
  return plan;
}

/** The kernel aliases a planned forward will run (and so must exist on the backend). */
function aliasesFor(
  plan: OctaveConvPlan,
  weights: OctaveConvWeights,
  fuseUp: boolean,
): KernelAlias[] {
  const aliases = new Set<KernelAlias>();
  const into = { high: 0, low: 0 };
  for (const path of Object.values(plan.paths)) {
    if (path === null) continue;
    const groupIn = weights[path.name]!.filter.shape[2];
    for (const alias of convolutionAliases(path.groups, path.inChannels, groupIn))
      aliases.add(alias);
    if (path.downsample > 0) aliases.add(DOWNSAMPLE);
    if (path.upsample && fuseUp) aliases.add(UPSAMPLE_ADD);
    else if (path.upsample) for (const alias of UPSAMPLE_ALIASES) aliases.add(alias);
    into[path.to] += 1;
  }
  if (into.high > 1 || into.low > 1) aliases.add(ADD);
  return [...aliases];
}

/**
 * Octave convolution (Chen et al., "Drop an Octave", ICCV 2019):
 * `Y_H = f_HH(X_H) + Up(f_LH(X_L))`, `Y_L = f_LL(X_L) + f_HL(Down(X_H))`, with Down the 2×2
 * average pool (ceil mode) and Up the nearest ×2 cropped to the high band, so odd sizes work.
 *
 * Which paths run follows from which weights are given; channel counts come from the filters and
 * are checked against the bands. Works for first layers (`x.low` null), last layers (no `hl`/`ll`
 * weights), stride 1 and 2 in both {@link StrideMode}s, padding, dilation, groups and depthwise.
 * Differentiable with respect to both bands, every filter and every bias on cpu, wasm and webgpu
 * with tfjs-core alone (its gradients are our own, registered under `Octconv*` kernel names).
 *
 * @param x `high` `[batch, h, w, cH]` and/or `low` `[batch, ceil(h/2), ceil(w/2), cL]`, float32.
 * @param weights Per-path `{ filter: [kh, kw, cin / groups, cout], bias?: [cout] }`.
 * @param options Stride, padding (default 1, the seed's), dilation, groups, stride mode.
 * @returns The output bands; a band no path produces is `null`.
 * @throws InvalidArgumentError / ShapeMismatchError before any tensor is created.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { octaveConv2d, octaveSplit, splitChannels } from '@octconv/core';
 *
 * // 64 → 64 channels at α = 0.5: 32 high channels at 56², 32 low channels at 28².
 * const x = octaveSplit(tf.randomNormal([1, 56, 56, 64]) as tf.Tensor4D, 0.5);
 * const { high: cH, low: cL } = splitChannels(64, 0.5);
 * const w = (cin: number, cout: number) => ({
 *   filter: tf.mul(tf.randomNormal([3, 3, cin, cout]), 0.05) as tf.Tensor4D,
 * });
 * const y = octaveConv2d(x, { hh: w(cH, cH), hl: w(cH, cL), lh: w(cL, cH), ll: w(cL, cL) });
 * console.log(y.high?.shape, y.low?.shape); // [1, 56, 56, 32] [1, 28, 28, 32]
 * ```
 */
export function octaveConv2d(
  x: OctaveTensor,
  weights: OctaveConvWeights,
  options?: OctaveConvOptions,
): OctaveTensor {
  const fn = 'octaveConv2d';
  const plan = planOctaveConv2d(fn, x, weights, options);
  // L→H joins H→H in one fused pass where the backend has it (an exactly doubled or cropped
  // nearest upsample of L→H's output, added).
  const lh = plan.paths.lh;
  const high = plan.output.high;
  const fuseUp =
    lh?.upsample === true &&
    plan.paths.hh !== null &&
    high !== null &&
    lh.convOutput[0] === halfSize(high[1]) &&
    lh.convOutput[1] === halfSize(high[2]) &&
    canFuseUpsampleAdd();
  requireKernelAliases(fn, aliasesFor(plan, weights, fuseUp));
  return tidyOctave(() => {
    // Pooled versions of the input bands, each computed once: at stride 2 in 'pool' mode, H→H
    // uses Down(X_H) and H→L uses Down(Down(X_H)).
    const pooled = new Map<string, tf.Tensor4D>();
    const source = (band: Band, times: number): tf.Tensor4D => {
      const key = `${band}${times}`;
      const cached = pooled.get(key);
      if (cached) return cached;
      const result = times === 0 ? x[band]! : downsampleUnchecked(source(band, times - 1), fn);
      pooled.set(key, result);
      return result;
    };
    const outputs: Record<Band, tf.Tensor4D | null> = { high: null, low: null };
    for (const { name } of OCTAVE_PATHS) {
      const path = plan.paths[name];
      if (path === null) continue;
      const { filter, bias } = weights[name]!;
      const geometry = { stride: path.stride, dilation: plan.dilation, pads: path.pads };
      const input = source(path.from, path.downsample);
      let y = groupedConv2d(input, filter, bias, path.groups, geometry, fn);
      const previous = outputs[path.to];
      if (path.upsample && fuseUp && previous) {
        outputs[path.to] = upsampleAddUnchecked(previous, y, fn);
        continue;
      }
      if (path.upsample) {
        const target = plan.output.high!;
        y = upsampleUnchecked(y, [target[1], target[2]], fn);
      }
      outputs[path.to] = previous ? addSameShape(previous, y, fn) : y;
    }
    return outputs;
  });
}
