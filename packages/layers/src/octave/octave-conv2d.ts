import {
  InvalidArgumentError,
  nominalInputSize,
  type OctaveConvPlan,
  type OctaveConvWeights,
  OctconvError,
  octaveConv2d,
  octaveConvOutputShape,
  type PathName,
  ShapeMismatchError,
  type StrideMode,
  singleBandStrideMode,
  splitChannels,
} from '@octconv/core';
import { serialization, type Tensor, type Tensor1D, type Tensor4D } from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  type ActivationIdentifier,
  type ResolvedActivation,
  resolveActivation,
} from '../config/activation';
import {
  checkArgs,
  padding as checkPadding,
  flag,
  fraction,
  integer,
  invalid,
  pair,
  show,
} from '../config/check';
import {
  type ResolvedWeightOptions,
  resolveWeightOptions,
  WEIGHT_OPTION_KEYS,
  type WeightOptions,
} from '../config/weight-options';
import { bandShapes, checkFloatInputs, type LayerArgs, type Shape, toOutput } from './bands';

/**
 * Config of {@link OctaveConv2D}: `tf.layers.conv2d`'s, plus the octave fields. Everything has
 * a default except `filters` and `kernelSize`.
 */
export interface OctaveConv2DArgs extends LayerArgs, WeightOptions {
  /** Total output channels, both bands. */
  filters: number;
  /** Square size or `[height, width]`. */
  kernelSize: number | [number, number];
  /**
   * Low-band fraction of the input channels. Default: what the inputs have (a single tensor is
   * α_in = 0; `[high, low]` gives `low / (high + low)`); when given, the inputs must agree.
   */
  alphaIn?: number | null;
  /** Low-band fraction of the output channels, split as `round(filters · α)` (ties to even); default 0.5. 0 makes a last layer (one output tensor). */
  alphaOut?: number;
  /** 1 or 2 (or `[s, s]`); default 1. */
  strides?: number | [number, number];
  /**
   * `'same'` (default), `'valid'` (no padding), or a symmetric per-side pad as PyTorch's.
   * `'valid'` works only for a 1×1 kernel once a low band is involved (in or out): without
   * padding a k×k kernel shrinks each band by k − 1 pixels, so the low band would no longer be
   * half the high band's size. A layer with one band in and out takes any kernel.
   */
  padding?: 'same' | 'valid' | number;
  /**
   * How stride 2 reduces resolution: `'pool'` (the paper's: average-pool, then convolve) or
   * `'conv'` (the seed's: each path convolves with stride 2). Default: `'conv'` for a layer with
   * one band in and one out (α_in = α_out = 0, so it equals `tf.layers.conv2d` with the same
   * weights), `'pool'` otherwise; the rule `@octconv/models` networks use
   * (`singleBandStrideMode` of `@octconv/core`).
   */
  strideMode?: StrideMode | null;
  /** An integer ≥ 1 (or `[d, d]`); default 1. */
  dilationRate?: number | [number, number];
  /** Groups of every path, as `nn.Conv2d`'s; default 1. */
  groups?: number;
  /** Depthwise OctConv: groups = the input channels (H→H and L→L only); default false. */
  depthwise?: boolean;
  /** Only `'channelsLast'` (NHWC), the default. */
  dataFormat?: 'channelsLast';
  /**
   * A bias on each path (`hh_bias`, `hl_bias`, …), as the reference OctConv and PyTorch
   * checkpoints have them; default true. An output band with two paths into it gets two biases,
   * so the layer has more bias parameters than `tf.layers.conv2d` with the same `filters` (the
   * sum acts as one bias per output channel; the outputs are the same).
   */
  useBias?: boolean;
  /**
   * Applied to each output band after the bias, as `tf.layers.conv2d`'s `activation`
   * (`'relu'`, `'relu6'`, `'linear'`, …); default `'linear'` (none). Per-band batch norm goes
   * between the convolution and the activation: leave this `'linear'` and use
   * `layers.perBand(() => tf.layers.batchNormalization())` then `tf.layers.reLU()` per band.
   */
  activation?: ActivationIdentifier | null;
}

const KEYS = [
  'filters',
  'kernelSize',
  'alphaIn',
  'alphaOut',
  'strides',
  'padding',
  'strideMode',
  'dilationRate',
  'groups',
  'depthwise',
  'dataFormat',
  'useBias',
  'activation',
  ...WEIGHT_OPTION_KEYS,
];

const PATHS: readonly PathName[] = ['hh', 'hl', 'lh', 'll'];

/** @internal What names a layer gives its weights; the Keras-compatible subclass renames them. */
export interface WeightNames {
  kernel: (path: PathName) => string;
  bias: (path: PathName) => string;
}

const DEFAULT_NAMES: WeightNames = {
  kernel: (path) => `${path}_kernel`,
  bias: (path) => `${path}_bias`,
};

/**
 * Octave convolution as a TensorFlow.js layer, for `tf.sequential` and the functional
 * `tf.model`. Its forward and gradients are `@octconv/core`'s `octaveConv2d`, so it
 * trains with `model.fit` exactly as the `@octconv/models` modules do.
 *
 * Inputs: one tensor `[batch, height, width, channels]` (a first layer, α_in = 0) or the pair
 * `[high, low]`, `high` `[batch, h, w, cH]`, `low` `[batch, ceil(h/2), ceil(w/2), cL]`.
 * Outputs: `[high, low]`, or one tensor when α_out puts every channel in one band (a last
 * layer at α_out = 0). Weights, per path with channels on both ends: `hh_kernel`, `hl_kernel`,
 * `lh_kernel`, `ll_kernel` (HWIO, `[kh, kw, cin / groups, cout]`) and `*_bias`.
 *
 * Per-band batch norm and activations are tfjs's own layers, applied to each output.
 */
export class OctaveConv2D extends tfl.layers.Layer {
  /** The name tfjs's serialization registers the class under (`OctaveConv2D` in a saved model). */
  static className = 'OctaveConv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly alphaIn: number | null;
  readonly alphaOut: number;
  readonly strides: 1 | 2;
  readonly padding: 'same' | 'valid' | number;
  /** As given; `null` is the default rule (see {@link OctaveConv2DArgs.strideMode}). */
  readonly strideMode: StrideMode | null;
  readonly dilationRate: number;
  readonly groups: number;
  readonly depthwise: boolean;
  readonly useBias: boolean;
  private readonly activationFn: ResolvedActivation;
  private readonly weightOptions: ResolvedWeightOptions;
  private weightNames: WeightNames;
  private readonly functionName: string;
  private pathWeights: Partial<
    Record<PathName, { kernel: tfl.LayerVariable; bias: tfl.LayerVariable | null }>
  > = {};

  constructor(args: OctaveConv2DArgs) {
    const fn = 'OctaveConv2D';
    const a = checkArgs(fn, args, KEYS);
    // Everything is checked before tfjs's Layer constructor runs, so a bad config creates
    // nothing (not even a name from the global counter).
    const filters = integer(fn, a, 'filters', 1);
    if (a.kernelSize === undefined) invalid(fn, 'args.kernelSize', undefined, 'given');
    const kernelSize = pair(fn, a, 'kernelSize', { min: 1 });
    const alphaIn =
      a.alphaIn === undefined || a.alphaIn === null ? null : fraction(fn, a, 'alphaIn', 0);
    const alphaOut = fraction(fn, a, 'alphaOut', 0.5);
    const strides = pair(fn, a, 'strides', {
      min: 1,
      fallback: 1,
      square: true,
      allowed: [1, 2],
    })[0] as 1 | 2;
    const padding = checkPadding(fn, a, true);
    const strideMode = (a.strideMode ?? null) as StrideMode | null;
    if (strideMode !== null && strideMode !== 'pool' && strideMode !== 'conv') {
      invalid(fn, 'args.strideMode', a.strideMode, "'pool', 'conv' or null (the default rule)");
    }
    const dilationRate = pair(fn, a, 'dilationRate', { min: 1, fallback: 1, square: true })[0];
    const groups = integer(fn, a, 'groups', 1, 1);
    const depthwise = flag(fn, a, 'depthwise', false);
    if (depthwise && a.groups !== undefined && a.groups !== null && a.groups !== 1) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: 'args.groups',
        value: a.groups,
        message: `args.groups (${show(a.groups)}) and args.depthwise: true are exclusive; depthwise sets groups to the input channels`,
      });
    }
    if (a.dataFormat !== undefined && a.dataFormat !== null && a.dataFormat !== 'channelsLast') {
      invalid(fn, 'args.dataFormat', a.dataFormat, "'channelsLast' (OctConv runs in NHWC)");
    }
    const useBias = flag(fn, a, 'useBias', true);
    const activation = resolveActivation(fn, 'args.activation', a.activation);
    if (strides === 2 && dilationRate > 1 && strideMode === 'conv') {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: 'args.dilationRate',
        value: a.dilationRate,
        message: `strideMode 'conv' with stride 2 and dilationRate ${dilationRate} is not supported (tfjs convolutions take a stride or a dilation, not both); use strideMode 'pool'`,
      });
    }
    const weightOptions = resolveWeightOptions(fn, a, {
      kernelInitializer: 'glorotUniform',
      biasInitializer: 'zeros',
    });
    super(args as ConstructorParameters<typeof tfl.layers.Layer>[0]);
    this.functionName = fn;
    this.filters = filters;
    this.kernelSize = kernelSize;
    this.alphaIn = alphaIn;
    this.alphaOut = alphaOut;
    this.strides = strides;
    this.padding = padding;
    this.strideMode = strideMode;
    this.dilationRate = dilationRate;
    this.groups = groups;
    this.depthwise = depthwise;
    this.useBias = useBias;
    this.activationFn = activation;
    this.weightOptions = weightOptions;
    this.weightNames = DEFAULT_NAMES;
    if (weightOptions.activityRegularizer)
      this.activityRegularizer = weightOptions.activityRegularizer;
    this.supportsMasking = false;
  }

  /** @internal For the Keras-compatible subclass: weight names other than ours. */
  protected setWeightNames(names: WeightNames): void {
    this.weightNames = names;
  }

  /** Channel split of the output: `round(filters · alphaOut)` low (ties to even), the rest high. */
  get outputChannels(): { high: number; low: number } {
    return splitChannels(this.filters, this.alphaOut);
  }

  private corePadding(): number | 'same' {
    return this.padding === 'valid' ? 0 : this.padding;
  }

  /** The stride mode this layer runs with for an input of `alphaIn` (see `strideMode`). */
  private strideModeFor(alphaIn: number): StrideMode {
    return this.strideMode ?? singleBandStrideMode(alphaIn, this.alphaOut);
  }

  /**
   * Plans the layer for these input shapes (one `[batch, h, w, c]` or `[high, low]`) with
   * `@octconv/core`'s shape rules; `null` sizes are planned at a nominal size and come back
   * null. Throws the typed errors of the invalid-argument table.
   */
  private planFor(inputShape: Shape | Shape[]): {
    plan: OctaveConvPlan;
    unknown: { batch: boolean; height: boolean; width: boolean };
    strideMode: StrideMode;
  } {
    const fn = this.functionName;
    const bands = bandShapes(fn, inputShape);
    const high = bands.high;
    const low = bands.low;
    const cHigh = high ? high[3] : 0;
    const cLow = low ? low[3] : 0;
    if (
      (high && (cHigh === null || cHigh === undefined)) ||
      (low && (cLow === null || cLow === undefined))
    ) {
      throw new ShapeMismatchError({
        functionName: fn,
        message: `the channel axis of every input must be known, got ${show(inputShape)}`,
      });
    }
    const inChannels = (cHigh as number) + (cLow as number);
    const impliedAlpha = (cLow as number) / inChannels;
    if (this.alphaIn !== null) {
      const expected = splitChannels(inChannels, this.alphaIn);
      if (expected.high !== cHigh || expected.low !== cLow) {
        throw new ShapeMismatchError({
          functionName: fn,
          message: `alphaIn ${this.alphaIn} splits ${inChannels} input channels as high ${expected.high}, low ${expected.low}, but the inputs have high ${cHigh}, low ${cLow}${low ? '' : ' (a single input is α_in = 0)'}`,
        });
      }
    }
    if (high && low) {
      const pairs: [number | null, number | null][] = [
        [high[0] ?? null, low[0] ?? null],
        [high[1] === null || high[1] === undefined ? null : Math.ceil(high[1] / 2), low[1] ?? null],
        [high[2] === null || high[2] === undefined ? null : Math.ceil(high[2] / 2), low[2] ?? null],
      ];
      if (pairs.some(([h, l]) => h !== null && l !== null && h !== l)) {
        throw new ShapeMismatchError({
          functionName: fn,
          message: `the low input ${show(low)} must be the high input ${show(high)} at half size (ceil) with the same batch`,
        });
      }
    }
    const twoBands = (cLow as number) > 0 || splitChannels(this.filters, this.alphaOut).low > 0;
    if (
      this.padding === 'valid' &&
      twoBands &&
      Math.max(...this.kernelSize) * this.dilationRate > 1
    ) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: 'args.padding',
        value: 'valid',
        message: `padding 'valid' works in an octave layer only with a 1×1 kernel (got ${this.kernelSize.join('×')}${this.dilationRate > 1 ? `, dilation ${this.dilationRate}` : ''}): without padding a k×k kernel shrinks each band by k − 1 pixels, so the low band would no longer be half the high band's size; use padding 'same' or a per-side integer pad (layer ${JSON.stringify(this.name)}, inputs ${show(inputShape)})`,
      });
    }
    const nominal = nominalInputSize(this.kernelSize, this.dilationRate);
    const strideMode = this.strideModeFor(impliedAlpha);
    const batch = (high ?? low)![0];
    const height = high ? high[1] : low![1] === null || low![1] === undefined ? null : 2 * low![1];
    const width = high ? high[2] : low![2] === null || low![2] === undefined ? null : 2 * low![2];
    const unknown = {
      batch: batch === null || batch === undefined,
      height: height === null || height === undefined,
      width: width === null || width === undefined,
    };
    try {
      const plan = octaveConvOutputShape({
        batch: unknown.batch ? 1 : (batch as number),
        height: unknown.height ? nominal : (height as number),
        width: unknown.width ? nominal : (width as number),
        inChannels,
        outChannels: this.filters,
        alphaIn: impliedAlpha,
        alphaOut: this.alphaOut,
        kernelSize: this.kernelSize,
        stride: this.strides,
        padding: this.corePadding(),
        dilation: this.dilationRate,
        groups: this.depthwise ? inChannels : this.groups,
        strideMode,
      });
      return { plan, unknown, strideMode };
    } catch (error) {
      if (!OctconvError.isInstance(error)) throw error;
      throw new InvalidArgumentError({
        functionName: fn,
        argument: 'args',
        value: inputShape,
        message: `${error.message.slice(error.functionName.length + 2)} (inputs ${show(inputShape)})`,
        cause: error,
      });
    }
  }

  override build(inputShape: Shape | Shape[]): void {
    const { plan } = this.planFor(inputShape);
    const o = this.weightOptions;
    for (const name of PATHS) {
      const path = plan.paths[name];
      if (path === null) continue;
      const kernel = this.addWeight(
        this.weightNames.kernel(name),
        [this.kernelSize[0], this.kernelSize[1], path.inChannels / path.groups, path.outChannels],
        'float32',
        o.kernelInitializer,
        o.kernelRegularizer ?? undefined,
        true,
        o.kernelConstraint ?? undefined,
      );
      const bias = this.useBias
        ? this.addWeight(
            this.weightNames.bias(name),
            [path.outChannels],
            'float32',
            o.biasInitializer,
            o.biasRegularizer ?? undefined,
            true,
            o.biasConstraint ?? undefined,
          )
        : null;
      this.pathWeights[name] = { kernel, bias };
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const { plan, unknown } = this.planFor(inputShape);
    const shape = (band: readonly number[] | null): Shape | null =>
      band === null
        ? null
        : [
            unknown.batch ? null : band[0]!,
            unknown.height ? null : band[1]!,
            unknown.width ? null : band[2]!,
            band[3]!,
          ];
    return toOutput(shape(plan.output.high), shape(plan.output.low));
  }

  /** The layer's weights in `octaveConv2d`'s form (the live variables). */
  octaveWeights(): OctaveConvWeights {
    const weights: OctaveConvWeights = {};
    for (const name of PATHS) {
      const path = this.pathWeights[name];
      if (path) {
        weights[name] = {
          filter: path.kernel.read() as Tensor4D,
          bias: path.bias ? (path.bias.read() as Tensor1D) : null,
        };
      }
    }
    return weights;
  }

  override call(inputs: Tensor | Tensor[]): Tensor | Tensor[] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    checkFloatInputs(this.functionName, this.name, list);
    const [first, second] = list as Tensor4D[];
    // One input is a first layer: the high band of α_in = 0 (see bandShapes).
    const x = list.length === 2 ? { high: first!, low: second! } : { high: first!, low: null };
    const lowChannels = second ? second.shape[3] : 0;
    const inChannels = list.reduce((sum, t) => sum + t.shape[3]!, 0);
    const y = octaveConv2d(x, this.octaveWeights(), {
      stride: this.strides,
      padding: this.corePadding(),
      dilation: this.dilationRate,
      groups: this.depthwise ? inChannels : this.groups,
      strideMode: this.strideModeFor(lowChannels / inChannels),
    });
    const activate = this.activationFn.apply;
    if (activate === null) return toOutput(y.high, y.low) as Tensor | Tensor[];
    // Per band, as tfjs layers do: the pre-activation tensors are the caller's tidy's to free
    // (a gradient tape may still need them).
    return toOutput(
      y.high === null ? null : activate(y.high),
      y.low === null ? null : activate(y.low),
    ) as Tensor | Tensor[];
  }

  /** @internal The weight options in tfjs's serialized form, for layers made of OctaveConv2Ds. */
  weightConfig(): serialization.ConfigDict {
    return { ...this.weightOptions.serialized };
  }

  override getConfig(): serialization.ConfigDict {
    return {
      filters: this.filters,
      kernelSize: [...this.kernelSize],
      alphaIn: this.alphaIn,
      alphaOut: this.alphaOut,
      strides: this.strides,
      padding: this.padding,
      strideMode: this.strideMode,
      dilationRate: this.dilationRate,
      groups: this.groups,
      depthwise: this.depthwise,
      dataFormat: 'channelsLast',
      useBias: this.useBias,
      activation: this.activationFn.name,
      ...this.weightConfig(),
      ...super.getConfig(),
    };
  }
}
serialization.registerClass(OctaveConv2D);
