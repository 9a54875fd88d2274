import { OctaveBlock2D, type OctaveBlock2DArgs } from './octave/octave-block2d';
import { OctaveConv2D, type OctaveConv2DArgs } from './octave/octave-conv2d';
import { OctaveMerge, type OctaveMergeArgs } from './octave/octave-merge';
import { OctaveSplit, type OctaveSplitArgs } from './octave/octave-split';
import { type BandLayerFactory, PerBand, type PerBandArgs } from './octave/per-band';

/**
 * The factories, named as `tf.layers` names its own (`tf.layers.conv2d` → `layers.octaveConv2d`):
 *
 * ```ts
 * import { layers as oct } from '@octconv/layers';
 * const [high, low] = oct.octaveConv2d({ filters: 64, kernelSize: 3, alphaOut: 0.5 }).apply(image);
 * ```
 */
export const layers = {
  /** A new {@link OctaveConv2D}. */
  octaveConv2d: (args: OctaveConv2DArgs): OctaveConv2D => new OctaveConv2D(args),
  /** A new {@link OctaveSplit}. */
  octaveSplit: (args?: OctaveSplitArgs): OctaveSplit => new OctaveSplit(args),
  /** A new {@link OctaveMerge}. */
  octaveMerge: (args?: OctaveMergeArgs): OctaveMerge => new OctaveMerge(args),
  /** A new {@link OctaveBlock2D}: split, octave convolutions and merge as one Sequential-ready layer. */
  octaveBlock2D: (args: OctaveBlock2DArgs): OctaveBlock2D => new OctaveBlock2D(args),
  /**
   * A new {@link PerBand}: `factory` makes a tfjs layer for each band, each with its own weights.
   *
   * ```ts
   * const bands = layers.perBand(() => tf.layers.batchNormalization()).apply([high, low]);
   * ```
   */
  perBand: (factory: BandLayerFactory, args: Omit<PerBandArgs, 'layer'> = {}): PerBand =>
    new PerBand({ ...args, layer: factory }),
};
