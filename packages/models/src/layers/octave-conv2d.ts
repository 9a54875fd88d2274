import {
  type BandShapes,
  type ChannelSplit,
  checkTensor4D,
  InvalidArgumentError,
  nominalInputSize,
  type OctaveConvLayerDescription,
  type OctaveConvOptions,
  type OctaveConvWeights,
  type OctaveTensor,
  OctconvError,
  octaveConv2d,
  octaveConvOutputShape,
  type Padding,
  type PathName,
  type StrideMode,
  splitChannels,
} from '@octconv/core';
import type * as tf from '@tensorflow/tfjs-core';
import {
  featureMapMismatch,
  formatShape,
  Module,
  shapeError,
  type TraceContext,
} from '../module/module';
import { type RandomInit, resolveRandom, uniformVariable } from '../module/random';
import { checkLayerOptions } from './options';

/** Options of {@link OctaveConv2d}; defaults are the seed notebook's. */
export interface OctaveConv2dOptions {
  /** Total input channels, both bands. */
  inChannels: number;
  /** Total output channels, both bands. */
  outChannels: number;
  /** Square size or `[height, width]`; default 3. */
  kernelSize?: number | [number, number];
  /** 1 or 2; default 1. */
  stride?: 1 | 2;
  /** Per-side zero padding, or `'same'`; default 1. */
  padding?: Padding;
  /** Low-band fraction of the input channels; default 0.5. */
  alphaIn?: number;
  /** Low-band fraction of the output channels; default 0.5. */
  alphaOut?: number;
  /** A bias on each of the four convolutions, as the seed's `bias=True`; default false. */
  bias?: boolean;
  /** Default 1. */
  dilation?: number;
  /** Default 1; the total input channels make the layer depthwise (H→H and L→L only). */
  groups?: number;
  /** Stride-2 semantics; default `'pool'` (the paper's). The seed's is `'conv'`. */
  strideMode?: StrideMode;
  /** Seed or random source for PyTorch's default initialisation. */
  random?: RandomInit;
}

/** Options of {@link FirstOctaveConv}: α_in is 0. */
export type FirstOctaveConvOptions = Omit<OctaveConv2dOptions, 'alphaIn'>;
/** Options of {@link LastOctaveConv}: α_out is 0. */
export type LastOctaveConvOptions = Omit<OctaveConv2dOptions, 'alphaOut'>;

const SCHEMA = {
  inChannels: 'count',
  outChannels: 'count',
  kernelSize: 'count',
  stride: 'stride',
  padding: 'padding',
  alphaIn: 'alpha',
  alphaOut: 'alpha',
  bias: 'boolean',
  dilation: 'count',
  groups: 'count',
  strideMode: 'strideMode',
  random: 'random',
} as const;

const PATH_ORDER: readonly PathName[] = ['hh', 'hl', 'lh', 'll'];

/**
 * The state-dict names of an OctConv's four paths (`names.hh` gives `${names.hh}.weight`; an
 * empty `names.hh` gives `weight`, the name of a plain convolution's filter) and the
 * order they are registered in (the order of `namedParameters()`, of initialisation and of a saved
 * checkpoint): how a layer takes another code base's names, as `octResNet({ variant: 'd-li14' })`
 * takes `conv_h2h`, `conv_h2l`, `conv_l2h`, `conv_l2l`.
 */
export interface PathNaming {
  names: Readonly<Record<PathName, string>>;
  order: readonly PathName[];
}

/** The seed notebook's path names (the default): `hh.weight`, `hl.weight`, `lh.weight`, `ll.weight`. */
export const SEED_PATH_NAMING: PathNaming = {
  names: { hh: 'hh', hl: 'hl', lh: 'lh', ll: 'll' },
  order: PATH_ORDER,
};

function checkPathNaming(functionName: string, naming: PathNaming): void {
  const names = naming?.names as Partial<Record<PathName, unknown>> | undefined;
  const order = naming?.order;
  const valid =
    names !== null &&
    typeof names === 'object' &&
    PATH_ORDER.every(
      (path) => typeof names[path] === 'string' && (names[path] !== '' || path === 'hh'),
    ) &&
    new Set(PATH_ORDER.map((path) => names[path])).size === 4 &&
    Array.isArray(order) &&
    order.length === 4 &&
    PATH_ORDER.every((path) => order.includes(path));
  if (!valid) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'naming',
      value: naming,
      message:
        "naming must be { names: { hh, hl, lh, ll } (four distinct non-empty strings, except hh, which may be '' for a plain layer's own weight), order: the four paths in some order }",
    });
  }
}

/**
 * The four-path layer shared by {@link OctaveConv2d}, {@link FirstOctaveConv} and
 * {@link LastOctaveConv}: options, channel split, weights and shape tracing.
 */
export abstract class OctaveConvLayer<Input, Output> extends Module<Input, Output> {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: 1 | 2;
  readonly padding: Padding;
  readonly alphaIn: number;
  readonly alphaOut: number;
  readonly dilation: number;
  readonly groups: number;
  readonly strideMode: StrideMode;
  readonly hasBias: boolean;
  /** Channels per band, split as the seed does (`round(C · α)` low, ties to even). */
  readonly channels: { in: ChannelSplit; out: ChannelSplit };
  private readonly pathWeights: Partial<
    Record<PathName, { filter: tf.Variable; bias: tf.Variable | null }>
  > = {};

  protected constructor(
    functionName: string,
    options: OctaveConv2dOptions,
    fixed: { alphaIn?: number; alphaOut?: number },
    naming: PathNaming = SEED_PATH_NAMING,
  ) {
    super();
    const schema: Record<string, (typeof SCHEMA)[keyof typeof SCHEMA]> = { ...SCHEMA };
    for (const key of Object.keys(fixed)) delete schema[key];
    const given = options as unknown;
    const kernelOption =
      typeof given === 'object' && given !== null
        ? (given as { kernelSize?: unknown }).kernelSize
        : undefined;
    // A [height, width] kernel is checked below; the schema checks the square form.
    const o = checkLayerOptions(
      functionName,
      Array.isArray(kernelOption) ? { ...(given as object), kernelSize: undefined } : given,
      schema,
      ['inChannels', 'outChannels'],
    );
    checkPathNaming(functionName, naming);
    let kernel: [number, number];
    if (Array.isArray(kernelOption)) {
      const [kh, kw] = kernelOption as unknown[];
      if (
        kernelOption.length !== 2 ||
        !Number.isInteger(kh) ||
        !Number.isInteger(kw) ||
        (kh as number) < 1 ||
        (kw as number) < 1
      ) {
        throw new InvalidArgumentError({
          functionName,
          argument: 'options.kernelSize',
          value: kernelOption,
          message: `options.kernelSize must be an integer ≥ 1 or [height, width], got [${kernelOption.join(', ')}]`,
        });
      }
      kernel = [kh as number, kw as number];
    } else {
      const k = (o.kernelSize as number | undefined) ?? 3;
      kernel = [k, k];
    }
    this.inChannels = o.inChannels as number;
    this.outChannels = o.outChannels as number;
    this.kernelSize = kernel;
    this.stride = (o.stride as 1 | 2 | undefined) ?? 1;
    this.padding = (o.padding as Padding | undefined) ?? 1;
    this.alphaIn = fixed.alphaIn ?? (o.alphaIn as number | undefined) ?? 0.5;
    this.alphaOut = fixed.alphaOut ?? (o.alphaOut as number | undefined) ?? 0.5;
    this.hasBias = (o.bias as boolean | undefined) ?? false;
    this.dilation = (o.dilation as number | undefined) ?? 1;
    this.groups = (o.groups as number | undefined) ?? 1;
    this.strideMode = (o.strideMode as StrideMode | undefined) ?? 'pool';
    this.channels = {
      in: splitChannels(this.inChannels, this.alphaIn),
      out: splitChannels(this.outChannels, this.alphaOut),
    };
    // Validate the combination (groups per path, padding that keeps low = ceil(high / 2)) at a
    // nominal size before allocating; apply re-checks at the real size.
    const nominal = nominalInputSize(kernel, this.dilation);
    let plan: ReturnType<typeof octaveConvOutputShape>;
    try {
      plan = octaveConvOutputShape(this.spec(1, nominal, nominal));
    } catch (error) {
      if (!OctconvError.isInstance(error)) throw error;
      throw new InvalidArgumentError({
        functionName,
        argument: 'options',
        value: options,
        message: error.message.slice(error.functionName.length + 2),
        cause: error,
      });
    }
    const random = resolveRandom(o.random as RandomInit);
    for (const name of naming.order) {
      const path = plan.paths[name];
      if (path === null) continue;
      const groupIn = path.inChannels / path.groups;
      const fanIn = groupIn * kernel[0] * kernel[1];
      const key = naming.names[name];
      // '' names the H→H path as the layer's own weight (torchvision's `conv1.weight`).
      const weightName = key === '' ? 'weight' : `${key}.weight`;
      const biasName = key === '' ? 'bias' : `${key}.bias`;
      const filter = this.registerParameter(
        weightName,
        uniformVariable(
          random,
          [kernel[0], kernel[1], groupIn, path.outChannels],
          fanIn,
          weightName,
        ),
      );
      const bias = this.hasBias
        ? this.registerParameter(
            biasName,
            uniformVariable(random, [path.outChannels], fanIn, biasName),
          )
        : null;
      this.pathWeights[name] = { filter, bias };
    }
  }

  /** The layer's weights in `octaveConv2d`'s form (the live variables, not copies). */
  weights(): OctaveConvWeights {
    const weights: OctaveConvWeights = {};
    for (const name of PATH_ORDER) {
      const path = this.pathWeights[name];
      if (path)
        weights[name] = {
          filter: path.filter as tf.Tensor4D,
          bias: path.bias as tf.Tensor1D | null,
        };
    }
    return weights;
  }

  /** The options `octaveConv2d` runs with. */
  convOptions(): OctaveConvOptions {
    return {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
      strideMode: this.strideMode,
    };
  }

  /** @internal Forward of an already-checked octave input. */
  forwardOctave(x: OctaveTensor): OctaveTensor {
    return octaveConv2d(x, this.weights(), this.convOptions());
  }

  private spec(batch: number, height: number, width: number): OctaveConvLayerDescription['spec'] {
    return {
      batch,
      height,
      width,
      inChannels: this.inChannels,
      outChannels: this.outChannels,
      alphaIn: this.alphaIn,
      alphaOut: this.alphaOut,
      kernelSize: [...this.kernelSize],
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
      strideMode: this.strideMode,
    };
  }

  protected inputShapes(batch: number, height: number, width: number): BandShapes {
    const { high, low } = this.channels.in;
    return {
      high: high > 0 ? [batch, height, width, high] : null,
      low: low > 0 ? [batch, Math.ceil(height / 2), Math.ceil(width / 2), low] : null,
    };
  }

  trace(input: BandShapes, name: string, context: TraceContext): BandShapes {
    const { high, low } = this.channels.in;
    const bad = (band: 'high' | 'low', count: number) => {
      const shape = input[band];
      return count === 0
        ? shape !== null
        : shape === null || shape.length !== 4 || shape[3] !== count;
    };
    if (low === 0 && input.low === null && bad('high', high)) {
      // α_in = 0: one plain feature map, said without bands.
      shapeError(context, name, `(α_in 0) ${featureMapMismatch(high, input)}`);
    }
    if (bad('high', high) || bad('low', low)) {
      const expect = (count: number, size: string) =>
        count === 0 ? 'null' : `[batch, ${size}, ${count}]`;
      shapeError(
        context,
        name,
        `expects high ${expect(high, 'height, width')} and low ${expect(low, 'ceil(height / 2), ceil(width / 2)')} (${this.inChannels} channels at α_in ${this.alphaIn}), got high ${formatShape(input.high)}, low ${formatShape(input.low)}`,
      );
    }
    const h = input.high;
    const l = input.low;
    if (
      h &&
      l &&
      (l[0] !== h[0] || l[1] !== Math.ceil(h[1]! / 2) || l[2] !== Math.ceil(h[2]! / 2))
    ) {
      shapeError(
        context,
        name,
        `the low band ${formatShape(l)} must be the high band ${formatShape(h)} at half size (ceil) with the same batch`,
      );
    }
    const batch = (h ?? l)![0]!;
    const height = h ? h[1]! : 2 * l![1]!;
    const width = h ? h[2]! : 2 * l![2]!;
    const spec = this.spec(batch, height, width);
    const plan = octaveConvOutputShape(spec);
    const output: BandShapes = { high: plan.output.high, low: plan.output.low };
    context.layers.push({
      kind: 'octave-conv',
      name,
      input,
      output,
      spec,
      channels: this.channels,
      bias: this.hasBias,
    });
    return output;
  }
}

/**
 * The seed's four-path OctConv layer (`OctaveConv2d` in the notebook): `Y_H = HH(X_H) +
 * Up(LH(X_L))`, `Y_L = LL(X_L) + HL(Down(X_H))`. Parameters are `hh.weight`, `hl.weight`,
 * `lh.weight`, `ll.weight` (+ `.bias`), one per path that has channels on both ends.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { octaveSplit } from '@octconv/core';
 * import { OctaveConv2d } from '@octconv/models';
 *
 * // The seed notebook's layer: 64 → 128 channels, 3×3, α_in = α_out = 0.5.
 * const layer = new OctaveConv2d({
 *   inChannels: 64, outChannels: 128, kernelSize: 3, padding: 1, alphaIn: 0.5, alphaOut: 0.5,
 * });
 * const x = octaveSplit(tf.randomNormal([2, 32, 32, 64]) as tf.Tensor4D, 0.5);
 * const y = layer.apply(x);
 * console.log(y.high?.shape, y.low?.shape); // [2, 32, 32, 64] [2, 16, 16, 64]
 * console.log(layer.parameterCount()); // 73728, as a plain 64 → 128 3×3 convolution
 * ```
 */
export class OctaveConv2d extends OctaveConvLayer<OctaveTensor, OctaveTensor> {
  readonly moduleName: string = 'OctaveConv2d';

  /**
   * @param options The layer's hyper-parameters.
   * @param naming The paths' parameter names; default {@link SEED_PATH_NAMING}.
   */
  constructor(options: OctaveConv2dOptions, naming?: PathNaming) {
    super('OctaveConv2d', options, {}, naming);
  }

  /** `{ high, low }` in (a band without channels is null), `{ high, low }` out. */
  apply(x: OctaveTensor): OctaveTensor {
    this.checkOctaveApply(x);
    return this.forwardOctave(x);
  }
}

/**
 * The first OctConv of a network (α_in = 0): takes a plain feature map and produces both bands
 * (paths `hh` and `hl`).
 */
export class FirstOctaveConv extends OctaveConvLayer<tf.Tensor4D, OctaveTensor> {
  readonly moduleName: string = 'FirstOctaveConv';

  constructor(options: FirstOctaveConvOptions) {
    super('FirstOctaveConv', options, { alphaIn: 0 });
  }

  /** `x`: `[batch, height, width, inChannels]` → `{ high, low }`. */
  apply(x: tf.Tensor4D): OctaveTensor {
    checkTensor4D(`${this.moduleName}.apply`, 'x', x);
    this.checkApply({ high: x.shape, low: null });
    return this.forwardOctave({ high: x, low: null });
  }
}

/**
 * The last OctConv of a network (α_out = 0): takes both bands and produces a plain feature map
 * (paths `hh` and `lh`).
 */
export class LastOctaveConv extends OctaveConvLayer<OctaveTensor, tf.Tensor4D> {
  readonly moduleName: string = 'LastOctaveConv';

  constructor(options: LastOctaveConvOptions) {
    super('LastOctaveConv', options, { alphaOut: 0 });
  }

  /** `{ high, low }` → `[batch, outHeight, outWidth, outChannels]`. */
  apply(x: OctaveTensor): tf.Tensor4D {
    this.checkOctaveApply(x);
    return this.forwardOctave(x).high!;
  }
}
