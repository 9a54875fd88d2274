export { loadModule, type ModuleTopology, saveModule } from './tfjs-io';
export { loadTorchCheckpoint, saveTorchCheckpoint } from './torch-checkpoint';
