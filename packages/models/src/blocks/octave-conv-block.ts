import {
  type BandShapes,
  type OctaveTensor,
  relu,
  type StrideMode,
  tidyOctave,
} from '@octconv/core';
import type * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d } from '../layers/batch-norm2d';
import { OctaveConv2d } from '../layers/octave-conv2d';
import { checkLayerOptions } from '../layers/options';
import { joinName, Module, type TraceContext } from '../module/module';
import { type RandomInit, resolveRandom } from '../module/random';

/**
 * Options of {@link OctaveConvBlock}; defaults are the seed notebook's except `strideMode`
 * (`'pool'`, the paper's; the seed's block behaves as `'conv'`, which a stride-2 seed checkpoint
 * needs).
 */
export interface OctaveConvBlockOptions {
  inChannels: number;
  outChannels: number;
  /** Default 0.5. */
  alphaIn?: number;
  /** Default 0.5. */
  alphaOut?: number;
  /** Default 3. */
  kernelSize?: number;
  /** 1 or 2; default 1. */
  stride?: 1 | 2;
  /** Default 1. */
  padding?: number | 'same';
  /**
   * Stride-2 semantics of the OctConv; default `'pool'` (the paper's). The seed's block passes
   * its stride to all four convolutions, which is `'conv'`.
   */
  strideMode?: StrideMode;
  random?: RandomInit;
}

/**
 * The seed's `OctaveConvBlock`: an OctConv without bias (`oct`), batch norm per band (`bn_h`,
 * `bn_l`, present when the band has channels), then ReLU on each band.
 */
export class OctaveConvBlock extends Module<OctaveTensor, OctaveTensor> {
  readonly moduleName: string = 'OctaveConvBlock';
  readonly oct: OctaveConv2d;
  readonly bnH: BatchNorm2d | null;
  readonly bnL: BatchNorm2d | null;

  constructor(options: OctaveConvBlockOptions) {
    super();
    const o = checkLayerOptions(
      'OctaveConvBlock',
      options,
      {
        inChannels: 'count',
        outChannels: 'count',
        alphaIn: 'alpha',
        alphaOut: 'alpha',
        kernelSize: 'count',
        stride: 'stride',
        padding: 'padding',
        strideMode: 'strideMode',
        random: 'random',
      },
      ['inChannels', 'outChannels'],
    );
    const random = resolveRandom(o.random as RandomInit);
    this.oct = this.registerModule(
      'oct',
      new OctaveConv2d({ ...(options as OctaveConvBlockOptions), bias: false, random }),
    );
    const { high, low } = this.oct.channels.out;
    this.bnH =
      high > 0 ? this.registerModule('bn_h', new BatchNorm2d({ numFeatures: high })) : null;
    this.bnL = low > 0 ? this.registerModule('bn_l', new BatchNorm2d({ numFeatures: low })) : null;
  }

  /** `{ high, low }` in, `{ high, low }` out (after batch norm and ReLU). */
  apply(x: OctaveTensor): OctaveTensor {
    this.checkOctaveApply(x);
    return this.forward(x);
  }

  /** @internal Forward of an already-checked input. */
  forward(x: OctaveTensor): OctaveTensor {
    return tidyOctave(() => {
      const y = this.oct.forwardOctave(x);
      const finish = (band: tf.Tensor4D | null, bn: BatchNorm2d | null) =>
        band === null || bn === null ? band : relu(bn.forward(band));
      return { high: finish(y.high, this.bnH), low: finish(y.low, this.bnL) };
    });
  }

  protected inputShapes(batch: number, height: number, width: number): BandShapes {
    return this.oct.describe({ batch, height, width }).input;
  }

  trace(input: BandShapes, name: string, context: TraceContext): BandShapes {
    const output = this.oct.trace(input, joinName(name, 'oct'), context);
    if (this.bnH) this.bnH.trace({ high: output.high, low: null }, joinName(name, 'bn_h'), context);
    if (this.bnL) this.bnL.trace({ high: null, low: output.low }, joinName(name, 'bn_l'), context);
    context.layers.push({ kind: 'relu', name: joinName(name, 'act'), input: output, output });
    return output;
  }
}
