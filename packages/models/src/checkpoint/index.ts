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
export { StateDictMismatchError, type StateDictProblem } from './mismatch';
export { type StateDictShape, stateDictShapes } from './state';
export { loadModule, type ModuleTopology, saveModule } from './tfjs-io';
export {
  type LoadStateDictOptions,
  type LoadTorchCheckpointOptions,
  type LoadTorchCheckpointResult,
  loadStateDict,
  loadTorchCheckpoint,
  type StateDictEntry,
  saveTorchCheckpoint,
} from './torch-checkpoint';
