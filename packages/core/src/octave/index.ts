export { octaveMerge } from './octave-merge';
export { octaveSplit } from './octave-split';
export {
  checkOctaveTensor,
  type OctaveTensor,
  type OctaveTensorInfo,
  tidyOctave,
} from './octave-tensor';
