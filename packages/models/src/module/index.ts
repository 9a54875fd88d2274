/** The shapes of an octave tensor's bands, as `trace` passes them (from `@octconv/core`). */
export type { BandShapes } from '@octconv/core';
export { type InputSize, joinName, Module, type TraceContext } from './module';
export { createRandomSource, type RandomInit, type RandomSource } from './random';
