/**
 * Renders a user-supplied value for an error message: numbers as written (NaN, Infinity kept),
 * strings quoted, arrays and shapes as `[a, b]`, tensors by shape and dtype.
 * @internal
 */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return String(value);
  }
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  if (typeof value === 'object') {
    const maybeTensor = value as { shape?: unknown; dtype?: unknown; rank?: unknown };
    if (Array.isArray(maybeTensor.shape) && typeof maybeTensor.dtype === 'string') {
      return `Tensor(shape [${maybeTensor.shape.join(', ')}], ${maybeTensor.dtype})`;
    }
    return Object.prototype.toString.call(value);
  }
  return typeof value;
}
