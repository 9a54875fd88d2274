import {
  type BandShapes,
  type ChannelSplit,
  type OctaveTensor,
  splitChannels,
  tidyOctave,
} from '@octconv/core';
import { formatShape, joinName, Module, shapeError, type TraceContext } from '../module/module';
import { BatchNorm2d } from './batch-norm2d';
import { checkLayerOptions } from './options';

/** Options of {@link OctaveBatchNorm2d}. */
export interface OctaveBatchNorm2dOptions {
  /** Total channels, both bands. */
  channels: number;
  /** Low-band fraction, split as OctConv splits (`round(C · α)` low, ties to even). */
  alpha: number;
  eps?: number;
  momentum?: number;
}

/** Batch norm per band of an octave feature map: `bn_h` and `bn_l`, each a {@link BatchNorm2d}. */
export class OctaveBatchNorm2d extends Module<OctaveTensor, OctaveTensor> {
  readonly moduleName: string = 'OctaveBatchNorm2d';
  readonly channels: ChannelSplit;
  readonly bnH: BatchNorm2d | null;
  readonly bnL: BatchNorm2d | null;

  constructor(options: OctaveBatchNorm2dOptions) {
    super();
    const o = checkLayerOptions(
      'OctaveBatchNorm2d',
      options,
      { channels: 'count', alpha: 'alpha', eps: 'positive', momentum: 'positive' },
      ['channels', 'alpha'],
    );
    this.channels = splitChannels(o.channels as number, o.alpha as number);
    const settings = {
      ...(o.eps !== undefined && { eps: o.eps as number }),
      ...(o.momentum !== undefined && { momentum: o.momentum as number }),
    };
    const { high, low } = this.channels;
    this.bnH =
      high > 0
        ? this.registerModule('bn_h', new BatchNorm2d({ numFeatures: high, ...settings }))
        : null;
    this.bnL =
      low > 0
        ? this.registerModule('bn_l', new BatchNorm2d({ numFeatures: low, ...settings }))
        : null;
  }

  apply(x: OctaveTensor): OctaveTensor {
    this.checkOctaveApply(x);
    return this.forward(x);
  }

  /** @internal */
  forward(x: OctaveTensor): OctaveTensor {
    return tidyOctave(() => ({
      high: x.high && this.bnH ? this.bnH.forward(x.high) : null,
      low: x.low && this.bnL ? this.bnL.forward(x.low) : null,
    }));
  }

  protected inputShapes(batch: number, height: number, width: number): BandShapes {
    const { high, low } = this.channels;
    return {
      high: high > 0 ? [batch, height, width, high] : null,
      low: low > 0 ? [batch, Math.ceil(height / 2), Math.ceil(width / 2), low] : null,
    };
  }

  trace(input: BandShapes, name: string, context: TraceContext): BandShapes {
    if (
      (input.high === null) !== (this.bnH === null) ||
      (input.low === null) !== (this.bnL === null)
    ) {
      shapeError(
        context,
        name,
        `expects ${this.channels.high} high and ${this.channels.low} low channels, got high ${formatShape(input.high)}, low ${formatShape(input.low)}`,
      );
    }
    if (this.bnH) this.bnH.trace({ high: input.high, low: null }, joinName(name, 'bn_h'), context);
    if (this.bnL) this.bnL.trace({ high: null, low: input.low }, joinName(name, 'bn_l'), context);
    return input;
  }
}
