export {
  type Activation,
  type CompiledOctaveConv,
  type CompileOctaveConvOptions,
  compileOctaveConv2d,
  type WinogradOption,
} from './compile-octave-conv2d';
export { diagnoseNonFinite, type NonFiniteReport } from './diagnose-non-finite';
export type { OctaveConvWeights, OctavePathWeights } from './octave-conv-weights';
export { octaveConv2d } from './octave-conv2d';
