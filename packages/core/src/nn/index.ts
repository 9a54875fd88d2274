export { relu, relu6 } from './activation';
export { add } from './add';
export {
  type BatchNormParameters,
  type BatchNormStatistics,
  type BatchNormTrainingResult,
  batchNorm,
  batchNormTraining,
} from './batch-norm';
export { type Conv2dOptions, conv2d } from './conv2d';
export { softmaxCrossEntropy } from './cross-entropy';
export { linear } from './linear';
export { globalAvgPool, type MaxPool2dOptions, maxPool2d } from './pool';
