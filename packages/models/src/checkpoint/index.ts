export {
  BUILDABLE_MODULES,
  buildModule,
  type JsonValue,
  type ModuleArchitecture,
  moduleArchitecture,
} from './architecture';
export { loadModule, type ModuleTopology, saveModule } from './tfjs-io';
export {
  type LoadTorchCheckpointOptions,
  loadTorchCheckpoint,
  saveTorchCheckpoint,
} from './torch-checkpoint';
export {
  readTorchStateDict,
  STATE_DICT_KEYS,
  type TorchDtype,
  type TorchStateDictOptions,
  type TorchStateEntry,
  type TorchTypedArray,
} from './torch-pth';
