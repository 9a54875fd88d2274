import { InvalidArgumentError } from '@octconv/core';

type Kind =
  | 'count'
  | 'alpha'
  | 'padding'
  | 'boolean'
  | 'random'
  | 'stride'
  | 'strideMode'
  | 'variant'
  | 'positive';

const EXPECTED: Record<Kind, string> = {
  count: 'an integer ≥ 1',
  alpha: 'a number in [0, 1]',
  padding: "an integer ≥ 0 or 'same'",
  boolean: 'true or false',
  random: 'a seed (integer) or a random source { next() }',
  stride: '1 or 2',
  strideMode: "'pool' or 'conv'",
  variant: "'default', 'd-li14' or 'torchvision'",
  positive: 'a finite number > 0',
};

function valid(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case 'count':
      return Number.isInteger(value) && (value as number) >= 1;
    case 'alpha':
      return typeof value === 'number' && value >= 0 && value <= 1;
    case 'padding':
      return value === 'same' || (Number.isInteger(value) && (value as number) >= 0);
    case 'boolean':
      return typeof value === 'boolean';
    case 'random':
      return (
        Number.isInteger(value) ||
        (typeof value === 'object' &&
          value !== null &&
          typeof (value as { next?: unknown }).next === 'function')
      );
    case 'stride':
      return value === 1 || value === 2;
    case 'strideMode':
      return value === 'pool' || value === 'conv';
    case 'variant':
      return value === 'default' || value === 'd-li14' || value === 'torchvision';
    case 'positive':
      return typeof value === 'number' && Number.isFinite(value) && value > 0;
  }
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null)
    return Array.isArray(value) ? `[${value}]` : 'an object';
  return String(value);
}

/**
 * @internal Checks a constructor's options record before anything is allocated: no unknown
 * keys, every `required` key given, every given value of its kind. Returns the record.
 */
export function checkLayerOptions(
  functionName: string,
  options: unknown,
  schema: Record<string, Kind>,
  required: readonly string[] = [],
): Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'options',
      value: options,
      message: `options must be an object, got ${describeValue(options)}`,
    });
  }
  const record = options as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!Object.hasOwn(schema, key)) {
      throw new InvalidArgumentError({
        functionName,
        argument: `options.${key}`,
        value: record[key],
        message: `unknown option ${JSON.stringify(key)}; expected one of ${Object.keys(schema).join(', ')}`,
      });
    }
  }
  for (const [key, kind] of Object.entries(schema)) {
    const value = record[key];
    if (value === undefined) {
      if (required.includes(key)) {
        throw new InvalidArgumentError({
          functionName,
          argument: `options.${key}`,
          value,
          message: `options.${key} is required (${EXPECTED[kind]})`,
        });
      }
      continue;
    }
    if (!valid(kind, value)) {
      throw new InvalidArgumentError({
        functionName,
        argument: `options.${key}`,
        value,
        message: `options.${key} must be ${EXPECTED[kind]}, got ${describeValue(value)}`,
      });
    }
  }
  return record;
}
