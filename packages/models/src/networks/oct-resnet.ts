import {
  add,
  type BandShapes,
  checkTensor4D,
  globalAvgPool,
  InvalidArgumentError,
  maxPool2d,
  type OctaveTensor,
  relu,
  type StrideMode,
  singleBandStrideMode,
  tidyOctave,
} from '@octconv/core';
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d } from '../layers/batch-norm2d';
import { Conv2d } from '../layers/conv2d';
import { Linear } from '../layers/linear';
import { OctaveBatchNorm2d } from '../layers/octave-batch-norm2d';
import { OctaveConv2d, type PathNaming, SEED_PATH_NAMING } from '../layers/octave-conv2d';
import { checkLayerOptions } from '../layers/options';
import { formatShape, joinName, Module, shapeError, type TraceContext } from '../module/module';
import { type RandomInit, type RandomSource, resolveRandom } from '../module/random';

/** Blocks per stage for each supported depth (bottleneck ResNets). */
export const OCT_RESNET_DEPTHS = {
  26: [2, 2, 2, 2],
  50: [3, 4, 6, 3],
  101: [3, 4, 23, 3],
  152: [3, 8, 36, 3],
} as const;

/** A supported Oct-ResNet depth. */
export type OctResNetDepth = keyof typeof OCT_RESNET_DEPTHS;

/**
 * Which code an {@link OctResNet} reproduces, names and semantics:
 *
 * - `'default'`: the official code's `resnet*_v1b` with torchvision's names and the band
 *   inserted (`layer1.0.conv1.hh.weight`, `layer1.0.bn1.bn_h.weight`); any α; a single-band
 *   layer at stride 2 convolves with stride 2, so α = 0 is torchvision's ResNet.
 * - `'d-li14'`: d-li14/octconv.pytorch (`oct_resnet.py`, `octconv.py`), whose ImageNet
 *   checkpoint is the only public pretrained Oct-ResNet-50; its state-dict names
 *   (`layer1.0.conv1.conv.conv_h2h.weight`, `layer1.0.conv1.bn_h.weight`,
 *   `layer1.0.downsample.0.conv.conv_h2l.weight`, …) and its semantics: α fixed at 0.5 (the only
 *   value that code builds), every stride 2 pools first, including the single-band 3×3 that
 *   opens stage 4. Pooling and upsampling are ours (ceil, then crop), which equal that code's on
 *   every size it runs; it fails on maps that become odd inside the network (e.g. 240²), which
 *   this variant runs. That code builds α = 0.5; a fork that changes the 0.5 loads with its
 *   α: each layer splits as that code does, `int(α · C)` low channels (truncated), for any α
 *   where its batch norms agree with its convolutions (`int(C · (1 − α)) = C − int(α · C)`).
 * - `'torchvision'`: torchvision's `resnet50` etc. (`torchvision.models.resnet`), α = 0 only:
 *   its names (`layer1.0.conv1.weight`, `layer1.0.bn1.running_mean`,
 *   `layer1.0.downsample.0.weight`, `layer1.0.downsample.1.weight`) and its `Bottleneck` (v1.5:
 *   the stride on the 3×3, a strided 1×1 projection shortcut in each stage's first block), so
 *   torchvision's pretrained `.pth` files load as they are. It computes exactly what
 *   `'default'` computes at α = 0; only the names differ.
 */
export type OctResNetVariant = 'default' | 'd-li14' | 'torchvision';

/** The variants {@link OctResNet} knows. */
export const OCT_RESNET_VARIANTS: readonly OctResNetVariant[] = [
  'default',
  'd-li14',
  'torchvision',
];

/** Options of {@link octResNet}. */
export interface OctResNetOptions {
  depth: OctResNetDepth;
  /**
   * Low-band fraction of stages 1–3 (stage 4 is always 0); 0 gives plain ResNet. The `'d-li14'`
   * variant splits each layer as that code does (`int(α · C)` low channels), `'torchvision'`
   * takes 0 only.
   */
  alpha: number;
  /** Names and semantics to reproduce; default `'default'` (see {@link OctResNetVariant}). */
  variant?: OctResNetVariant;
  /** Default 1000. */
  numClasses?: number;
  /** Image channels; default 3. */
  inChannels?: number;
  random?: RandomInit;
}

/**
 * Stride-2 semantics of one OctConv of the network: `'pool'` (the paper's) where a low band is
 * involved; a single-band layer (α_in = α_out = 0) convolves with stride 2, exactly as plain
 * ResNet does, so that α = 0 is torchvision's ResNet (v1.5) and not a pooled variant of it.
 * Multiply-adds are the same either way.
 */
function strideModeFor(alphaIn: number, alphaOut: number, variant: OctResNetVariant): StrideMode {
  // d-li14's OctaveConv average-pools the high band before any stride-2 convolution, also when
  // the layer has no low band at all (the 3×3 that opens stage 4).
  if (variant === 'd-li14') return 'pool';
  return singleBandStrideMode(alphaIn, alphaOut);
}

/** The names of a bottleneck's parts under one variant. */
interface BottleneckNames {
  paths: PathNaming;
  conv1: string;
  bn1: string;
  relu1: string;
  conv2: string;
  bn2: string;
  relu2: string;
  conv3: string;
  bn3: string;
  downsampleConv: string;
  downsampleBn: string;
  add: string;
  relu3: string;
}

const BOTTLENECK_NAMES: Record<OctResNetVariant, BottleneckNames> = {
  default: {
    paths: SEED_PATH_NAMING,
    conv1: 'conv1',
    bn1: 'bn1',
    relu1: 'relu1',
    conv2: 'conv2',
    bn2: 'bn2',
    relu2: 'relu2',
    conv3: 'conv3',
    bn3: 'bn3',
    downsampleConv: 'downsample.0',
    downsampleBn: 'downsample.1',
    add: 'add',
    relu3: 'relu3',
  },
  // d-li14 wraps each OctaveConv with its batch norms (and ReLU) in one module: `conv1` is
  // `Conv_BN_ACT` holding `conv` (the OctConv, paths `conv_h2h` …) and `bn_h`/`bn_l`; the
  // shortcut is one `Conv_BN` at `downsample.0`. Its OctaveConv registers l2l, l2h, h2l, h2h.
  'd-li14': {
    paths: {
      names: { hh: 'conv_h2h', hl: 'conv_h2l', lh: 'conv_l2h', ll: 'conv_l2l' },
      order: ['ll', 'lh', 'hl', 'hh'],
    },
    conv1: 'conv1.conv',
    bn1: 'conv1',
    relu1: 'conv1.act',
    conv2: 'conv2.conv',
    bn2: 'conv2',
    relu2: 'conv2.act',
    conv3: 'conv3.conv',
    bn3: 'conv3',
    downsampleConv: 'downsample.0.conv',
    downsampleBn: 'downsample.0',
    add: 'add',
    relu3: 'relu',
  },
  // torchvision's Bottleneck: plain `conv1.weight`, `bn1.weight`, `downsample.0.weight`,
  // `downsample.1.weight` (the one band's convolution and batch norm under the parts' names).
  torchvision: {
    paths: { names: { hh: '', hl: 'hl', lh: 'lh', ll: 'll' }, order: ['hh', 'hl', 'lh', 'll'] },
    conv1: 'conv1',
    bn1: 'bn1',
    relu1: 'relu',
    conv2: 'conv2',
    bn2: 'bn2',
    relu2: 'relu',
    conv3: 'conv3',
    bn3: 'bn3',
    downsampleConv: 'downsample.0',
    downsampleBn: 'downsample.1',
    add: 'add',
    relu3: 'relu',
  },
};

/**
 * The α a layer of `channels` channels is built with: the nominal α, or under `'d-li14'` the
 * fraction that code's truncated split gives (`int(α · C) / C`), which our rounding split
 * reproduces exactly.
 */
function layerAlpha(alpha: number, channels: number, variant: OctResNetVariant): number {
  return variant === 'd-li14' ? Math.trunc(alpha * channels) / channels : alpha;
}

/**
 * Why d-li14's code cannot be built with `alpha`, or null: its batch norms take
 * `int(C · (1 − α))` high channels where its convolutions give `C − int(α · C)`, and a low band
 * must have a channel in every layer.
 */
function dLi14AlphaProblem(alpha: number): string | null {
  if (alpha === 0) return null;
  if (!(alpha < 1)) return 'it must be below 1';
  for (const channels of [64, 128, 256, 512, 1024]) {
    const low = Math.trunc(alpha * channels);
    if (low === 0) {
      return `int(α · ${channels}) is 0: a layer of ${channels} channels would have no low band; use α ≥ ${1 / 64}`;
    }
    const bnHigh = Math.trunc(channels * (1 - alpha));
    if (bnHigh !== channels - low) {
      return `that code's batch norm would take int(${channels} · (1 − α)) = ${bnHigh} high channels while its convolution gives ${channels} − int(α · ${channels}) = ${channels - low}, so that network does not run in PyTorch either; choose an α with α · ${channels} a whole number (0.25, 0.125, 0.375, 0.5, …)`;
    }
  }
  return null;
}

function relus(x: OctaveTensor): OctaveTensor {
  return { high: x.high && relu(x.high), low: x.low && relu(x.low) };
}

/**
 * The Oct-ResNet bottleneck: `conv1` 1×1 → `conv2` 3×3 (with the stride) → `conv3` 1×1 to
 * 4 × `planes` channels, each OctConv followed by batch norm per band (`bn1`–`bn3`), and a 1×1
 * OctConv projection (`downsample.0`, `downsample.1`) when shape or α changes. Under the
 * `'d-li14'` variant the same parts carry that code's names (`conv1.conv`, `conv1.bn_h`, …,
 * `downsample.0.conv`, `downsample.0.bn_h`).
 */
export class OctaveBottleneck extends Module<OctaveTensor, OctaveTensor> {
  readonly moduleName: string = 'OctaveBottleneck';
  readonly conv1: OctaveConv2d;
  readonly bn1: OctaveBatchNorm2d;
  readonly conv2: OctaveConv2d;
  readonly bn2: OctaveBatchNorm2d;
  readonly conv3: OctaveConv2d;
  readonly bn3: OctaveBatchNorm2d;
  readonly downsampleConv: OctaveConv2d | null;
  readonly downsampleBn: OctaveBatchNorm2d | null;
  /** Whose names and stride semantics the block follows. */
  readonly variant: OctResNetVariant;
  private readonly names: BottleneckNames;

  constructor(
    inChannels: number,
    planes: number,
    stride: 1 | 2,
    alphaIn: number,
    alpha: number,
    random: RandomSource,
    variant: OctResNetVariant = 'default',
  ) {
    super();
    this.variant = variant;
    const names = BOTTLENECK_NAMES[variant];
    this.names = names;
    const outChannels = planes * 4;
    const conv = (
      cin: number,
      cout: number,
      kernelSize: number,
      aIn: number,
      s: 1 | 2,
    ): OctaveConv2d =>
      new OctaveConv2d(
        {
          inChannels: cin,
          outChannels: cout,
          kernelSize,
          padding: (kernelSize - 1) / 2,
          alphaIn: layerAlpha(aIn, cin, variant),
          alphaOut: layerAlpha(alpha, cout, variant),
          stride: s,
          strideMode: strideModeFor(aIn, alpha, variant),
          random,
        },
        names.paths,
      );
    const bn = (channels: number) =>
      new OctaveBatchNorm2d({ channels, alpha: layerAlpha(alpha, channels, variant) });
    // torchvision registers the one band's batch norm itself under the part's name.
    const registerBn = (part: string, norm: OctaveBatchNorm2d): OctaveBatchNorm2d => {
      if (variant === 'torchvision') this.registerModule(part, norm.bnH!);
      else this.registerModule(part, norm);
      return norm;
    };
    this.conv1 = this.registerModule(names.conv1, conv(inChannels, planes, 1, alphaIn, 1));
    this.bn1 = registerBn(names.bn1, bn(planes));
    this.conv2 = this.registerModule(names.conv2, conv(planes, planes, 3, alpha, stride));
    this.bn2 = registerBn(names.bn2, bn(planes));
    this.conv3 = this.registerModule(names.conv3, conv(planes, outChannels, 1, alpha, 1));
    this.bn3 = registerBn(names.bn3, bn(outChannels));
    const project = stride !== 1 || inChannels !== outChannels || alphaIn !== alpha;
    this.downsampleConv = project
      ? this.registerModule(names.downsampleConv, conv(inChannels, outChannels, 1, alphaIn, stride))
      : null;
    this.downsampleBn = project ? registerBn(names.downsampleBn, bn(outChannels)) : null;
  }

  apply(x: OctaveTensor): OctaveTensor {
    this.checkOctaveApply(x);
    return this.forward(x);
  }

  /** @internal */
  forward(x: OctaveTensor): OctaveTensor {
    return tidyOctave(() => {
      let out = relus(this.bn1.forward(this.conv1.forwardOctave(x)));
      out = relus(this.bn2.forward(this.conv2.forwardOctave(out)));
      out = this.bn3.forward(this.conv3.forwardOctave(out));
      const identity =
        this.downsampleConv && this.downsampleBn
          ? this.downsampleBn.forward(this.downsampleConv.forwardOctave(x))
          : x;
      return relus({
        high: out.high && add(out.high, identity.high!),
        low: out.low && add(out.low, identity.low!),
      });
    });
  }

  protected inputShapes(batch: number, height: number, width: number): BandShapes {
    return this.conv1.describe({ batch, height, width }).input;
  }

  trace(input: BandShapes, name: string, context: TraceContext): BandShapes {
    const relu = (shapes: BandShapes, label: string) =>
      context.layers.push({
        kind: 'relu',
        name: joinName(name, label),
        input: shapes,
        output: shapes,
      });
    const names = this.names;
    // Layers are described under their state-dict names (torchvision's plain batch norms too).
    const norm = (bn: OctaveBatchNorm2d, shapes: BandShapes, part: string): BandShapes =>
      this.variant === 'torchvision'
        ? bn.bnH!.trace(shapes, joinName(name, part), context)
        : bn.trace(shapes, joinName(name, part), context);
    let out = this.conv1.trace(input, joinName(name, names.conv1), context);
    out = norm(this.bn1, out, names.bn1);
    relu(out, names.relu1);
    out = this.conv2.trace(out, joinName(name, names.conv2), context);
    out = norm(this.bn2, out, names.bn2);
    relu(out, names.relu2);
    out = this.conv3.trace(out, joinName(name, names.conv3), context);
    out = norm(this.bn3, out, names.bn3);
    let identity = input;
    if (this.downsampleConv && this.downsampleBn) {
      identity = this.downsampleConv.trace(input, joinName(name, names.downsampleConv), context);
      identity = norm(this.downsampleBn, identity, names.downsampleBn);
    }
    const same = (a: number[] | null, b: number[] | null) =>
      a === b ||
      (a !== null && b !== null && a.length === b.length && a.every((v, i) => v === b[i]));
    if (!same(out.high, identity.high) || !same(out.low, identity.low)) {
      shapeError(
        context,
        name,
        `residual shapes differ: high ${formatShape(out.high)} vs ${formatShape(identity.high)}, low ${formatShape(out.low)} vs ${formatShape(identity.low)}`,
      );
    }
    context.layers.push({
      kind: 'add',
      name: joinName(name, names.add),
      input: out,
      output: out,
    });
    relu(out, names.relu3);
    return out;
  }
}

/**
 * Oct-ResNet (Chen et al. 2019, official code's `resnet*_v1b`): a plain stem (`conv1` 7×7/2,
 * `bn1`, ReLU, `maxpool` 3×3/2), four stages of OctConv bottlenecks with the stride on the 3×3
 * convolution and a 1×1 OctConv projection shortcut in each stage's first block, α in stages
 * 1–3 and 0 in stage 4 (its first block takes both bands back to one), global average pool and
 * `fc`. Names follow torchvision with the path inserted: `layer1.0.conv1.hh.weight`,
 * `layer1.0.bn1.bn_h.running_mean`, `layer2.0.downsample.0.hl.weight`.
 *
 * `variant: 'd-li14'` reproduces d-li14/octconv.pytorch instead, names and semantics, so that
 * its published ImageNet checkpoint loads as it is (see {@link OctResNetVariant}).
 */
export class OctResNet extends Module<tf.Tensor4D, tf.Tensor2D> {
  readonly moduleName: string = 'OctResNet';
  readonly depth: OctResNetDepth;
  readonly alpha: number;
  readonly numClasses: number;
  readonly inChannels: number;
  /** Whose names and semantics the network follows (see {@link OctResNetVariant}). */
  readonly variant: OctResNetVariant;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly blocks: OctaveBottleneck[] = [];
  readonly fc: Linear;

  constructor(options: OctResNetOptions) {
    super();
    const o = checkLayerOptions(
      'OctResNet',
      options,
      {
        depth: 'count',
        alpha: 'alpha',
        numClasses: 'count',
        inChannels: 'count',
        variant: 'variant',
        random: 'random',
      },
      ['depth', 'alpha'],
    );
    const depth = o.depth as OctResNetDepth;
    if (!(depth in OCT_RESNET_DEPTHS)) {
      throw new InvalidArgumentError({
        functionName: 'OctResNet',
        argument: 'options.depth',
        value: depth,
        message: `options.depth must be 26, 50, 101 or 152, got ${String(depth)}`,
      });
    }
    const variant = (o.variant as OctResNetVariant | undefined) ?? 'default';
    const alphaProblem =
      variant === 'd-li14'
        ? dLi14AlphaProblem(o.alpha as number)
        : variant === 'torchvision' && o.alpha !== 0
          ? "torchvision's ResNet has one band; use alpha: 0, or variant 'default' for an Oct-ResNet with torchvision's names and the band inserted"
          : null;
    if (alphaProblem !== null) {
      throw new InvalidArgumentError({
        functionName: 'OctResNet',
        argument: 'options.alpha',
        value: o.alpha,
        message: `options.alpha ${String(o.alpha)} does not fit variant '${variant}': ${alphaProblem}`,
      });
    }
    this.depth = depth;
    this.variant = variant;
    this.alpha = o.alpha as number;
    this.numClasses = (o.numClasses as number | undefined) ?? 1000;
    this.inChannels = (o.inChannels as number | undefined) ?? 3;
    const random = resolveRandom(o.random as RandomInit);
    this.conv1 = this.registerModule(
      'conv1',
      new Conv2d({
        inChannels: this.inChannels,
        outChannels: 64,
        kernelSize: 7,
        stride: 2,
        padding: 3,
        bias: false,
        random,
      }),
    );
    this.bn1 = this.registerModule('bn1', new BatchNorm2d({ numFeatures: 64 }));
    const stageAlpha = [this.alpha, this.alpha, this.alpha, 0];
    let inChannels = 64;
    let alphaIn = 0;
    OCT_RESNET_DEPTHS[depth].forEach((count, stage) => {
      const planes = 64 * 2 ** stage;
      for (let index = 0; index < count; index++) {
        const stride = stage > 0 && index === 0 ? 2 : 1;
        const block = new OctaveBottleneck(
          inChannels,
          planes,
          stride,
          alphaIn,
          stageAlpha[stage]!,
          random,
          variant,
        );
        this.blocks.push(this.registerModule(`layer${stage + 1}.${index}`, block));
        inChannels = planes * 4;
        alphaIn = stageAlpha[stage]!;
      }
    });
    this.fc = this.registerModule(
      'fc',
      new Linear({ inFeatures: 2048, outFeatures: this.numClasses, random }),
    );
  }

  /** `x`: `[batch, height, width, inChannels]` → logits `[batch, numClasses]`. */
  apply(x: tf.Tensor4D): tf.Tensor2D {
    checkTensor4D(`${this.moduleName}.apply`, 'x', x);
    this.checkApply({ high: x.shape, low: null });
    return tf.tidy(() => {
      const stem = relu(this.bn1.forward(this.conv1.forward(x)));
      let bands: OctaveTensor = {
        high: maxPool2d(stem, { kernelSize: 3, stride: 2, padding: 1 }),
        low: null,
      };
      for (const block of this.blocks) bands = block.forward(bands);
      return this.fc.forward(globalAvgPool(bands.high!));
    });
  }

  protected inputShapes(batch: number, height: number, width: number): BandShapes {
    return { high: [batch, height, width, this.inChannels], low: null };
  }

  trace(input: BandShapes, name: string, context: TraceContext): BandShapes {
    let shapes = this.conv1.trace(input, joinName(name, 'conv1'), context);
    shapes = this.bn1.trace(shapes, joinName(name, 'bn1'), context);
    context.layers.push({
      kind: 'relu',
      name: joinName(name, 'relu'),
      input: shapes,
      output: shapes,
    });
    const [batch, height, width, channels] = shapes.high as number[];
    const pooledSize = (size: number) => Math.floor((size + 2 - 3) / 2) + 1;
    const pooled: BandShapes = {
      high: [batch!, pooledSize(height!), pooledSize(width!), channels!],
      low: null,
    };
    context.layers.push({
      kind: 'max-pool',
      name: joinName(name, 'maxpool'),
      input: shapes,
      output: pooled,
      kernelSize: 3,
      stride: 2,
      padding: 1,
    });
    let bands = pooled;
    for (const [childName, child] of this.namedChildren()) {
      if (child instanceof OctaveBottleneck)
        bands = child.trace(bands, joinName(name, childName), context);
    }
    const vector: BandShapes = { high: [batch!, bands.high![3]!], low: null };
    context.layers.push({
      kind: 'global-avg-pool',
      name: joinName(name, 'avgpool'),
      input: bands,
      output: vector,
    });
    return this.fc.trace(vector, joinName(name, 'fc'), context);
  }
}

/**
 * Builds {@link OctResNet}: `octResNet({ depth: 50, alpha: 0.5 })`; for d-li14's pretrained
 * checkpoint `octResNet({ depth: 50, alpha: 0.5, variant: 'd-li14' })`; for torchvision's
 * ResNet-50 `octResNet({ depth: 50, alpha: 0, variant: 'torchvision' })`.
 */
export function octResNet(options: OctResNetOptions): OctResNet {
  return new OctResNet(options);
}
