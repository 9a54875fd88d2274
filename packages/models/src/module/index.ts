export { type InputSize, Module, type TraceContext } from './module';
export { createRandomSource, type RandomInit, type RandomSource } from './random';
