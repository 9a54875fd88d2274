import { checkAlpha, checkInteger, InvalidArgumentError } from '@octconv/core';

/** Renders a user-supplied config value for an error message. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return String(value);
}

/** Throws the invalid-argument error every config check of this package uses. */
export function invalid(
  functionName: string,
  argument: string,
  value: unknown,
  expected: string,
): never {
  throw new InvalidArgumentError({
    functionName,
    argument,
    value,
    message: `${argument} must be ${expected}, got ${show(value)}`,
  });
}

/**
 * The keys tfjs-layers' own `Layer` constructor and `getConfig` use (`customObjects` is what
 * `tf.loadLayersModel` adds when it deserializes a layer).
 */
export const LAYER_ARG_KEYS = [
  'customObjects',
  'inputShape',
  'batchInputShape',
  'batchSize',
  'dtype',
  'name',
  'trainable',
  'weights',
  'inputDType',
] as const;

/**
 * Checks that `args` is a plain object (with tfjs's own layer fields too when `layerArgs`) whose keys are all known (a misspelt `alpha` for
 * `alphaOut` would otherwise be ignored silently) and that `dtype`, when given, is float32.
 */
export function checkArgs(
  functionName: string,
  args: unknown,
  keys: readonly string[],
  layerArgs = true,
): Record<string, unknown> {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    invalid(functionName, 'args', args, 'a config object');
  }
  const record = args as Record<string, unknown>;
  const known = new Set<string>(layerArgs ? [...keys, ...LAYER_ARG_KEYS] : keys);
  for (const key of Object.keys(record)) {
    if (!known.has(key)) {
      throw new InvalidArgumentError({
        functionName,
        argument: `args.${key}`,
        value: record[key],
        message: `unknown config field args.${key}; known fields: ${[...known].join(', ')}`,
      });
    }
  }
  if (record.dtype !== undefined && record.dtype !== null && record.dtype !== 'float32') {
    invalid(functionName, 'args.dtype', record.dtype, "'float32' (OctConv runs in float32)");
  }
  return record;
}

/** An integer ≥ `min`, or `fallback` when absent (core's check, named `args.<key>`). */
export function integer(
  functionName: string,
  args: Record<string, unknown>,
  key: string,
  min: number,
  fallback?: number,
): number {
  return checkInteger(functionName, `args.${key}`, args[key] ?? fallback, min);
}

/** A number in [0, 1], or `fallback` when absent (core's α check, named `args.<key>`). */
export function fraction(
  functionName: string,
  args: Record<string, unknown>,
  key: string,
  fallback: number,
): number {
  return checkAlpha(functionName, `args.${key}`, args[key] ?? fallback);
}

/** A boolean, or `fallback` when absent. */
export function flag(
  functionName: string,
  args: Record<string, unknown>,
  key: string,
  fallback: boolean,
): boolean {
  const value = args[key] ?? fallback;
  if (typeof value !== 'boolean') invalid(functionName, `args.${key}`, args[key], 'a boolean');
  return value;
}

/**
 * A square size or a pair, as tf.layers takes `kernelSize` or `strides`: `3` or `[3, 3]`.
 * `square` demands both entries be equal (strides and dilation are one number per OctConv).
 */
export function pair(
  functionName: string,
  args: Record<string, unknown>,
  key: string,
  options: { min: number; fallback?: number; square?: boolean; allowed?: readonly number[] },
): [number, number] {
  const raw = args[key] ?? options.fallback;
  const values = Array.isArray(raw) ? raw : [raw, raw];
  const ok =
    values.length === 2 &&
    values.every(
      (v) =>
        typeof v === 'number' &&
        Number.isInteger(v) &&
        v >= options.min &&
        (options.allowed === undefined || options.allowed.includes(v)),
    ) &&
    (!options.square || values[0] === values[1]);
  if (!ok) {
    const what = options.allowed
      ? `one of ${options.allowed.join(', ')}`
      : `an integer ≥ ${options.min}`;
    invalid(
      functionName,
      `args.${key}`,
      args[key],
      options.square
        ? `${what}, or a pair of two equal ones (an OctConv has one ${key} for both axes)`
        : `${what} or a [height, width] pair of them`,
    );
  }
  return [values[0] as number, values[1] as number];
}

/**
 * `'same'` (the default), a per-side integer pad, or, where `valid` allows it, `'valid'`. The
 * octave layers' padding, checked once for all of them.
 */
export function padding(
  functionName: string,
  args: Record<string, unknown>,
  valid: boolean,
): 'same' | 'valid' | number {
  const value = args.padding ?? 'same';
  if (
    value !== 'same' &&
    !(valid && value === 'valid') &&
    !(typeof value === 'number' && Number.isInteger(value) && value >= 0)
  ) {
    invalid(
      functionName,
      'args.padding',
      args.padding,
      valid
        ? "'same', 'valid' or an integer ≥ 0 (per-side pad)"
        : "'same' or an integer ≥ 0 (per-side pad); 'valid' would break low = ceil(high / 2) for kernels larger than 1×1",
    );
  }
  return value as 'same' | 'valid' | number;
}
