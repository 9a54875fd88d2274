export {
  CheckpointError,
  InvalidArgumentError,
  OctconvError,
  type OctconvErrorCode,
  type OctconvErrorOptions,
  ShapeMismatchError,
  UnsupportedBackendError,
} from './octconv-error';
