import { checkInteger, InvalidArgumentError, ShapeMismatchError } from '@octconv/core';
import { serialization, type Tensor } from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  type ActivationIdentifier,
  type ResolvedActivation,
  resolveActivation,
} from '../config/activation';
import { checkArgs, padding as checkPadding, flag, fraction, pair, show } from '../config/check';
import { WEIGHT_OPTION_KEYS, type WeightOptions } from '../config/weight-options';
import { bandShapes, checkFloatInputs, type LayerArgs, type Shape } from './bands';
import { CompositeLayer } from './composite';
import { OctaveConv2D } from './octave-conv2d';
import { OctaveMerge } from './octave-merge';
import { OctaveSplit } from './octave-split';
import { PerBand } from './per-band';

/** Batch norm of {@link OctaveBlock2D}: tfjs's `batchNormalization` fields, per band. */
export interface OctaveBlockBatchNorm {
  /** Default 0.99 (tfjs's; PyTorch's momentum 0.1 is 0.9 here). */
  momentum?: number;
  /** Default 1e-3 (tfjs's; PyTorch's is 1e-5). */
  epsilon?: number;
}

/**
 * Config of {@link OctaveBlock2D}. The weight options (`kernelInitializer`, `kernelRegularizer`,
 * …) apply to every convolution of the block.
 */
export interface OctaveBlock2DArgs extends LayerArgs, WeightOptions {
  /** Output channels (both bands) of each octave convolution, in order; at least one. */
  filters: number[];
  /** Square size or `[height, width]`, for every convolution. */
  kernelSize: number | [number, number];
  /** Low-band fraction of the split input and of every convolution's output; default 0.5. */
  alpha?: number;
  /** Stride of the first convolution, 1 or 2 (or `[s, s]`); default 1. */
  strides?: number | [number, number];
  /** Padding of every convolution: `'same'` (default) or a per-side integer pad. */
  padding?: 'same' | number;
  /** `OctaveConv2D`'s `strideMode` for the first convolution; default its rule (`'pool'` here). */
  strideMode?: 'pool' | 'conv' | null;
  /**
   * Batch norm per band after each convolution: `true` (tfjs's defaults), an object of
   * `momentum`/`epsilon`, or `false` (default).
   */
  batchNorm?: boolean | OctaveBlockBatchNorm;
  /** Applied to each band after each convolution (and its batch norm); default `'linear'`. */
  activation?: ActivationIdentifier | null;
  /** A bias on each path of each convolution; default `true` without batch norm, `false` with. */
  useBias?: boolean;
}

const fn = 'OctaveBlock2D';

const KEYS = [
  'filters',
  'kernelSize',
  'alpha',
  'strides',
  'padding',
  'strideMode',
  'batchNorm',
  'activation',
  'useBias',
  ...WEIGHT_OPTION_KEYS,
];

/**
 * An octave stack as one layer, one tensor in and one out, so that it fits `tf.sequential`:
 * splits its input `[batch, h, w, c]` into the octave pair (α of the channels average-pooled to
 * half size), runs one `OctaveConv2D` per entry of `filters` (the first with `strides`), each
 * followed, per band, by batch norm and the activation when asked, and merges the pair back
 * (the low band upsampled, concatenated after the high): `[batch, h', w', filters.at(-1)]` out.
 * The seed's MiniOctNet body is `octaveBlock2D({ filters: [128, 128], kernelSize: 3,
 * batchNorm: true, activation: 'relu' })`.
 *
 * Both bands need channels: the input needs `0 < round(c · alpha) < c` (put a
 * `tf.layers.conv2d` first for an RGB or grayscale image). Outputs that stay in two bands, or
 * anything between the convolutions other than batch norm and an activation, need the
 * functional API with `OctaveSplit`, `OctaveConv2D`, `PerBand` and `OctaveMerge`.
 */
export class OctaveBlock2D extends CompositeLayer {
  /** The name tfjs's serialization registers the class under (`OctaveBlock2D` in a saved model). */
  static className = 'OctaveBlock2D';
  readonly filters: readonly number[];
  readonly kernelSize: [number, number];
  readonly alpha: number;
  readonly strides: 1 | 2;
  readonly padding: 'same' | number;
  readonly strideMode: 'pool' | 'conv' | null;
  readonly batchNorm: false | Required<OctaveBlockBatchNorm>;
  readonly useBias: boolean;
  private readonly activationFn: ResolvedActivation;
  private readonly split: OctaveSplit;
  private readonly convs: OctaveConv2D[];
  private readonly norms: PerBand[];
  private readonly merge: OctaveMerge;

  constructor(args: OctaveBlock2DArgs) {
    const a = checkArgs(fn, args, KEYS);
    const filters = a.filters;
    if (!Array.isArray(filters) || filters.length === 0) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: 'args.filters',
        value: filters,
        message: `args.filters must be a non-empty array of output channel counts, one per convolution (e.g. [64, 64]), got ${show(filters)}`,
      });
    }
    filters.forEach((count, i) => {
      checkInteger(fn, `args.filters[${i}]`, count, 1);
    });
    if (a.kernelSize === undefined) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: 'args.kernelSize',
        value: undefined,
        message: 'args.kernelSize must be given (an integer ≥ 1 or [height, width])',
      });
    }
    const kernelSize = pair(fn, a, 'kernelSize', { min: 1 });
    const alpha = fraction(fn, a, 'alpha', 0.5);
    const strides = pair(fn, a, 'strides', {
      min: 1,
      fallback: 1,
      square: true,
      allowed: [1, 2],
    })[0] as 1 | 2;
    const padding = checkPadding(fn, a, false) as 'same' | number;
    const bn = a.batchNorm ?? false;
    let batchNorm: false | Required<OctaveBlockBatchNorm> = false;
    if (bn === true || (typeof bn === 'object' && bn !== null && !Array.isArray(bn))) {
      const b = checkArgs(fn, bn === true ? {} : bn, ['momentum', 'epsilon'], false);
      batchNorm = {
        momentum: fraction(fn, b, 'momentum', 0.99),
        epsilon: (b.epsilon ?? 1e-3) as number,
      };
      if (typeof batchNorm.epsilon !== 'number' || !(batchNorm.epsilon > 0)) {
        throw new InvalidArgumentError({
          functionName: fn,
          argument: 'args.batchNorm.epsilon',
          value: b.epsilon,
          message: `args.batchNorm.epsilon must be a number > 0, got ${show(b.epsilon)}`,
        });
      }
    } else if (bn !== false) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: 'args.batchNorm',
        value: bn,
        message: `args.batchNorm must be true, false or { momentum, epsilon }, got ${show(bn)}`,
      });
    }
    const useBias = flag(fn, a, 'useBias', batchNorm === false);
    const activation = resolveActivation(fn, 'args.activation', a.activation);
    const weightArgs: WeightOptions = {};
    for (const key of WEIGHT_OPTION_KEYS) {
      if (a[key] !== undefined && a[key] !== null) {
        (weightArgs as Record<string, unknown>)[key] = a[key];
      }
    }
    const strideMode = (a.strideMode ?? null) as 'pool' | 'conv' | null;
    // The parts are made now (before tfjs's constructor), so that a bad config creates nothing.
    const convs = (filters as number[]).map(
      (count, i) =>
        new OctaveConv2D({
          name: `conv_${i}`,
          filters: count,
          kernelSize,
          alphaIn: alpha,
          alphaOut: alpha,
          padding,
          useBias,
          ...(i === 0 && { strides, strideMode }),
          ...weightArgs,
        }),
    );
    const split = new OctaveSplit({ name: 'split', alpha });
    const norms =
      batchNorm === false
        ? []
        : convs.map(
            (_, i) =>
              new PerBand({
                name: `bn_${i}`,
                layer: (band) =>
                  tfl.layers.batchNormalization({ name: `bn_${i}_${band}`, ...batchNorm }),
              }),
          );
    const merge = new OctaveMerge({ name: 'merge' });
    super({ ...(args as LayerArgs) });
    this.filters = [...(filters as number[])];
    this.kernelSize = kernelSize;
    this.alpha = alpha;
    this.strides = strides;
    this.padding = padding;
    this.strideMode = strideMode;
    this.batchNorm = batchNorm;
    this.useBias = useBias;
    this.activationFn = activation;
    this.split = split;
    this.convs = convs;
    this.norms = norms;
    this.merge = merge;
    this.parts = [split, ...convs, ...norms, merge];
    this.trainable = this.trainable_;
  }

  private single(inputShape: Shape | Shape[]): Shape {
    const { high, low } = bandShapes(fn, inputShape);
    if (low !== null) {
      throw new ShapeMismatchError({
        functionName: fn,
        message: `takes one [batch, height, width, channels] input (it splits it itself), got ${show(inputShape)}; for an octave pair use OctaveConv2D`,
      });
    }
    return high!;
  }

  override build(inputShape: Shape | Shape[]): void {
    let shape: Shape | Shape[] = this.single(inputShape);
    for (const part of [this.split, ...this.stages().flat()]) {
      this.buildPart(part, shape);
      shape = part.computeOutputShape(shape);
    }
    this.buildPart(this.merge, shape);
    this.built = true;
  }

  /** The layers of each convolution stage: the convolution, then its batch norm if any. */
  private stages(): tfl.layers.Layer[][] {
    return this.convs.map((conv, i) => (this.norms[i] ? [conv, this.norms[i]!] : [conv]));
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    let shape: Shape | Shape[] = this.split.computeOutputShape(this.single(inputShape));
    for (const conv of this.convs) shape = conv.computeOutputShape(shape);
    return this.merge.computeOutputShape(shape);
  }

  override call(
    inputs: Tensor | Tensor[],
    kwargs: Parameters<tfl.layers.Layer['call']>[1],
  ): Tensor {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    checkFloatInputs(fn, this.name, list);
    const { mask: _mask, ...rest } = kwargs ?? {};
    let bands = this.split.apply(list[0]!, rest) as Tensor[];
    const activate = this.activationFn.apply;
    for (const stage of this.stages()) {
      for (const part of stage) bands = part.apply(bands, rest) as Tensor[];
      if (activate) bands = bands.map((band) => activate(band));
    }
    return this.merge.apply(bands, rest) as Tensor;
  }

  override getConfig(): serialization.ConfigDict {
    return {
      filters: [...this.filters],
      kernelSize: [...this.kernelSize],
      alpha: this.alpha,
      strides: this.strides,
      padding: this.padding,
      strideMode: this.strideMode,
      batchNorm: this.batchNorm === false ? false : { ...this.batchNorm },
      activation: this.activationFn.name,
      useBias: this.useBias,
      ...this.convs[0]!.weightConfig(),
      ...super.getConfig(),
    };
  }
}
serialization.registerClass(OctaveBlock2D);
