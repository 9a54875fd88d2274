import { OctaveConv2D, type OctaveConv2DArgs } from './octave/octave-conv2d';
import { OctaveMerge, type OctaveMergeArgs } from './octave/octave-merge';
import { OctaveSplit, type OctaveSplitArgs } from './octave/octave-split';

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
};
