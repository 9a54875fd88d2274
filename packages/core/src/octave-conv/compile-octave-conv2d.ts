import * as tf from '@tensorflow/tfjs-core';
import { explicitPadding } from '../conv/conv-geometry-attrs';
import { groupedConv2d } from '../conv/conv2d';
import { formatValue } from '../errors/format-value';
import { InvalidArgumentError, ShapeMismatchError } from '../errors/octconv-error';
import { addActivation, poolConcat, upsampleAdd } from '../kernels/fused-ops';
import {
  transformFilter,
  type WinogradFilter,
  type WinogradTile,
  wasmThreads,
  winogradAvailable,
  winogradConv2d,
} from '../kernels/winograd';
import { winogradTileFor, winogradTilesFor } from '../kernels/winograd-rule';
import { checkOctaveTensor, type OctaveTensor, tidyOctave } from '../octave/octave-tensor';
import { upsampleUnchecked } from '../resample/upsample';
import { checkRecord } from '../shape/check-record';
import {
  type Band,
  OCTAVE_PATHS,
  type OctaveConvPlan,
  type OctavePathPlan,
  type PathName,
} from '../shape/octave-conv-plan';
import type { OctaveConvOptions } from '../shape/options';
import { checkOctaveWeights, type OctaveConvWeights } from './octave-conv-weights';
import { planOctaveConv2d } from './octave-conv2d';

/**
 * Activation fused into a compiled OctConv: none, ReLU, or ReLU6 (`min(max(x, 0), 6)`,
 * MobileNet v2's).
 */
export type Activation = 'linear' | 'relu' | 'relu6';

/**
 * How a compiled OctConv runs its 3×3, stride-1, dilation-1 convolutions on wasm:
 * - `true` (the default): a rule measured per layer (channels, size, threads) chooses between
 *   XNNPACK's direct convolution and Winograd F(2×2,3×3), whose results differ from the direct
 *   convolution's by float32 rounding of the same order;
 * - `'fast'`: the same rule, also allowed F(4×4,3×3): fewer multiplications, a few bits less
 *   accurate (about 1e-5 relative per layer; a whole Oct-ResNet-50's logits moved by up to
 *   1.25× the PyTorch-parity tolerance of 2e-4);
 * - `false`: the direct convolution everywhere;
 * - `'2x2'` / `'4x4'`: that Winograd tile wherever it applies, whatever the rule says (for
 *   testing and measuring).
 * Other backends always run direct convolutions.
 */
export type WinogradOption = boolean | 'fast' | '2x2' | '4x4';

/** Options of {@link compileOctaveConv2d}: the OctConv's own, plus a fused activation. */
export interface CompileOctaveConvOptions extends OctaveConvOptions {
  /** Applied to each output band after the sum (and the residual, if any). Default `'linear'`. */
  activation?: Activation;
  /**
   * Winograd minimal filtering for 3×3 stride-1 convolutions on wasm: default `true`, F(2×2,3×3)
   * where a measured rule says it is faster; `'fast'` also allows F(4×4,3×3); `false` turns it
   * off. See {@link WinogradOption}.
   */
  winograd?: WinogradOption;
}

/** An OctConv prepared for inference by {@link compileOctaveConv2d}. */
export interface CompiledOctaveConv {
  /** Channels of each band, in and out. */
  readonly channels: {
    in: { high: number; low: number };
    out: { high: number; low: number };
  };
  /**
   * `act(octaveConv2d(x) + bias + residual)` per band. `residual`, when given, must have the
   * output's shapes (a ResNet shortcut). Not differentiable: train with {@link octaveConv2d}.
   * @throws InvalidArgumentError / ShapeMismatchError before any tensor is created, and
   *   InvalidArgumentError after {@link CompiledOctaveConv.dispose}.
   */
  apply(x: OctaveTensor, residual?: OctaveTensor | null): OctaveTensor;
  /** Frees the compiled weights; `apply` throws afterwards. Idempotent. */
  dispose(): void;
  /** Whether {@link CompiledOctaveConv.dispose} was called. */
  readonly disposed: boolean;
}

const COMPILE_KEYS = [
  'stride',
  'padding',
  'dilation',
  'groups',
  'strideMode',
  'activation',
  'winograd',
];

function sameGeometry(a: OctavePathPlan, b: OctavePathPlan): boolean {
  return (
    a.stride === b.stride &&
    a.groups === 1 &&
    b.groups === 1 &&
    a.pads.top === b.pads.top &&
    a.pads.bottom === b.pads.bottom &&
    a.pads.left === b.pads.left &&
    a.pads.right === b.pads.right &&
    a.downsample === b.downsample + 1
  );
}

/**
 * Compiles an OctConv for inference: takes its own handles on the filters once (no copy; the same
 * filter data every call, so tfjs-backend-wasm's XNNPACK keeps the operators it prepared and
 * caches per filter), sums the biases of the paths into each band,
 * and concatenates the filters of paths that share an output band and a resolution (H→L with L→L,
 * and at stride 2 in `'pool'` mode H→H with L→H), so that each becomes one wider convolution on
 * the pooled high band and the low band side by side.
 *
 * Each call then runs at most three convolutions, each with its bias (and the activation, where
 * nothing is added after it) fused in, plus two fused element-wise steps: "pool + concat" and
 * "upsample + add (+ residual) + activation". On wasm those are WebAssembly SIMD loops over tfjs's
 * heap, on webgpu one WGSL dispatch each, elsewhere tfjs ops computing the same values. Channel
 * concat/slice never runs on the feature maps.
 *
 * The compiled layer is a snapshot: later changes to `weights` (a variable's `assign`) do not reach
 * it, and the caller may dispose them (tfjs counts references to the data). Results equal `octaveConv2d` followed by the bias and activation, to float32
 * rounding (the sums are associated differently).
 *
 * @param weights As for {@link octaveConv2d}; biases are optional per path.
 * @param options As for {@link octaveConv2d}, plus `activation`.
 * @throws InvalidArgumentError / ShapeMismatchError for invalid weights or options.
 */
export function compileOctaveConv2d(
  weights: OctaveConvWeights,
  options?: CompileOctaveConvOptions,
): CompiledOctaveConv {
  const fn = 'compileOctaveConv2d';
  const {
    activation = 'linear',
    winograd = true,
    ...convOptions
  } = checkRecord(fn, 'options', options ?? {}, COMPILE_KEYS, 'option') as CompileOctaveConvOptions;
  if (activation !== 'linear' && activation !== 'relu' && activation !== 'relu6') {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'options.activation',
      value: activation,
      message: `options.activation must be 'linear', 'relu' or 'relu6', got ${formatValue(activation)}`,
    });
  }
  if (![true, false, 'fast', '2x2', '4x4'].includes(winograd)) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'options.winograd',
      value: winograd,
      message: `options.winograd must be true, false, 'fast', '2x2' or '4x4', got ${formatValue(winograd)}`,
    });
  }
  const layer = checkOctaveWeights(fn, weights);
  // Validates the options now (a plan with a nominal input), not at the first call.
  const inChannels = { high: 0, low: 0 };
  const groups = convOptions.groups ?? 1;
  const given = OCTAVE_PATHS.filter((p) => weights[p.name]);
  // Depthwise (groups = all input channels, one input channel per group, H→H and L→L only): each
  // band keeps its share of the groups, `out / multiplier` channels.
  const outTotal = given.reduce((sum, p) => sum + weights[p.name]!.filter.shape[3], 0);
  const depthwiseLayer =
    groups > 1 &&
    given.every((p) => p.from === p.to && weights[p.name]!.filter.shape[2] === 1) &&
    outTotal % groups === 0;
  for (const { name, from } of given) {
    const filter = weights[name]!.filter;
    inChannels[from] = depthwiseLayer
      ? filter.shape[3] / (outTotal / groups)
      : filter.shape[2] * groups;
  }
  // The fused element-wise steps clamp at 0; ReLU6 also caps their result at 6.
  const relu = activation !== 'linear';
  const cap = activation === 'relu6';
  const owned: tf.Tensor[] = [];
  const own = <T extends tf.Tensor>(t: T): T => {
    owned.push(t);
    return tf.keep(t);
  };
  const filters: Partial<Record<PathName, tf.Tensor4D>> = {};
  // Depthwise paths (input depth 1 per group, as PyTorch stores them) in tfjs's depthwise layout
  // `[kh, kw, channels, multiplier]`, reshaped once here; the same order, so no copy.
  const depthwiseFilters: Partial<Record<PathName, tf.Tensor4D>> = {};
  const biases: Record<Band, tf.Tensor1D | null> = { high: null, low: null };
  const concatenated: Record<Band, tf.Tensor4D | null> = { high: null, low: null };
  tf.tidy(() => {
    for (const { name } of OCTAVE_PATHS) {
      const path = weights[name];
      // A reshape is a new handle on the same data (no copy; tfjs counts references).
      if (path) filters[name] = own(tf.reshape(path.filter, path.filter.shape) as tf.Tensor4D);
      const [kh, kw, , outChannels] = path?.filter.shape ?? [0, 0, 0, 0];
      const channels = inChannels[OCTAVE_PATHS.find((p) => p.name === name)!.from];
      if (path && depthwiseLayer && Number.isInteger(channels) && channels > 0) {
        depthwiseFilters[name] = own(
          tf.reshape(path.filter, [kh, kw, channels, outChannels / channels]) as tf.Tensor4D,
        );
      }
    }
    for (const band of ['high', 'low'] as const) {
      const into = OCTAVE_PATHS.filter((p) => p.to === band && weights[p.name]?.bias);
      if (into.length > 0) {
        const sum = into.map((p) => weights[p.name]!.bias!).reduce((a, b) => tf.add(a, b));
        biases[band] = own(into.length === 1 ? (tf.reshape(sum, sum.shape) as tf.Tensor1D) : sum);
      }
    }
    if (groups === 1 && filters.hl && filters.ll) {
      concatenated.low = own(tf.concat([filters.hl, filters.ll], 2));
    }
    if (
      groups === 1 &&
      convOptions.stride === 2 &&
      (convOptions.strideMode ?? 'pool') === 'pool' &&
      filters.hh &&
      filters.lh
    ) {
      concatenated.high = own(tf.concat([filters.hh, filters.lh], 2));
    }
  });
  const ownWeights: OctaveConvWeights = {};
  for (const { name } of OCTAVE_PATHS) {
    if (filters[name]) ownWeights[name] = { filter: filters[name]! };
  }
  // Winograd: each 3×3 filter that a stride-1 convolution uses (a band's concatenated filters in
  // place of the paths they join), transformed now for every tile the option or the rule may
  // pick for it at some input size; a call whose tile was not prepared runs the direct
  // convolution.
  const forcedTile: WinogradTile | null = winograd === '2x2' ? 2 : winograd === '4x4' ? 4 : null;
  const transformed = new Map<string, WinogradFilter>();
  const strideOne =
    (convOptions.stride ?? 1) === 1 || (convOptions.strideMode ?? 'pool') === 'pool';
  if (
    winograd !== false &&
    groups === 1 &&
    (convOptions.dilation ?? 1) === 1 &&
    strideOne &&
    winogradAvailable()
  ) {
    const threads = wasmThreads();
    const candidates: [string, tf.Tensor4D][] = [];
    for (const band of ['high', 'low'] as const) {
      if (concatenated[band]) candidates.push([band, concatenated[band]!]);
    }
    for (const { name, to } of OCTAVE_PATHS) {
      if (filters[name] && !concatenated[to]) candidates.push([name, filters[name]!]);
    }
    for (const [key, filter] of candidates) {
      const [kh, kw, filterIn, filterOut] = filter.shape;
      if (kh !== 3 || kw !== 3) continue;
      const tiles = forcedTile
        ? [forcedTile]
        : winogradTilesFor(filterIn, filterOut, threads, winograd === 'fast');
      for (const tile of tiles) {
        const prepared = transformFilter(filter, tile);
        for (const point of prepared.points) own(point);
        transformed.set(`${key}|${tile}`, prepared);
      }
    }
  }
  const plans = new Map<string, OctaveConvPlan>();
  let disposed = false;

  const planFor = (x: OctaveTensor): OctaveConvPlan => {
    const key = `${x.high?.shape ?? '-'}|${x.low?.shape ?? '-'}`;
    let plan = plans.get(key);
    if (plan === undefined) {
      plan = planOctaveConv2d(fn, x, ownWeights, convOptions);
      plans.set(key, plan);
    }
    return plan;
  };

  /** One convolution; `key` names its filter (a path, or a band's concatenated filters). */
  const convolve = (
    input: tf.Tensor4D,
    filter: tf.Tensor4D,
    key: string,
    bias: tf.Tensor1D | null,
    path: OctavePathPlan,
    plan: OctaveConvPlan,
    act: Activation,
  ): tf.Tensor4D => {
    const fast = winogradFor(key, filter, path, plan, input);
    if (fast) return winogradConv2d(input, fast, path.pads, { bias, activation: act });
    const attrs = {
      strides: [path.stride, path.stride],
      pad: explicitPadding(path.pads),
      dataFormat: 'NHWC',
      dilations: [plan.dilation, plan.dilation],
      activation: act,
      leakyreluAlpha: 0,
    } as unknown as tf.NamedAttrMap;
    const depthwise = depthwiseFilters[path.name];
    if (path.groups !== 1 && depthwise && path.groups === path.inChannels) {
      // A depthwise path: one fused kernel with its bias and activation, as the dense ones.
      const inputs: tf.NamedTensorMap = bias
        ? { x: input, filter: depthwise, bias }
        : { x: input, filter: depthwise };
      return tf.engine().runKernel('FusedDepthwiseConv2D', inputs, attrs) as tf.Tensor4D;
    }
    if (path.groups !== 1) {
      const y = groupedConv2d(
        input,
        filter,
        bias,
        path.groups,
        { stride: path.stride, dilation: plan.dilation, pads: path.pads },
        fn,
      );
      return act === 'relu' ? tf.relu(y) : act === 'relu6' ? tf.relu6(y) : y;
    }
    const inputs: tf.NamedTensorMap = bias ? { x: input, filter, bias } : { x: input, filter };
    return tf.engine().runKernel('FusedConv2D', inputs, attrs) as tf.Tensor4D;
  };
  /**
   * The transformed filter when this dense 3×3 stride-1 convolution runs as Winograd here (wasm
   * with SIMD, and the option or the measured rule picks a tile that was prepared), else null.
   */
  const winogradFor = (
    key: string,
    filter: tf.Tensor4D,
    path: OctavePathPlan,
    plan: OctaveConvPlan,
    input: tf.Tensor4D,
  ): WinogradFilter | null => {
    if (
      transformed.size === 0 ||
      path.groups !== 1 ||
      path.stride !== 1 ||
      plan.dilation !== 1 ||
      !winogradAvailable()
    ) {
      return null;
    }
    const [batch, height, width] = input.shape;
    const tile =
      forcedTile ??
      winogradTileFor(
        {
          inChannels: filter.shape[2],
          outChannels: filter.shape[3],
          height: height + path.pads.top + path.pads.bottom - 2,
          width: width + path.pads.left + path.pads.right - 2,
          batch,
        },
        wasmThreads(),
        winograd === 'fast',
      );
    return tile === 0 ? null : (transformed.get(`${key}|${tile}`) ?? null);
  };

  /** ReLU6's cap after a fused step that clamped at 0 only. */
  const capped = (y: tf.Tensor4D): tf.Tensor4D => (cap ? tf.minimum(y, 6) : y);

  return {
    channels: { in: inChannels, out: layer.outChannels },
    get disposed() {
      return disposed;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      tf.dispose(owned);
    },
    apply(x: OctaveTensor, residual?: OctaveTensor | null): OctaveTensor {
      const name = 'CompiledOctaveConv.apply';
      if (disposed) {
        throw new InvalidArgumentError({
          functionName: name,
          argument: 'this',
          value: 'disposed',
          message: 'this compiled OctConv has been disposed',
        });
      }
      const plan = planFor(x);
      if (residual != null) {
        checkOctaveTensor(name, 'residual', residual);
        for (const band of ['high', 'low'] as const) {
          const want = plan.output[band];
          const got = residual[band]?.shape ?? null;
          if (String(want) !== String(got)) {
            throw new ShapeMismatchError({
              functionName: name,
              message: `residual.${band} is ${got ? `[${got.join(', ')}]` : 'null'} but the output's ${band} band is ${want ? `[${want.join(', ')}]` : 'null'}`,
            });
          }
        }
      }
      return tidyOctave(() => {
        const pooled = new Map<string, tf.Tensor4D>();
        const source = (band: Band, times: number): tf.Tensor4D => {
          const key = `${band}${times}`;
          let result = pooled.get(key);
          if (result === undefined) {
            result = times === 0 ? x[band]! : poolConcat(source(band, times - 1), null);
            pooled.set(key, result);
          }
          return result;
        };
        /** One path's own convolution, on its (pooled) source band. */
        const path = (p: OctavePathPlan, bias: tf.Tensor1D | null, act: Activation) =>
          convolve(source(p.from, p.downsample), filters[p.name]!, p.name, bias, p, plan, act);
        const output: OctaveTensor = { high: null, low: null };
        for (const band of ['high', 'low'] as const) {
          const into = OCTAVE_PATHS.map((p) => plan.paths[p.name]).filter(
            (p): p is OctavePathPlan => p !== null && p.to === band,
          );
          if (into.length === 0) continue;
          const direct = into.filter((p) => !p.upsample);
          const up = into.find((p) => p.upsample);
          const extra = residual?.[band] ?? null;
          // The activation goes on the last step that produces the band.
          const actOnDirect: Activation = !up && !extra ? activation : 'linear';
          let y: tf.Tensor4D | null = null;
          const fromHigh = direct.find((p) => p.from === 'high');
          const fromLow = direct.find((p) => p.from === 'low');
          // Winograd's output step adds what follows (L→H upsampled, the residual) and applies
          // the activation itself.
          const fusedWinograd = (
            input: tf.Tensor4D,
            fast: WinogradFilter,
            p: OctavePathPlan,
          ): tf.Tensor4D =>
            winogradConv2d(input, fast, p.pads, {
              bias: biases[band],
              residual: extra,
              up: up ? path(up, null, 'linear') : null,
              activation,
            });
          if (fromHigh && fromLow && concatenated[band] && sameGeometry(fromHigh, fromLow)) {
            const input = poolConcat(
              source('high', fromHigh.downsample - 1),
              source('low', fromLow.downsample),
            );
            const filter = concatenated[band]!;
            const fast = winogradFor(band, filter, fromLow, plan, input);
            if (fast) {
              output[band] = fusedWinograd(input, fast, fromLow);
              input.dispose();
              continue;
            }
            y = convolve(input, filter, band, biases[band], fromLow, plan, actOnDirect);
            // Transient buffers are freed as soon as they are read, not when the tidy ends: the
            // peak of a call is then its outputs plus one band's steps, not every step at once.
            input.dispose();
          } else if (direct.length === 1) {
            const [only] = direct as [OctavePathPlan];
            const input = source(only.from, only.downsample);
            const fast = winogradFor(only.name, filters[only.name]!, only, plan, input);
            if (fast) {
              output[band] = fusedWinograd(input, fast, only);
              continue;
            }
            y = path(only, biases[band], actOnDirect);
          } else if (direct.length > 0) {
            const [first, second] = direct as [OctavePathPlan, OctavePathPlan | undefined];
            y = path(first, biases[band], second ? 'linear' : actOnDirect);
            if (second) {
              const both = actOnDirect !== 'linear';
              const other = path(second, null, 'linear');
              const sum = addActivation(y, other, both);
              tf.dispose([y, other]);
              y = both ? capped(sum) : sum;
              if (y !== sum) sum.dispose();
            }
          }
          if (up && y) {
            // L→H's output, upsampled, and the residual join H→H's in one pass.
            const lifted = path(up, null, 'linear');
            const sum = upsampleAdd(y, lifted, relu, extra);
            tf.dispose([y, lifted]);
            output[band] = capped(sum);
            if (output[band] !== sum) sum.dispose();
            continue;
          }
          if (up) {
            // Only L→H feeds the band. Nearest upsampling commutes with a per-channel bias and
            // with ReLU.
            const target = plan.output.high!;
            y = upsampleUnchecked(
              path(up, biases[band], extra ? 'linear' : activation),
              [target[1], target[2]],
              fn,
            );
          }
          output[band] = extra ? capped(addActivation(y!, extra, relu)) : y;
        }
        return output;
      });
    },
  };
}
