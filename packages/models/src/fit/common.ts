// The checks fit, evaluate and predict share: options records, counts, the module, a batch.
import { InvalidArgumentError, ShapeMismatchError } from '@octconv/core';
import type * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../module/module';
import type { ReadyBatch } from './data';

/** A classifier: images `[batch, h, w, c]` in, logits `[batch, classes]` out. */
export type Classifier = Module<tf.Tensor4D, tf.Tensor2D>;

/** @internal Options shared by fit/evaluate/predict: a record with known keys. */
export function checkOptions(
  functionName: string,
  options: unknown,
  keys: readonly string[],
): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'options',
      value: options,
      message: `options must be an object, got ${options === null ? 'null' : typeof options}`,
    });
  }
  for (const key of Object.keys(options)) {
    if (!keys.includes(key)) {
      throw new InvalidArgumentError({
        functionName,
        argument: `options.${key}`,
        value: (options as Record<string, unknown>)[key],
        message: `unknown option options.${key}; known options: ${keys.join(', ')}`,
      });
    }
  }
  return options as Record<string, unknown>;
}

/** @internal An integer option ≥ 1. */
export function countOption(
  functionName: string,
  options: Record<string, unknown>,
  key: string,
  fallback: number,
): number {
  const value = options[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError({
      functionName,
      argument: `options.${key}`,
      value: options[key],
      message: `options.${key} must be an integer ≥ 1, got ${String(options[key])}`,
    });
  }
  return value;
}

/** @internal Checks that `module` is a live module. */
export function checkModule(functionName: string, module: unknown): Classifier {
  const m = module as Classifier;
  if (
    typeof module !== 'object' ||
    module === null ||
    typeof m.apply !== 'function' ||
    typeof m.train !== 'function' ||
    typeof m.parameters !== 'function'
  ) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'module',
      value: module,
      message: `module must be an @octconv/models module (MiniOctNet, octResNet(…), …), got ${module === null ? 'null' : typeof module}`,
    });
  }
  if (m.disposed) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'module',
      value: module,
      message: `module ${m.moduleName} is disposed`,
    });
  }
  return m;
}

/** @internal Checks a batch against the module (shapes, classes) before any tensor work. */
export function checkBatch(
  functionName: string,
  module: Classifier,
  batch: ReadyBatch,
  training: boolean,
): void {
  const output = module.traceApply(
    functionName,
    { high: batch.xs.shape, low: null },
    training,
  ).high;
  if (output?.length !== 2) {
    throw new ShapeMismatchError({
      functionName,
      message: `the module returns [${(output ?? []).join(', ')}], not [batch, classes] logits`,
    });
  }
  const classes = output[1]!;
  for (let i = 0; i < batch.labels.length; i++) {
    const label = batch.labels[i]!;
    if (label < 0 || label >= classes) {
      throw new InvalidArgumentError({
        functionName,
        argument: `labels[${i}]`,
        value: label,
        message: `label ${label} of sample ${i} in the batch is not a class in [0, ${classes})`,
      });
    }
  }
}
