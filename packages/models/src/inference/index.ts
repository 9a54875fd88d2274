export {
  type CompilableModule,
  type CompileForInferenceOptions,
  compileForInference,
  type InferenceModel,
} from './compile-for-inference';
