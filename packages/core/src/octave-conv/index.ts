export type { OctaveConvWeights, OctavePathWeights } from './octave-conv-weights';
export { octaveConv2d } from './octave-conv2d';
