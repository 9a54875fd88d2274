// The readers live in @octconv/checkpoint (no tfjs); re-exported for this package's users.
export {
  DENIED_GLOBALS,
  readTorchStateDict,
  STATE_DICT_KEYS,
  type TorchDtype,
  TorchStateDict,
  type TorchStateDictOptions,
  type TorchStateEntry,
  type TorchTypedArray,
} from '@octconv/checkpoint';
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
  type LoadTorchCheckpointResult,
  loadTorchCheckpoint,
  saveTorchCheckpoint,
} from './torch-checkpoint';
