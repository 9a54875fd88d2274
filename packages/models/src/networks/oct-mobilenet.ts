import {
  add,
  type BandShapes,
  mobileNetBandAlpha as bandAlpha,
  checkTensor4D,
  globalAvgPool,
  InvalidArgumentError,
  MOBILENET_V1_BLOCKS,
  MOBILENET_V2_BLOCKS,
  type OctaveTensor,
  relu,
  relu6,
  singleBandStrideMode,
  tidyOctave,
} from '@octconv/core';
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d } from '../layers/batch-norm2d';
import { Conv2d } from '../layers/conv2d';
import { Linear } from '../layers/linear';
import { OctaveBatchNorm2d } from '../layers/octave-batch-norm2d';
import { OctaveConv2d } from '../layers/octave-conv2d';
import { checkLayerOptions } from '../layers/options';
import { formatShape, joinName, Module, shapeError, type TraceContext } from '../module/module';
import { type RandomInit, type RandomSource, resolveRandom } from '../module/random';

// The official Oct-MobileNets (facebookresearch/OctConv, utils/gluon/utils/mobilenetv1.py and
// mobilenetv2.py), rebuilt from their structure. Channel counts, the layers that are octave and
// the channel split are the official code's; state-dict names are ours (documented below).

/** Options of {@link octMobileNetV1} and {@link octMobileNetV2}. */
export interface OctMobileNetOptions {
  /**
   * Width multiplier of every layer (the official `multiplier`): channels are `int(c · m)`.
   * Default 1. The published models are v1 at 0.75 and 1, v2 at 1 and 1.125.
   */
  widthMultiplier?: number;
  /**
   * Low-band fraction of the octave layers (the official `ratio`); 0 gives the plain MobileNet.
   * Default 0.5 for v1, 0.375 for v2.
   */
  alpha?: number;
  /** Default 1000. */
  numClasses?: number;
  /** Image channels; default 3. */
  inChannels?: number;
  random?: RandomInit;
}

type ActivationKind = 'relu' | 'relu6';

function activate(x: OctaveTensor, kind: ActivationKind): OctaveTensor {
  const f = kind === 'relu' ? relu : relu6;
  return { high: x.high && f(x.high), low: x.low && f(x.low) };
}

function traceActivation(
  context: TraceContext,
  name: string,
  shapes: BandShapes,
  kind: ActivationKind,
): void {
  context.layers.push({
    kind: 'relu',
    name,
    input: shapes,
    output: shapes,
    ...(kind === 'relu6' && { max: 6 }),
  });
}

function checkWidths(functionName: string, multiplier: number, widths: readonly number[]): void {
  const smallest = Math.min(...widths);
  if (Math.floor(smallest * multiplier) < 1) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'options.widthMultiplier',
      value: multiplier,
      message: `options.widthMultiplier ${multiplier} leaves a layer of ${smallest} channels with none (int(${smallest} · ${multiplier}) = 0); use at least ${1 / smallest}`,
    });
  }
}

function resolveOptions(
  functionName: string,
  options: OctMobileNetOptions | undefined,
  defaultAlpha: number,
) {
  const o = checkLayerOptions(functionName, options ?? {}, {
    widthMultiplier: 'positive',
    alpha: 'alpha',
    numClasses: 'count',
    inChannels: 'count',
    random: 'random',
  });
  return {
    widthMultiplier: (o.widthMultiplier as number | undefined) ?? 1,
    alpha: (o.alpha as number | undefined) ?? defaultAlpha,
    numClasses: (o.numClasses as number | undefined) ?? 1000,
    inChannels: (o.inChannels as number | undefined) ?? 3,
    random: resolveRandom(o.random as RandomInit),
  };
}

/**
 * MobileNet v1's depthwise separable block with OctConv (official `_DWSConv`): `conv1`, a 3×3
 * depthwise OctConv (H→H and L→L only, each depthwise on its band; the block's stride), `bn1`,
 * ReLU, then `conv2`, a 1×1 OctConv that may change α, `bn2`, ReLU.
 */
export class OctaveDepthwiseSeparable extends Module<OctaveTensor, OctaveTensor> {
  readonly moduleName: string = 'OctaveDepthwiseSeparable';
  readonly conv1: OctaveConv2d;
  readonly bn1: OctaveBatchNorm2d;
  readonly conv2: OctaveConv2d;
  readonly bn2: OctaveBatchNorm2d;

  /** @internal Built by {@link OctMobileNetV1}; α are the layers' exact band fractions. */
  constructor(
    inChannels: number,
    outChannels: number,
    stride: 1 | 2,
    alphaIn: number,
    alphaOut: number,
    random: RandomSource,
  ) {
    super();
    this.conv1 = this.registerModule(
      'conv1',
      new OctaveConv2d({
        inChannels,
        outChannels: inChannels,
        kernelSize: 3,
        padding: 1,
        stride,
        groups: inChannels,
        alphaIn,
        alphaOut: alphaIn,
        strideMode: singleBandStrideMode(alphaIn, alphaIn),
        random,
      }),
    );
    this.bn1 = this.registerModule(
      'bn1',
      new OctaveBatchNorm2d({ channels: inChannels, alpha: alphaIn }),
    );
    this.conv2 = this.registerModule(
      'conv2',
      new OctaveConv2d({
        inChannels,
        outChannels,
        kernelSize: 1,
        padding: 0,
        alphaIn,
        alphaOut,
        random,
      }),
    );
    this.bn2 = this.registerModule(
      'bn2',
      new OctaveBatchNorm2d({ channels: outChannels, alpha: alphaOut }),
    );
  }

  apply(x: OctaveTensor): OctaveTensor {
    this.checkOctaveApply(x);
    return this.forward(x);
  }

  /** @internal */
  forward(x: OctaveTensor): OctaveTensor {
    return tidyOctave(() => {
      const out = activate(this.bn1.forward(this.conv1.forwardOctave(x)), 'relu');
      return activate(this.bn2.forward(this.conv2.forwardOctave(out)), 'relu');
    });
  }

  protected inputShapes(batch: number, height: number, width: number): BandShapes {
    return this.conv1.describe({ batch, height, width }).input;
  }

  trace(input: BandShapes, name: string, context: TraceContext): BandShapes {
    let out = this.conv1.trace(input, joinName(name, 'conv1'), context);
    out = this.bn1.trace(out, joinName(name, 'bn1'), context);
    traceActivation(context, joinName(name, 'relu1'), out, 'relu');
    out = this.conv2.trace(out, joinName(name, 'conv2'), context);
    out = this.bn2.trace(out, joinName(name, 'bn2'), context);
    traceActivation(context, joinName(name, 'relu2'), out, 'relu');
    return out;
  }
}

/**
 * MobileNet v2's inverted residual with OctConv (official `_BottleneckV1`): the block's input and
 * output are single-band; `conv1` (1×1, expansion) splits into both bands, `conv2` (3×3 depthwise
 * OctConv, the block's stride) keeps them, `conv3` (1×1, projection) merges them back; batch norm
 * after each, ReLU6 after the first two, and the identity added when the stride is 1 and the
 * channels stay. As in the official code, the expansion 1×1 exists in every block, t = 1 too.
 */
export class OctaveInvertedResidual extends Module<OctaveTensor, OctaveTensor> {
  readonly moduleName: string = 'OctaveInvertedResidual';
  readonly conv1: OctaveConv2d;
  readonly bn1: OctaveBatchNorm2d;
  readonly conv2: OctaveConv2d;
  readonly bn2: OctaveBatchNorm2d;
  readonly conv3: OctaveConv2d;
  readonly bn3: OctaveBatchNorm2d;
  /** Whether the block adds its input (stride 1, same channels). */
  readonly useShortcut: boolean;

  /** @internal Built by {@link OctMobileNetV2}; `alpha` is the exact band fraction of the middle. */
  constructor(
    inChannels: number,
    midChannels: number,
    outChannels: number,
    stride: 1 | 2,
    alpha: number,
    random: RandomSource,
  ) {
    super();
    this.useShortcut = stride === 1 && inChannels === outChannels;
    const pointwise = (cin: number, cout: number, aIn: number, aOut: number) =>
      new OctaveConv2d({
        inChannels: cin,
        outChannels: cout,
        kernelSize: 1,
        padding: 0,
        alphaIn: aIn,
        alphaOut: aOut,
        random,
      });
    this.conv1 = this.registerModule('conv1', pointwise(inChannels, midChannels, 0, alpha));
    this.bn1 = this.registerModule('bn1', new OctaveBatchNorm2d({ channels: midChannels, alpha }));
    this.conv2 = this.registerModule(
      'conv2',
      new OctaveConv2d({
        inChannels: midChannels,
        outChannels: midChannels,
        kernelSize: 3,
        padding: 1,
        stride,
        groups: midChannels,
        alphaIn: alpha,
        alphaOut: alpha,
        strideMode: singleBandStrideMode(alpha, alpha),
        random,
      }),
    );
    this.bn2 = this.registerModule('bn2', new OctaveBatchNorm2d({ channels: midChannels, alpha }));
    this.conv3 = this.registerModule('conv3', pointwise(midChannels, outChannels, alpha, 0));
    this.bn3 = this.registerModule(
      'bn3',
      new OctaveBatchNorm2d({ channels: outChannels, alpha: 0 }),
    );
  }

  apply(x: OctaveTensor): OctaveTensor {
    this.checkOctaveApply(x);
    return this.forward(x);
  }

  /** @internal */
  forward(x: OctaveTensor): OctaveTensor {
    return tidyOctave(() => {
      let out = activate(this.bn1.forward(this.conv1.forwardOctave(x)), 'relu6');
      out = activate(this.bn2.forward(this.conv2.forwardOctave(out)), 'relu6');
      out = this.bn3.forward(this.conv3.forwardOctave(out));
      return this.useShortcut ? { high: add(out.high!, x.high!), low: null } : out;
    });
  }

  protected inputShapes(batch: number, height: number, width: number): BandShapes {
    return this.conv1.describe({ batch, height, width }).input;
  }

  trace(input: BandShapes, name: string, context: TraceContext): BandShapes {
    let out = this.conv1.trace(input, joinName(name, 'conv1'), context);
    out = this.bn1.trace(out, joinName(name, 'bn1'), context);
    traceActivation(context, joinName(name, 'relu1'), out, 'relu6');
    out = this.conv2.trace(out, joinName(name, 'conv2'), context);
    out = this.bn2.trace(out, joinName(name, 'bn2'), context);
    traceActivation(context, joinName(name, 'relu2'), out, 'relu6');
    out = this.conv3.trace(out, joinName(name, 'conv3'), context);
    out = this.bn3.trace(out, joinName(name, 'bn3'), context);
    if (this.useShortcut) {
      if (String(out.high) !== String(input.high)) {
        shapeError(
          context,
          name,
          `residual shapes differ: ${formatShape(out.high)} vs ${formatShape(input.high)}`,
        );
      }
      context.layers.push({ kind: 'add', name: joinName(name, 'add'), input: out, output: out });
    }
    return out;
  }
}

/** The stem shared by both versions: `conv1` 3×3/2 without bias, `bn1`, then the activation. */
function stem(
  owner: { inChannels: number },
  channels: number,
  random: RandomSource,
): { conv: Conv2d; bn: BatchNorm2d } {
  return {
    conv: new Conv2d({
      inChannels: owner.inChannels,
      outChannels: channels,
      kernelSize: 3,
      stride: 2,
      padding: 1,
      bias: false,
      random,
    }),
    bn: new BatchNorm2d({ numFeatures: channels }),
  };
}

/** Traces the stem, the blocks and the pooled classifier (`extra` runs before the pool). */
function traceNetwork(
  net: {
    conv1: Conv2d;
    bn1: BatchNorm2d;
    classifier: Linear;
    namedChildren(): Map<string, Module>;
  },
  activation: ActivationKind,
  input: BandShapes,
  name: string,
  context: TraceContext,
  blockType: abstract new (...args: never[]) => Module,
  extra: (shapes: BandShapes) => BandShapes = (shapes) => shapes,
): BandShapes {
  let shapes = net.conv1.trace(input, joinName(name, 'conv1'), context);
  shapes = net.bn1.trace(shapes, joinName(name, 'bn1'), context);
  traceActivation(context, joinName(name, 'relu'), shapes, activation);
  for (const [childName, child] of net.namedChildren()) {
    if (child instanceof blockType)
      shapes = child.trace(shapes, joinName(name, childName), context);
  }
  shapes = extra(shapes);
  const [batch, , , channels] = shapes.high as number[];
  const vector: BandShapes = { high: [batch!, channels!], low: null };
  context.layers.push({
    kind: 'global-avg-pool',
    name: joinName(name, 'avgpool'),
    input: shapes,
    output: vector,
  });
  return net.classifier.trace(vector, joinName(name, 'classifier'), context);
}

/**
 * Oct-MobileNet v1 (official `mobilenet_v1_075` / `_100` with `ratio = α`): a plain stem
 * (`conv1` 3×3/2, `bn1`, ReLU), 13 depthwise separable blocks `blocks.0`–`blocks.12`
 * ({@link OctaveDepthwiseSeparable}), global average pooling and a linear `classifier` (the
 * official 1×1 convolution with bias). As in the official lists, block 0's depthwise conv is
 * single-band and its pointwise conv is the first octave layer; blocks 1–9 are octave
 * throughout; block 10's depthwise conv is octave and its pointwise conv the last one; blocks
 * 11–12 are single-band, so the pooled features are one band (the official concat of the pooled
 * bands has only the high band to concatenate).
 *
 * Names: `conv1.weight`, `bn1.*`, `blocks.{i}.conv1.{hh,ll}.weight` (depthwise,
 * `[C, 1, 3, 3]` in PyTorch), `blocks.{i}.bn1.{bn_h,bn_l}.*`,
 * `blocks.{i}.conv2.{hh,hl,lh,ll}.weight`, `blocks.{i}.bn2.{bn_h,bn_l}.*`,
 * `classifier.weight`, `classifier.bias`. At α = 0 only `hh` and `bn_h` appear.
 */
export class OctMobileNetV1 extends Module<tf.Tensor4D, tf.Tensor2D> {
  readonly moduleName: string = 'OctMobileNetV1';
  readonly widthMultiplier: number;
  readonly alpha: number;
  readonly numClasses: number;
  readonly inChannels: number;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly blocks: OctaveDepthwiseSeparable[] = [];
  readonly classifier: Linear;

  constructor(options: OctMobileNetOptions = {}) {
    super();
    const fn = 'octMobileNetV1';
    const o = resolveOptions(fn, options, 0.5);
    checkWidths(fn, o.widthMultiplier, [32]);
    this.widthMultiplier = o.widthMultiplier;
    this.alpha = o.alpha;
    this.numClasses = o.numClasses;
    this.inChannels = o.inChannels;
    const width = (c: number) => Math.floor(c * o.widthMultiplier);
    const first = stem(this, width(32), o.random);
    this.conv1 = this.registerModule('conv1', first.conv);
    this.bn1 = this.registerModule('bn1', first.bn);
    MOBILENET_V1_BLOCKS.forEach(([dw, pw, stride], index) => {
      // Official lists: dw ratios [0] + [α]·10 + [0]·2, pw ratios [α]·10 + [0]·3.
      const dwRatio = index >= 1 && index <= 10 ? o.alpha : 0;
      const pwRatio = index <= 9 ? o.alpha : 0;
      const block = new OctaveDepthwiseSeparable(
        width(dw),
        width(pw),
        stride,
        bandAlpha(width(dw), dwRatio),
        bandAlpha(width(pw), pwRatio),
        o.random,
      );
      this.blocks.push(this.registerModule(`blocks.${index}`, block));
    });
    const features = width(1024);
    this.classifier = this.registerModule(
      'classifier',
      new Linear({ inFeatures: features, outFeatures: this.numClasses, random: o.random }),
    );
  }

  /** `x`: `[batch, height, width, inChannels]` → logits `[batch, numClasses]`. */
  apply(x: tf.Tensor4D): tf.Tensor2D {
    checkTensor4D(`${this.moduleName}.apply`, 'x', x);
    this.checkApply({ high: x.shape, low: null });
    return tf.tidy(() => {
      let bands: OctaveTensor = {
        high: relu(this.bn1.forward(this.conv1.forward(x))),
        low: null,
      };
      for (const block of this.blocks) bands = block.forward(bands);
      return this.classifier.forward(globalAvgPool(bands.high!) as tf.Tensor2D);
    });
  }

  protected inputShapes(batch: number, height: number, width: number): BandShapes {
    return { high: [batch, height, width, this.inChannels], low: null };
  }

  trace(input: BandShapes, name: string, context: TraceContext): BandShapes {
    return traceNetwork(this, 'relu', input, name, context, OctaveDepthwiseSeparable);
  }
}

/**
 * Oct-MobileNet v2 (official `mobilenet_v2_100` / `_1125` with `ratio = α`): a plain stem
 * (`conv1` 3×3/2, `bn1`, ReLU6), 17 inverted residuals `blocks.0`–`blocks.16`
 * ({@link OctaveInvertedResidual}) whose expanded middle is octave in blocks 0–12 and
 * single-band in 13–16, then `tail_conv` (1×1 to `1280`, or `int(1280 · m)` for m > 1), `tail_bn`,
 * ReLU6, global average pooling and a linear `classifier` (the official 1×1 convolution with
 * bias).
 *
 * Names: `conv1.weight`, `bn1.*`, `blocks.{i}.conv{1,2,3}.{hh,hl,lh,ll}.weight`,
 * `blocks.{i}.bn{1,2,3}.{bn_h,bn_l}.*`, `tail_conv.weight`, `tail_bn.*`, `classifier.weight`,
 * `classifier.bias`.
 */
export class OctMobileNetV2 extends Module<tf.Tensor4D, tf.Tensor2D> {
  readonly moduleName: string = 'OctMobileNetV2';
  readonly widthMultiplier: number;
  readonly alpha: number;
  readonly numClasses: number;
  readonly inChannels: number;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly blocks: OctaveInvertedResidual[] = [];
  readonly tailConv: Conv2d;
  readonly tailBn: BatchNorm2d;
  readonly classifier: Linear;

  constructor(options: OctMobileNetOptions = {}) {
    super();
    const fn = 'octMobileNetV2';
    const o = resolveOptions(fn, options, 0.375);
    checkWidths(fn, o.widthMultiplier, [16]);
    this.widthMultiplier = o.widthMultiplier;
    this.alpha = o.alpha;
    this.numClasses = o.numClasses;
    this.inChannels = o.inChannels;
    const m = o.widthMultiplier;
    const width = (c: number) => Math.floor(c * m);
    const first = stem(this, width(32), o.random);
    this.conv1 = this.registerModule('conv1', first.conv);
    this.bn1 = this.registerModule('bn1', first.bn);
    MOBILENET_V2_BLOCKS.forEach(([cin, t, cout, stride], index) => {
      const inC = width(cin);
      const mid = Math.floor(t * inC);
      // Official list: ratios [α]·13 + [0]·4.
      const ratio = index <= 12 ? o.alpha : 0;
      const block = new OctaveInvertedResidual(
        inC,
        mid,
        width(cout),
        stride,
        bandAlpha(mid, ratio),
        o.random,
      );
      this.blocks.push(this.registerModule(`blocks.${index}`, block));
    });
    const last = m > 1 ? width(1280) : 1280;
    this.tailConv = this.registerModule(
      'tail_conv',
      new Conv2d({
        inChannels: width(320),
        outChannels: last,
        kernelSize: 1,
        padding: 0,
        bias: false,
        random: o.random,
      }),
    );
    this.tailBn = this.registerModule('tail_bn', new BatchNorm2d({ numFeatures: last }));
    this.classifier = this.registerModule(
      'classifier',
      new Linear({ inFeatures: last, outFeatures: this.numClasses, random: o.random }),
    );
  }

  /** `x`: `[batch, height, width, inChannels]` → logits `[batch, numClasses]`. */
  apply(x: tf.Tensor4D): tf.Tensor2D {
    checkTensor4D(`${this.moduleName}.apply`, 'x', x);
    this.checkApply({ high: x.shape, low: null });
    return tf.tidy(() => {
      let bands: OctaveTensor = {
        high: relu6(this.bn1.forward(this.conv1.forward(x))),
        low: null,
      };
      for (const block of this.blocks) bands = block.forward(bands);
      const tail = relu6(this.tailBn.forward(this.tailConv.forward(bands.high!)));
      return this.classifier.forward(globalAvgPool(tail) as tf.Tensor2D);
    });
  }

  protected inputShapes(batch: number, height: number, width: number): BandShapes {
    return { high: [batch, height, width, this.inChannels], low: null };
  }

  trace(input: BandShapes, name: string, context: TraceContext): BandShapes {
    return traceNetwork(this, 'relu6', input, name, context, OctaveInvertedResidual, (shapes) => {
      let out = this.tailConv.trace(shapes, joinName(name, 'tail_conv'), context);
      out = this.tailBn.trace(out, joinName(name, 'tail_bn'), context);
      traceActivation(context, joinName(name, 'tail_relu'), out, 'relu6');
      return out;
    });
  }
}

/** Builds {@link OctMobileNetV1}: `octMobileNetV1({ widthMultiplier: 1, alpha: 0.5 })`. */
export function octMobileNetV1(options: OctMobileNetOptions = {}): OctMobileNetV1 {
  return new OctMobileNetV1(options);
}

/** Builds {@link OctMobileNetV2}: `octMobileNetV2({ widthMultiplier: 1.125, alpha: 0.5 })`. */
export function octMobileNetV2(options: OctMobileNetOptions = {}): OctMobileNetV2 {
  return new OctMobileNetV2(options);
}
