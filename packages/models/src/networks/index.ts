export { MiniOctNet, type MiniOctNetOptions } from './mini-oct-net';
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
