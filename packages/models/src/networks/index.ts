export { MiniOctNet, type MiniOctNetOptions } from './mini-oct-net';
export {
  OCT_RESNET_DEPTHS,
  OctaveBottleneck,
  OctResNet,
  type OctResNetDepth,
  type OctResNetOptions,
  octResNet,
} from './oct-resnet';
export {
  mobileNetSplit,
  OctaveDepthwiseSeparable,
  OctaveInvertedResidual,
  OctMobileNetV1,
  OctMobileNetV2,
  type OctMobileNetOptions,
  octMobileNetV1,
  octMobileNetV2,
} from './oct-mobilenet';
