import {
  type BandShapes,
  checkTensor4D,
  conv2d,
  convOutputSize,
  InvalidArgumentError,
  type Padding,
  resolvePadding,
} from '@octconv/core';
import type * as tf from '@tensorflow/tfjs-core';
import { featureMapMismatch, Module, shapeError, type TraceContext } from '../module/module';
import { type RandomInit, resolveRandom, uniformVariable } from '../module/random';
import { checkLayerOptions } from './options';

/** Options of {@link Conv2d}, as `nn.Conv2d`'s. */
export interface Conv2dModuleOptions {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  /** Default 1. */
  stride?: number;
  /** Default 0, as `nn.Conv2d`. */
  padding?: Padding;
  /** Default 1. */
  dilation?: number;
  /** Default 1. */
  groups?: number;
  /** Default true, as `nn.Conv2d`. */
  bias?: boolean;
  /** Seed or random source for the initial weights (PyTorch's default initialisation). */
  random?: RandomInit;
}

/**
 * A plain convolution, PyTorch's `nn.Conv2d`: parameters `weight` (`[kh, kw, in / groups, out]`,
 * HWIO; OIHW in a PyTorch checkpoint) and `bias`.
 */
export class Conv2d extends Module<tf.Tensor4D, tf.Tensor4D> {
  readonly moduleName: string = 'Conv2d';
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: Padding;
  readonly dilation: number;
  readonly groups: number;
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(options: Conv2dModuleOptions) {
    super();
    const o = checkLayerOptions(
      'Conv2d',
      options,
      {
        inChannels: 'count',
        outChannels: 'count',
        kernelSize: 'count',
        stride: 'count',
        padding: 'padding',
        dilation: 'count',
        groups: 'count',
        bias: 'boolean',
        random: 'random',
      },
      ['inChannels', 'outChannels', 'kernelSize'],
    );
    this.inChannels = o.inChannels as number;
    this.outChannels = o.outChannels as number;
    this.kernelSize = o.kernelSize as number;
    this.stride = (o.stride as number | undefined) ?? 1;
    this.padding = (o.padding as Padding | undefined) ?? 0;
    this.dilation = (o.dilation as number | undefined) ?? 1;
    this.groups = (o.groups as number | undefined) ?? 1;
    if (this.inChannels % this.groups !== 0 || this.outChannels % this.groups !== 0) {
      throw new InvalidArgumentError({
        functionName: 'Conv2d',
        argument: 'options.groups',
        value: this.groups,
        message: `groups ${this.groups} must divide inChannels ${this.inChannels} and outChannels ${this.outChannels}`,
      });
    }
    if (this.stride > 1 && this.dilation > 1) {
      throw new InvalidArgumentError({
        functionName: 'Conv2d',
        argument: 'options.dilation',
        value: this.dilation,
        message: `a stride above 1 with dilation ${this.dilation} is not supported (tfjs convolutions take one or the other)`,
      });
    }
    const random = resolveRandom(o.random as RandomInit);
    const k = this.kernelSize;
    const groupIn = this.inChannels / this.groups;
    const fanIn = groupIn * k * k;
    this.weight = this.registerParameter(
      'weight',
      uniformVariable(random, [k, k, groupIn, this.outChannels], fanIn, 'weight'),
    );
    this.bias =
      (o.bias ?? true)
        ? this.registerParameter('bias', uniformVariable(random, [this.outChannels], fanIn, 'bias'))
        : null;
  }

  /** `x`: `[batch, height, width, inChannels]` → `[batch, outHeight, outWidth, outChannels]`. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    checkTensor4D(`${this.moduleName}.apply`, 'x', x);
    this.checkApply({ high: x.shape, low: null });
    return this.forward(x);
  }

  /** @internal Forward of an already-checked input. */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return conv2d(x, this.weight as tf.Tensor4D, {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
      bias: this.bias as tf.Tensor1D | null,
    });
  }

  protected inputShapes(batch: number, height: number, width: number): BandShapes {
    return { high: [batch, height, width, this.inChannels], low: null };
  }

  trace(input: BandShapes, name: string, context: TraceContext): BandShapes {
    const shape = input.high;
    if (
      input.low !== null ||
      shape === null ||
      shape.length !== 4 ||
      shape[3] !== this.inChannels
    ) {
      shapeError(context, name, featureMapMismatch(this.inChannels, input));
    }
    const [batch, height, width] = shape as [number, number, number, number];
    const k = this.kernelSize;
    const padH = resolvePadding(this.padding, height, k, this.stride, this.dilation);
    const padW = resolvePadding(this.padding, width, k, this.stride, this.dilation);
    const outHeight = convOutputSize(height, k, this.stride, this.dilation, padH);
    const outWidth = convOutputSize(width, k, this.stride, this.dilation, padW);
    if (outHeight < 1 || outWidth < 1) {
      shapeError(context, name, `a ${k}×${k} kernel does not fit a ${height}×${width} input`);
    }
    const output: BandShapes = { high: [batch, outHeight, outWidth, this.outChannels], low: null };
    context.layers.push({
      kind: 'conv2d',
      name,
      input,
      output,
      inChannels: this.inChannels,
      outChannels: this.outChannels,
      kernelSize: [k, k],
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
      bias: this.bias !== null,
    });
    return output;
  }
}
