export { MiniOctNet, type MiniOctNetOptions } from './mini-oct-net';
export {
  mobileNetSplit,
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
