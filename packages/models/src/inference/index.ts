export {
  type CompilableModule,
  compileForInference,
  type InferenceModel,
} from './compile-for-inference';
