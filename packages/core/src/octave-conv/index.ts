export { diagnoseNonFinite, type NonFiniteReport } from './diagnose-non-finite';
export type { OctaveConvWeights, OctavePathWeights } from './octave-conv-weights';
export { octaveConv2d } from './octave-conv2d';
