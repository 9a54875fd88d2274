import { formatValue } from '../errors/format-value';
import { InvalidArgumentError } from '../errors/octconv-error';

/**
 * @internal Throws unless `value` is an object whose keys are all in `keys`, so a typo such as
 * `strides` is an error instead of a silently ignored option.
 * @param noun What one key is called in messages: `option`, `path`, `field`.
 */
export function checkRecord(
  functionName: string,
  argument: string,
  value: unknown,
  keys: readonly string[],
  noun: string,
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      value,
      message: `${argument} must be an object with ${keys.join(', ')}, got ${formatValue(value)}`,
    });
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!keys.includes(key)) {
      throw new InvalidArgumentError({
        functionName,
        argument: `${argument}.${key}`,
        value: record[key],
        message: `unknown ${noun} ${formatValue(key)}; expected one of ${keys.join(', ')}`,
      });
    }
  }
  return record;
}
