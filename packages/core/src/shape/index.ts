// Shape arithmetic with no tfjs import: `@octconv/core/shape` is safe for pure-TypeScript
// consumers (the analysis package, the docs' calculator).
export * from '../errors/index';
export { channelsFirstHint } from './channels-first';
export {
  convOutputSize,
  effectiveKernelSize,
  halfSize,
  type PadAmounts,
  type Padding,
  resolvePadding,
} from './conv-geometry';
export type {
  AddLayerDescription,
  BandShapes,
  BatchNormLayerDescription,
  Conv2dLayerDescription,
  GlobalAvgPoolLayerDescription,
  LayerDescription,
  LinearLayerDescription,
  MaxPoolLayerDescription,
  ModelDescription,
  OctaveConvLayerDescription,
  OctaveMergeLayerDescription,
  OctaveSplitLayerDescription,
  ReluLayerDescription,
} from './layer-description';
export {
  MOBILENET_V1_BLOCKS,
  MOBILENET_V2_BLOCKS,
  mobileNetBandAlpha,
  mobileNetSplit,
} from './mobilenet';
export {
  nominalInputSize,
  type OctaveConvLayerSpec,
  octaveConvOutputShape,
} from './octave-conv-output-shape';
export {
  type Band,
  OCTAVE_PATHS,
  type OctaveConvPlan,
  type OctavePathPlan,
  type PathName,
  type Shape4,
} from './octave-conv-plan';
export { type OctaveConvOptions, type StrideMode, singleBandStrideMode } from './options';
export { roundHalfEven } from './round-half-even';
export { type ChannelSplit, checkAlpha, checkInteger, splitChannels } from './split-channels';
