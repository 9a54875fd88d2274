export type { LayerArgs, Shape } from './bands';
export { OctaveConv2D, type OctaveConv2DArgs } from './octave-conv2d';
export { OctaveMerge, type OctaveMergeArgs } from './octave-merge';
export { OctaveSplit, type OctaveSplitArgs } from './octave-split';
