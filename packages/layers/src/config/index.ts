export type { ActivationIdentifier } from './activation';
export type {
  Constraint,
  ConstraintOption,
  Initializer,
  InitializerOption,
  Regularizer,
  RegularizerOption,
  WeightOptions,
} from './weight-options';
