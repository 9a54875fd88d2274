export { MiniOctNet, type MiniOctNetOptions } from './mini-oct-net';
export {
  OCT_RESNET_DEPTHS,
  OctaveBottleneck,
  OctResNet,
  type OctResNetDepth,
  type OctResNetOptions,
  octResNet,
} from './oct-resnet';
