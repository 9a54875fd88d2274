// The official split, from @octconv/core (where the block tables live too), kept here as well.
export { mobileNetSplit } from '@octconv/core';
export { MiniOctNet, type MiniOctNetOptions } from './mini-oct-net';
export {
  OctaveDepthwiseSeparable,
  OctaveInvertedResidual,
  type OctMobileNetOptions,
  OctMobileNetV1,
  OctMobileNetV2,
  octMobileNetV1,
  octMobileNetV2,
} from './oct-mobilenet';
export {
  OCT_RESNET_DEPTHS,
  OCT_RESNET_VARIANTS,
  OctaveBottleneck,
  OctResNet,
  type OctResNetDepth,
  type OctResNetOptions,
  type OctResNetVariant,
  octResNet,
} from './oct-resnet';
