export type { Batch, BatchPair, BatchSource, FitData } from './data';
export { type EvaluateOptions, type EvaluateResult, evaluate } from './evaluate';
export {
  type CallbackResult,
  type Classifier,
  type FitCallbacks,
  type FitHistory,
  type FitLogs,
  type FitModelHandle,
  type FitOptions,
  fit,
  type LayersCallback,
} from './fit';
export { type PredictOptions, predict } from './predict';
