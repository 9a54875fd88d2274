export { type InputSize, Module } from './module';
export { createRandomSource, type RandomInit, type RandomSource } from './random';
