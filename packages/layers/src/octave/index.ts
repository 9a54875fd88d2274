export type { LayerArgs, Shape } from './bands';
export { OctaveBlock2D, type OctaveBlock2DArgs, type OctaveBlockBatchNorm } from './octave-block2d';
export { OctaveConv2D, type OctaveConv2DArgs } from './octave-conv2d';
export { OctaveMerge, type OctaveMergeArgs } from './octave-merge';
export { OctaveSplit, type OctaveSplitArgs } from './octave-split';
export { type BandLayerFactory, PerBand, type PerBandArgs } from './per-band';
