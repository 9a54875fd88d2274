import {
  type Activation,
  type BandShapes,
  type CompiledOctaveConv,
  checkOctaveTensor,
  checkTensor4D,
  compileOctaveConv2d,
  downsample,
  globalAvgPool,
  InvalidArgumentError,
  maxPool2d,
  type OctaveConvWeights,
  type OctaveTensor,
  splitChannels,
  tidyOctave,
  upsample,
  type WinogradOption,
} from '@octconv/core';
import * as tf from '@tensorflow/tfjs-core';
import { OctaveConvBlock } from '../blocks/octave-conv-block';
import type { BatchNorm2d } from '../layers/batch-norm2d';
import { Conv2d } from '../layers/conv2d';
import type { Linear } from '../layers/linear';
import type { OctaveBatchNorm2d } from '../layers/octave-batch-norm2d';
import {
  FirstOctaveConv,
  LastOctaveConv,
  OctaveConv2d,
  type OctaveConvLayer,
} from '../layers/octave-conv2d';
import type { Module } from '../module/module';
import { MiniOctNet } from '../networks/mini-oct-net';
import {
  OctaveDepthwiseSeparable,
  OctaveInvertedResidual,
  OctMobileNetV1,
  OctMobileNetV2,
} from '../networks/oct-mobilenet';
import { OctaveBottleneck, OctResNet } from '../networks/oct-resnet';

/**
 * A module compiled for inference by {@link compileForInference}: batch norm folded into the
 * convolutions, bias and ReLU fused, filters prepared once. A snapshot: later changes to the
 * module's weights do not reach it.
 */
export interface InferenceModel<Input, Output> {
  /** The compiled module's class name. */
  readonly moduleName: string;
  /**
   * The eval-mode forward of the module, to float32 rounding. Validates `x` as the module's
   * `apply` does (typed errors, nothing created). Not differentiable.
   */
  apply(x: Input): Output;
  /** Frees the compiled weights; `apply` throws afterwards. Idempotent. */
  dispose(): void;
  /** Whether {@link InferenceModel.dispose} was called. */
  readonly disposed: boolean;
}

type BandNorms = { high: BatchNorm2d | null; low: BatchNorm2d | null };

/** Options of {@link compileForInference}. */
export interface CompileForInferenceOptions {
  /**
   * Winograd minimal filtering for the 3×3 stride-1 convolutions on wasm: `true` (the default)
   * F(2×2,3×3) where a rule measured per layer says it is faster than the direct convolution
   * (results within float32 rounding of the direct path's); `'fast'` also allows F(4×4,3×3)
   * (faster, a few bits less accurate: an Oct-ResNet-50's logits moved by up to 3.5e-4 from
   * PyTorch's); `false` the direct convolution everywhere; `'2x2'` / `'4x4'` force a tile. See
   * `WinogradOption` of `@octconv/core`.
   */
  winograd?: WinogradOption;
}

/** Runs `build` and disposes the temporaries it made; what it kept (tf.keep) survives. */
function withTemporaries<T>(build: () => T): T {
  let result: T | undefined;
  tf.tidy(() => {
    result = build();
  });
  return result as T;
}

/**
 * Folds eval-mode batch norm (one per output band) into an OctConv's weights:
 * `W' = W · γ/√(σ² + ε)` per output channel, and the band's bias `(b − μ) · γ/√(σ² + ε) + β`
 * on its first path. Returns new tensors (the caller compiles then disposes them).
 */
function foldedWeights(weights: OctaveConvWeights, norms: BandNorms): OctaveConvWeights {
  const folded: OctaveConvWeights = {};
  const shifted = { high: false, low: false };
  for (const name of ['hh', 'hl', 'lh', 'll'] as const) {
    const path = weights[name];
    if (!path) continue;
    const band = name[1] === 'h' ? 'high' : 'low';
    const bn = norms[band];
    if (bn === null) {
      folded[name] = { filter: path.filter, bias: path.bias ?? null };
      continue;
    }
    const scale = tf.div(bn.weight, tf.sqrt(tf.add(bn.runningVar, bn.eps))) as tf.Tensor1D;
    const filter = tf.mul(path.filter, scale) as tf.Tensor4D;
    let bias: tf.Tensor1D | null = path.bias ? (tf.mul(path.bias, scale) as tf.Tensor1D) : null;
    if (!shifted[band]) {
      // The band's shift goes on one path only: the compiled layer sums the paths' biases.
      shifted[band] = true;
      const shift = tf.sub(bn.bias, tf.mul(bn.runningMean, scale)) as tf.Tensor1D;
      bias = bias ? (tf.add(bias, shift) as tf.Tensor1D) : shift;
    }
    folded[name] = { filter, bias };
  }
  return folded;
}

function compileLayer(
  layer: OctaveConvLayer<unknown, unknown>,
  norms: BandNorms,
  activation: Activation,
  winograd: WinogradOption,
): CompiledOctaveConv {
  return withTemporaries(() =>
    compileOctaveConv2d(foldedWeights(layer.weights(), norms), {
      ...layer.convOptions(),
      activation,
      winograd,
    }),
  );
}

function octaveNorms(bn: OctaveBatchNorm2d): BandNorms {
  return { high: bn.bnH, low: bn.bnL };
}

/** A plain `Conv2d` (+ batch norm) as a one-band compiled OctConv. */
function compileConv(
  conv: Conv2d,
  bn: BatchNorm2d | null,
  activation: Activation,
  winograd: WinogradOption,
) {
  return withTemporaries(() =>
    compileOctaveConv2d(
      foldedWeights(
        {
          hh: { filter: conv.weight as tf.Tensor4D, bias: conv.bias as tf.Tensor1D | null },
        },
        { high: bn, low: null },
      ),
      {
        stride: conv.stride as 1 | 2,
        padding: conv.padding,
        dilation: conv.dilation,
        groups: conv.groups,
        // A plain convolution's stride is the convolution's own.
        strideMode: 'conv',
        activation,
        winograd,
      },
    ),
  );
}

/** A new tensor on `t`'s data: a reshape never copies (tfjs counts references to the data). */
function handle<T extends tf.Tensor>(t: T): T {
  return tf.reshape(t, t.shape as number[]) as T;
}

/** A `Linear` layer's weights (own handles): `x · W + b`. */
function copyLinear(linear: Linear): { apply(x: tf.Tensor2D): tf.Tensor2D; dispose(): void } {
  const weight = tf.keep(handle(linear.weight)) as tf.Tensor2D;
  const bias = linear.bias ? (tf.keep(handle(linear.bias)) as tf.Tensor1D) : null;
  return {
    apply: (x) => tf.tidy(() => (bias ? tf.add(tf.matMul(x, weight), bias) : tf.matMul(x, weight))),
    dispose: () => tf.dispose(bias ? [weight, bias] : [weight]),
  };
}

/**
 * MiniOctNet's stem (conv + batch norm + ReLU) followed by `octaveSplit`, as one compiled
 * convolution per band: the first `split.high` output channels, and the rest average-pooled.
 */
function compileSplitStem(
  conv: Conv2d,
  bn: BatchNorm2d,
  split: { high: number; low: number },
  winograd: WinogradOption,
): { apply(x: tf.Tensor4D): OctaveTensor; dispose(): void } {
  const band = (start: number, count: number) =>
    count === 0
      ? null
      : withTemporaries(() => {
          const folded = foldedWeights(
            { hh: { filter: conv.weight as tf.Tensor4D, bias: conv.bias as tf.Tensor1D | null } },
            { high: bn, low: null },
          ).hh!;
          const filter = tf.slice(folded.filter, [0, 0, 0, start], [-1, -1, -1, count]);
          const bias = tf.slice(folded.bias!, [start], [count]);
          return compileOctaveConv2d(
            { hh: { filter, bias } },
            {
              stride: conv.stride as 1 | 2,
              padding: conv.padding,
              dilation: conv.dilation,
              groups: conv.groups,
              strideMode: 'conv',
              activation: 'relu',
              winograd,
            },
          );
        });
  const high = band(0, split.high);
  const low = band(split.high, split.low);
  return {
    apply: (x) =>
      tidyOctave(() => ({
        high: high ? high.apply({ high: x, low: null }).high : null,
        low: low ? downsample(low.apply({ high: x, low: null }).high!) : null,
      })),
    dispose: () => {
      high?.dispose();
      low?.dispose();
    },
  };
}

/** A `Linear` over `concat(h, l)` as `h·W[:split] + l·W[split:] + b`, weights split once. */
function splitLinear(
  linear: Linear,
  split: number,
): {
  apply(high: tf.Tensor2D | null, low: tf.Tensor2D | null): tf.Tensor2D;
  dispose(): void;
} {
  const inFeatures = linear.weight.shape[0]!;
  const part = (start: number, count: number) =>
    count === 0 ? null : (tf.keep(tf.slice(linear.weight, [start, 0], [count, -1])) as tf.Tensor2D);
  const weights = { high: part(0, split), low: part(split, inFeatures - split) };
  const bias = linear.bias ? (tf.keep(handle(linear.bias)) as tf.Tensor1D) : null;
  return {
    apply: (high, low) =>
      tf.tidy(() => {
        const terms = [
          ...(high && weights.high ? [tf.matMul(high, weights.high)] : []),
          ...(low && weights.low ? [tf.matMul(low, weights.low)] : []),
          ...(bias ? [bias] : []),
        ];
        return terms.reduce((sum, term) => tf.add(sum, term)) as tf.Tensor2D;
      }),
    dispose: () => tf.dispose([weights.high, weights.low, bias].filter((t) => t !== null)),
  };
}

interface Bottleneck {
  conv1: CompiledOctaveConv;
  conv2: CompiledOctaveConv;
  conv3: CompiledOctaveConv;
  downsample: CompiledOctaveConv | null;
}

function compileBottleneck(block: OctaveBottleneck, winograd: WinogradOption): Bottleneck {
  return {
    conv1: compileLayer(block.conv1, octaveNorms(block.bn1), 'relu', winograd),
    conv2: compileLayer(block.conv2, octaveNorms(block.bn2), 'relu', winograd),
    conv3: compileLayer(block.conv3, octaveNorms(block.bn3), 'relu', winograd),
    downsample:
      block.downsampleConv && block.downsampleBn
        ? compileLayer(block.downsampleConv, octaveNorms(block.downsampleBn), 'linear', winograd)
        : null,
  };
}

function runBottleneck(block: Bottleneck, x: OctaveTensor): OctaveTensor {
  return tidyOctave(() => {
    const shortcut = block.downsample ? block.downsample.apply(x) : x;
    const out = block.conv2.apply(block.conv1.apply(x));
    // ReLU(bn3(conv3(out)) + shortcut), with the addition and ReLU fused into conv3's last step.
    return block.conv3.apply(out, shortcut);
  });
}

function bottleneckParts(block: Bottleneck): CompiledOctaveConv[] {
  return [block.conv1, block.conv2, block.conv3, ...(block.downsample ? [block.downsample] : [])];
}

/** A compiled Oct-MobileNet block: its OctConvs, batch norm folded, activations fused. */
interface MobileNetBlock {
  convs: CompiledOctaveConv[];
  /** v2: conv3 adds the block's input inside its last step. */
  residual: boolean;
}

function compileMobileNetBlock(
  block: OctaveDepthwiseSeparable | OctaveInvertedResidual,
  winograd: WinogradOption,
): MobileNetBlock {
  const convs: CompiledOctaveConv[] = [];
  try {
    if (block instanceof OctaveDepthwiseSeparable) {
      convs.push(compileLayer(block.conv1, octaveNorms(block.bn1), 'relu', winograd));
      convs.push(compileLayer(block.conv2, octaveNorms(block.bn2), 'relu', winograd));
      return { convs, residual: false };
    }
    convs.push(compileLayer(block.conv1, octaveNorms(block.bn1), 'relu6', winograd));
    convs.push(compileLayer(block.conv2, octaveNorms(block.bn2), 'relu6', winograd));
    convs.push(compileLayer(block.conv3, octaveNorms(block.bn3), 'linear', winograd));
    return { convs, residual: block.useShortcut };
  } catch (error) {
    for (const conv of convs) conv.dispose();
    throw error;
  }
}

function runMobileNetBlock(block: MobileNetBlock, x: OctaveTensor): OctaveTensor {
  return tidyOctave(() => {
    const [first, ...rest] = block.convs as [CompiledOctaveConv, ...CompiledOctaveConv[]];
    let out = first.apply(x);
    rest.forEach((conv, index) => {
      const last = index === rest.length - 1;
      // v2: bn3(conv3(out)) + x, the addition fused into conv3's last step.
      out = conv.apply(out, last && block.residual ? x : null);
    });
    return out;
  });
}

/** Any module {@link compileForInference} accepts. */
export type CompilableModule =
  | Conv2d
  | OctaveConv2d
  | FirstOctaveConv
  | LastOctaveConv
  | OctaveConvBlock
  | OctaveBottleneck
  | MiniOctNet
  | OctResNet
  | OctMobileNetV1
  | OctMobileNetV2
  | OctaveDepthwiseSeparable
  | OctaveInvertedResidual;

/**
 * Compiles a network (MiniOctNet, an Oct-ResNet or an Oct-MobileNet) for fast inference: image
 * in, logits out. The other signatures compile single layers and blocks the same way.
 *
 * Batch norm, in its eval form (running statistics), is folded into the preceding convolution's
 * filters and bias; biases and ReLU are fused into the convolutions; each OctConv runs as
 * `compileOctaveConv2d` of `@octconv/core` does (three convolutions at most, fused "pool +
 * concat" and "upsample + add + ReLU" steps as WebAssembly SIMD or WGSL kernels); a ResNet
 * shortcut is added inside the last step of `conv3`. The result equals the module's eval-mode
 * `apply` to float32 rounding.
 *
 * On wasm, 3×3 stride-1 convolutions run as Winograd F(2×2,3×3) where a rule measured per layer
 * says that is faster (`options.winograd`: `'fast'` also allows F(4×4,3×3), `false` keeps the
 * direct convolution everywhere).
 *
 * The module must be in eval mode (`module.eval()`): a compiled model has no batch statistics
 * to update. The model owns copies of everything it needs; dispose it when done.
 *
 * @throws InvalidArgumentError for invalid options, a module in training mode, a disposed module,
 *   or a module kind that cannot be compiled (containers of your own: compile their layers instead).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { compileForInference, MiniOctNet } from '@octconv/models';
 *
 * const net = new MiniOctNet({ numClasses: 10, alpha: 0.5, random: 1 }).eval();
 * const fast = compileForInference(net); // a snapshot: later weight changes don't reach it
 * const logits = fast.apply(tf.randomNormal([8, 32, 32, 3]) as tf.Tensor4D); // [8, 10]
 * fast.dispose(); // the compiled copies of the weights; `net` is unchanged
 * ```
 */
export function compileForInference(
  module: MiniOctNet | OctResNet | OctMobileNetV1 | OctMobileNetV2,
  options?: CompileForInferenceOptions,
): InferenceModel<tf.Tensor4D, tf.Tensor2D>;
/** A plain convolution: image in, image out. */
export function compileForInference(
  module: Conv2d,
  options?: CompileForInferenceOptions,
): InferenceModel<tf.Tensor4D, tf.Tensor4D>;
/** A network's first OctConv (α_in = 0): a plain image in, both bands out. */
export function compileForInference(
  module: FirstOctaveConv,
  options?: CompileForInferenceOptions,
): InferenceModel<tf.Tensor4D, OctaveTensor>;
/** A network's last OctConv (α_out = 0): both bands in, a plain image out. */
export function compileForInference(
  module: LastOctaveConv,
  options?: CompileForInferenceOptions,
): InferenceModel<OctaveTensor, tf.Tensor4D>;
/** An OctConv layer or block between the first and the last: both bands in and out. */
export function compileForInference(
  module:
    | OctaveConv2d
    | OctaveConvBlock
    | OctaveBottleneck
    | OctaveDepthwiseSeparable
    | OctaveInvertedResidual,
  options?: CompileForInferenceOptions,
): InferenceModel<OctaveTensor, OctaveTensor>;
/** Any compilable module, when its kind is known only at run time. */
export function compileForInference(
  module: CompilableModule,
  options?: CompileForInferenceOptions,
): InferenceModel<unknown, unknown>;
export function compileForInference(
  module: CompilableModule,
  options: CompileForInferenceOptions = {},
): InferenceModel<unknown, unknown> {
  const fn = 'compileForInference';
  const given = module as unknown;
  const name =
    given && typeof given === 'object' && 'moduleName' in given
      ? String((given as Module).moduleName)
      : typeof given;
  const fail = (message: string): never => {
    throw new InvalidArgumentError({ functionName: fn, argument: 'module', value: name, message });
  };
  if (
    !(
      given instanceof Conv2d ||
      given instanceof OctaveConv2d ||
      given instanceof FirstOctaveConv ||
      given instanceof LastOctaveConv ||
      given instanceof OctaveConvBlock ||
      given instanceof OctaveBottleneck ||
      given instanceof MiniOctNet ||
      given instanceof OctResNet ||
      given instanceof OctMobileNetV1 ||
      given instanceof OctMobileNetV2 ||
      given instanceof OctaveDepthwiseSeparable ||
      given instanceof OctaveInvertedResidual
    )
  ) {
    return fail(
      `module must be a Conv2d, OctaveConv2d, FirstOctaveConv, LastOctaveConv, OctaveConvBlock, OctaveBottleneck, MiniOctNet, OctResNet, OctMobileNetV1, OctMobileNetV2, OctaveDepthwiseSeparable or OctaveInvertedResidual, got ${name}`,
    );
  }
  const { winograd = true, ...unknown } = (options ?? {}) as CompileForInferenceOptions;
  const unknownKey = Object.keys(unknown)[0];
  if (unknownKey !== undefined || ![true, false, 'fast', '2x2', '4x4'].includes(winograd)) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: unknownKey === undefined ? 'options.winograd' : 'options',
      value: unknownKey ?? winograd,
      message:
        unknownKey === undefined
          ? `options.winograd must be true, false, 'fast', '2x2' or '4x4', got ${String(winograd)}`
          : `unknown option ${unknownKey}: compileForInference takes { winograd }`,
    });
  }
  if (module.disposed) return fail(`the ${name} has been disposed`);
  if (module.training) {
    return fail(
      `the ${name} is in training mode; call .eval() first (inference folds batch norm's running statistics)`,
    );
  }

  const parts: { dispose(): void }[] = [];
  const keep = <T extends { dispose(): void }>(part: T): T => {
    parts.push(part);
    return part;
  };
  let forward: (x: never) => unknown;
  let toShapes: (x: never) => BandShapes;
  const applyName = `${name}(compiled).apply`;
  const plain = (x: tf.Tensor4D): BandShapes => {
    checkTensor4D(applyName, 'x', x);
    return { high: x.shape, low: null };
  };
  const octave = (x: OctaveTensor): BandShapes => {
    checkOctaveTensor(applyName, 'x', x);
    return { high: x.high?.shape ?? null, low: x.low?.shape ?? null };
  };

  try {
    if (module instanceof Conv2d) {
      const conv = keep(compileConv(module, null, 'linear', winograd));
      forward = (x: tf.Tensor4D) => conv.apply({ high: x, low: null }).high;
      toShapes = plain;
    } else if (module instanceof OctaveConvBlock) {
      const conv = keep(
        compileLayer(module.oct, { high: module.bnH, low: module.bnL }, 'relu', winograd),
      );
      forward = (x: OctaveTensor) => conv.apply(x);
      toShapes = octave;
    } else if (module instanceof OctaveBottleneck) {
      const block = compileBottleneck(module, winograd);
      parts.push(...bottleneckParts(block));
      forward = (x: OctaveTensor) => runBottleneck(block, x);
      toShapes = octave;
    } else if (module instanceof MiniOctNet) {
      // The split and the merge move whole feature maps through channel slices and a concat
      // (JavaScript loops on wasm, 3 ms of a 60 ms forward): compile them away instead. The stem
      // becomes one convolution per band (its filters split once, here), and the head averages
      // each band on its own: global pooling and the classifier are linear, so
      // fc(GAP(concat(h, Up(l)))) = GAP(h)·W_h + GAP(Up(l))·W_l + b.
      const split = splitChannels(64, module.alpha);
      const stems = keep(compileSplitStem(module.stemConv, module.stemBn, split, winograd));
      const b1 = keep(
        compileLayer(module.b1.oct, { high: module.b1.bnH, low: module.b1.bnL }, 'relu', winograd),
      );
      const b2 = keep(
        compileLayer(module.b2.oct, { high: module.b2.bnH, low: module.b2.bnL }, 'relu', winograd),
      );
      const head = keep(splitLinear(module.fc, module.b2.oct.channels.out.high));
      forward = (x: tf.Tensor4D) =>
        tf.tidy(() => {
          const bands = b2.apply(b1.apply(stems.apply(x)));
          const size = bands.high
            ? [bands.high.shape[1], bands.high.shape[2]]
            : [2 * bands.low!.shape[1], 2 * bands.low!.shape[2]];
          // Up then average; on even sizes Up replicates every pixel four times, so the low
          // band's own average is the same number.
          const low =
            bands.low && (size[0]! % 2 === 1 || size[1]! % 2 === 1)
              ? upsample(bands.low, size as [number, number])
              : bands.low;
          return head.apply(
            bands.high && (globalAvgPool(bands.high) as tf.Tensor2D),
            low && (globalAvgPool(low) as tf.Tensor2D),
          );
        });
      toShapes = plain;
    } else if (
      module instanceof OctaveDepthwiseSeparable ||
      module instanceof OctaveInvertedResidual
    ) {
      const block = compileMobileNetBlock(module, winograd);
      parts.push(...block.convs);
      forward = (x: OctaveTensor) => runMobileNetBlock(block, x);
      toShapes = octave;
    } else if (module instanceof OctMobileNetV1 || module instanceof OctMobileNetV2) {
      const v2 = module instanceof OctMobileNetV2;
      const activation: Activation = v2 ? 'relu6' : 'relu';
      const stem = keep(compileConv(module.conv1, module.bn1, activation, winograd));
      const blocks = (module.blocks as (OctaveDepthwiseSeparable | OctaveInvertedResidual)[]).map(
        (block) => {
          const compiled = compileMobileNetBlock(block, winograd);
          parts.push(...compiled.convs);
          return compiled;
        },
      );
      const tail = v2 ? keep(compileConv(module.tailConv, module.tailBn, 'relu6', winograd)) : null;
      const classifier = keep(copyLinear(module.classifier));
      forward = (x: tf.Tensor4D) =>
        tf.tidy(() => {
          let bands: OctaveTensor = { high: stem.apply({ high: x, low: null }).high, low: null };
          for (const block of blocks) bands = runMobileNetBlock(block, bands);
          const features = tail ? tail.apply(bands).high! : bands.high!;
          return classifier.apply(globalAvgPool(features) as tf.Tensor2D);
        });
      toShapes = plain;
    } else if (module instanceof OctResNet) {
      const stem = keep(compileConv(module.conv1, module.bn1, 'relu', winograd));
      const blocks = module.blocks.map((block) => {
        const compiled = compileBottleneck(block, winograd);
        parts.push(...bottleneckParts(compiled));
        return compiled;
      });
      const fc = copyLinear(module.fc);
      parts.push(fc);
      forward = (x: tf.Tensor4D) =>
        tf.tidy(() => {
          const stemOut = stem.apply({ high: x, low: null }).high!;
          let bands: OctaveTensor = {
            high: maxPool2d(stemOut, { kernelSize: 3, stride: 2, padding: 1 }),
            low: null,
          };
          for (const block of blocks) bands = runBottleneck(block, bands);
          const pooled = globalAvgPool(bands.high!) as tf.Tensor2D;
          return fc.apply(pooled);
        });
      toShapes = plain;
    } else {
      const layer = module as FirstOctaveConv | LastOctaveConv | OctaveConv2d;
      const conv = keep(compileLayer(layer, { high: null, low: null }, 'linear', winograd));
      if (layer instanceof FirstOctaveConv) {
        forward = (x: tf.Tensor4D) => conv.apply({ high: x, low: null });
        toShapes = plain;
      } else if (layer instanceof LastOctaveConv) {
        forward = (x: OctaveTensor) => conv.apply(x).high;
        toShapes = octave;
      } else {
        forward = (x: OctaveTensor) => conv.apply(x);
        toShapes = octave;
      }
    }
  } catch (error) {
    for (const part of parts) part.dispose();
    throw error;
  }

  let disposed = false;
  const checked = new Set<string>();
  return {
    moduleName: name,
    get disposed() {
      return disposed;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const part of parts) part.dispose();
    },
    apply(x: unknown): unknown {
      if (disposed) {
        throw new InvalidArgumentError({
          functionName: applyName,
          argument: 'this',
          value: name,
          message: 'this compiled model has been disposed',
        });
      }
      const shapes = toShapes(x as never);
      const key = `${shapes.high}|${shapes.low}`;
      if (!checked.has(key)) {
        // Every layer's shape arithmetic, before any tensor is made (cached per input shape).
        module.traceApply(applyName, shapes, false);
        checked.add(key);
      }
      return forward(x as never);
    },
  };
}
