export { octaveMerge } from './octave-merge';
export { octaveSplit } from './octave-split';
export type { OctaveTensor } from './octave-tensor';
