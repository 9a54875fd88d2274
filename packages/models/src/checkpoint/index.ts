export {
  BUILDABLE_MODULES,
  buildModule,
  type JsonValue,
  type ModuleArchitecture,
  moduleArchitecture,
} from './architecture';
export { DENIED_GLOBALS } from './pickle';
export { loadModule, type ModuleTopology, saveModule } from './tfjs-io';
export {
  type LoadTorchCheckpointOptions,
  type LoadTorchCheckpointResult,
  loadTorchCheckpoint,
  saveTorchCheckpoint,
} from './torch-checkpoint';
export {
  readTorchStateDict,
  STATE_DICT_KEYS,
  type TorchDtype,
  TorchStateDict,
  type TorchStateDictOptions,
  type TorchStateEntry,
  type TorchTypedArray,
} from './torch-pth';
