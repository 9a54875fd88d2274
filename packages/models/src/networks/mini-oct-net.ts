import {
  type BandShapes,
  checkTensor4D,
  globalAvgPool,
  octaveMerge,
  octaveSplit,
  relu,
  splitChannels,
} from '@octconv/core';
import * as tf from '@tensorflow/tfjs-core';
import { OctaveConvBlock } from '../blocks/octave-conv-block';
import { BatchNorm2d } from '../layers/batch-norm2d';
import { Conv2d } from '../layers/conv2d';
import { Linear } from '../layers/linear';
import { checkLayerOptions } from '../layers/options';
import { formatShape, joinName, Module, shapeError, type TraceContext } from '../module/module';
import { type RandomInit, resolveRandom } from '../module/random';

/** Options of {@link MiniOctNet}; defaults are the seed notebook's. */
export interface MiniOctNetOptions {
  /** Image channels; default 3. */
  inChannels?: number;
  /** Default 10. */
  numClasses?: number;
  /** Low-band fraction of every octave layer; default 0.5. 0 gives the plain twin. */
  alpha?: number;
  random?: RandomInit;
}

/**
 * The seed notebook's network: stem (`stem.0` conv 3×3 to 64 channels, `stem.1` batch norm,
 * ReLU), split into bands (`split_hl`: first channels high, the rest average-pooled), two
 * OctConv blocks (`b1` 64→128, `b2` 128→128), merge (`merge_hl`: low upsampled and concatenated
 * after high), global average pool and `fc`. 224,842 parameters at the defaults, as in PyTorch.
 */
export class MiniOctNet extends Module<tf.Tensor4D, tf.Tensor2D> {
  readonly moduleName: string = 'MiniOctNet';
  readonly inChannels: number;
  readonly numClasses: number;
  readonly alpha: number;
  readonly stemConv: Conv2d;
  readonly stemBn: BatchNorm2d;
  readonly b1: OctaveConvBlock;
  readonly b2: OctaveConvBlock;
  readonly fc: Linear;

  constructor(options: MiniOctNetOptions = {}) {
    super();
    const o = checkLayerOptions('MiniOctNet', options, {
      inChannels: 'count',
      numClasses: 'count',
      alpha: 'alpha',
      random: 'random',
    });
    this.inChannels = (o.inChannels as number | undefined) ?? 3;
    this.numClasses = (o.numClasses as number | undefined) ?? 10;
    this.alpha = (o.alpha as number | undefined) ?? 0.5;
    const random = resolveRandom(o.random as RandomInit);
    const alpha = this.alpha;
    this.stemConv = this.registerModule(
      'stem.0',
      new Conv2d({
        inChannels: this.inChannels,
        outChannels: 64,
        kernelSize: 3,
        padding: 1,
        bias: false,
        random,
      }),
    );
    this.stemBn = this.registerModule('stem.1', new BatchNorm2d({ numFeatures: 64 }));
    this.b1 = this.registerModule(
      'b1',
      new OctaveConvBlock({
        inChannels: 64,
        outChannels: 128,
        alphaIn: alpha,
        alphaOut: alpha,
        random,
      }),
    );
    this.b2 = this.registerModule(
      'b2',
      new OctaveConvBlock({
        inChannels: 128,
        outChannels: 128,
        alphaIn: alpha,
        alphaOut: alpha,
        random,
      }),
    );
    this.fc = this.registerModule(
      'fc',
      new Linear({ inFeatures: 128, outFeatures: this.numClasses, random }),
    );
  }

  /** `x`: `[batch, height, width, inChannels]` → logits `[batch, numClasses]`. */
  apply(x: tf.Tensor4D): tf.Tensor2D {
    checkTensor4D(`${this.moduleName}.apply`, 'x', x);
    this.checkApply({ high: x.shape, low: null });
    return tf.tidy(() => {
      const stem = relu(this.stemBn.forward(this.stemConv.forward(x)));
      let bands = octaveSplit(stem, this.alpha);
      bands = this.b1.forward(bands);
      bands = this.b2.forward(bands);
      return this.fc.forward(globalAvgPool(octaveMerge(bands)));
    });
  }

  protected inputShapes(batch: number, height: number, width: number): BandShapes {
    return { high: [batch, height, width, this.inChannels], low: null };
  }

  trace(input: BandShapes, name: string, context: TraceContext): BandShapes {
    let shapes = this.stemConv.trace(input, joinName(name, 'stem.0'), context);
    shapes = this.stemBn.trace(shapes, joinName(name, 'stem.1'), context);
    context.layers.push({
      kind: 'relu',
      name: joinName(name, 'stem.2'),
      input: shapes,
      output: shapes,
    });
    const [batch, height, width, channels] = shapes.high as number[];
    const split = splitChannels(channels!, this.alpha);
    const bands: BandShapes = {
      high: split.high > 0 ? [batch!, height!, width!, split.high] : null,
      low:
        split.low > 0 ? [batch!, Math.ceil(height! / 2), Math.ceil(width! / 2), split.low] : null,
    };
    context.layers.push({
      kind: 'octave-split',
      name: joinName(name, 'split'),
      input: shapes,
      output: bands,
      alpha: this.alpha,
    });
    let out = this.b1.trace(bands, joinName(name, 'b1'), context);
    out = this.b2.trace(out, joinName(name, 'b2'), context);
    const high = out.high ?? null;
    const low = out.low ?? null;
    const size = high ?? (low ? [low[0]!, 2 * low[1]!, 2 * low[2]!] : null);
    if (size === null)
      shapeError(
        context,
        name,
        `no band after b2: high ${formatShape(high)}, low ${formatShape(low)}`,
      );
    const mergedChannels = (high?.[3] ?? 0) + (low?.[3] ?? 0);
    const merged: BandShapes = { high: [size[0]!, size[1]!, size[2]!, mergedChannels], low: null };
    context.layers.push({
      kind: 'octave-merge',
      name: joinName(name, 'merge'),
      input: out,
      output: merged,
    });
    const pooled: BandShapes = { high: [size[0]!, mergedChannels], low: null };
    context.layers.push({
      kind: 'global-avg-pool',
      name: joinName(name, 'pool'),
      input: merged,
      output: pooled,
    });
    return this.fc.trace(pooled, joinName(name, 'fc'), context);
  }
}
