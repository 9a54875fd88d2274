export * from './assertions';
export * from './backends';
export * from './describe-backends';
export * from './environment';
export * from './random';
export * from './reference';
export * from './tensors';
