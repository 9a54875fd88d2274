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
  loadStateDict,
  loadTorchCheckpoint,
  type StateDictEntry,
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
