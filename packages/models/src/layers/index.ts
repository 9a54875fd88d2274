export { BatchNorm2d, type BatchNorm2dOptions } from './batch-norm2d';
export { Conv2d, type Conv2dModuleOptions } from './conv2d';
export { Linear, type LinearOptions } from './linear';
export { OctaveBatchNorm2d, type OctaveBatchNorm2dOptions } from './octave-batch-norm2d';
export {
  FirstOctaveConv,
  type FirstOctaveConvOptions,
  LastOctaveConv,
  type LastOctaveConvOptions,
  OctaveConv2d,
  type OctaveConv2dOptions,
  OctaveConvLayer,
  type PathNaming,
  SEED_PATH_NAMING,
} from './octave-conv2d';
