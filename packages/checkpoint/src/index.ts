export {
  CheckpointError,
  InvalidArgumentError,
  OctconvError,
  type OctconvErrorCode,
} from '@octconv/core/shape';
export { DENIED_GLOBALS, PICKLE_LIMITS } from './pickle';
export {
  type CheckpointKind,
  readSafetensors,
  readTorchStateDict,
  type SafetensorsTensorEntry,
  sniffCheckpoint,
  TorchStateDict,
  type TorchStateEntry,
} from './read';
export { type SafetensorsDtype, type SafetensorsInput, writeSafetensors } from './safetensors';
export type { FileKind } from './sniff';
export {
  STATE_DICT_KEYS,
  type TorchDtype,
  type TorchStateDictOptions,
  type TorchTypedArray,
} from './torch-pth';
