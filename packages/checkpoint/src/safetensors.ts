import { CheckpointError, InvalidArgumentError } from '@octconv/core/shape';
import {
  copyBuffer,
  dataView,
  decodeBFloat16,
  decodeFloat16,
  readUint64,
  uint16Elements,
} from './bytes';

/** Element types of the safetensors format this package reads. */
export type SafetensorsDtype =
  | 'F64'
  | 'F32'
  | 'F16'
  | 'BF16'
  | 'I64'
  | 'I32'
  | 'I16'
  | 'I8'
  | 'U8'
  | 'BOOL';

const ITEM_SIZE: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** The format's own limit on the header (safetensors refuses larger ones too). */
export const MAX_HEADER_BYTES = 100_000_000;

/** One tensor of a parsed file: its bytes are a view into the file, not a copy. */
export interface SafetensorsEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  bytes: Uint8Array;
}

/** A parsed safetensors file. */
export interface SafetensorsFile {
  tensors: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
}

function fail(functionName: string, problems: string[]): never {
  throw new CheckpointError({
    functionName,
    message: `not a valid safetensors file: ${problems.join('; ')}`,
    problems,
  });
}

/** Whether `dtype` is one of the float types a float parameter can be cast from. */
export function isFloatDtype(dtype: SafetensorsDtype): boolean {
  return dtype === 'F64' || dtype === 'F32' || dtype === 'F16' || dtype === 'BF16';
}

/**
 * Parses a safetensors file (8-byte little-endian header length, JSON header, packed data),
 * checking everything before returning: header length within the file and the format's 100 MB
 * limit, valid UTF-8 JSON object, known dtypes, integer shapes, offsets inside the data, byte
 * ranges that match shape × dtype, no overlaps, no holes. Allocates nothing beyond the header
 * string: tensors are views into `bytes`.
 *
 * @throws CheckpointError listing every problem found.
 */
export function parseSafetensors(functionName: string, bytes: Uint8Array): SafetensorsFile {
  if (!(bytes instanceof Uint8Array)) {
    fail(functionName, [`expected the file's bytes as a Uint8Array, got ${typeof bytes}`]);
  }
  if (bytes.length < 8)
    fail(functionName, [`the file has ${bytes.length} bytes, fewer than the 8-byte header length`]);
  const headerLength = readUint64(dataView(bytes), 0);
  if (headerLength > bytes.length - 8) {
    fail(functionName, [
      `header length ${headerLength} is beyond the file (${bytes.length} bytes)`,
    ]);
  }
  if (headerLength > MAX_HEADER_BYTES) {
    fail(functionName, [
      `header length ${headerLength} is above the format's limit of ${MAX_HEADER_BYTES} bytes`,
    ]);
  }
  let header: unknown;
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
    header = JSON.parse(text);
  } catch (error) {
    fail(functionName, [`the header is not UTF-8 JSON (${(error as Error).message})`]);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    fail(functionName, ['the header is not a JSON object']);
  }
  // JSON.parse keeps the last of duplicate keys silently: a file could then show one tensor (or
  // dtype) to a reader that keeps the first and another to us. Refused at every depth.
  const duplicates = duplicateKeys(text);
  if (duplicates.length > 0) {
    fail(
      functionName,
      duplicates.map((key) => `the header lists ${JSON.stringify(key)} more than once`),
    );
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const problems: string[] = [];
  const tensors = new Map<string, SafetensorsEntry>();
  const ranges: { name: string; begin: number; end: number }[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (
        typeof raw !== 'object' ||
        raw === null ||
        Array.isArray(raw) ||
        Object.values(raw).some((value) => typeof value !== 'string')
      ) {
        problems.push('__metadata__ must map strings to strings');
      } else {
        metadata = raw as Record<string, string>;
      }
      continue;
    }
    const label = JSON.stringify(name);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      problems.push(`${label}: entry is not an object`);
      continue;
    }
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (typeof dtype !== 'string' || !Object.hasOwn(ITEM_SIZE, dtype)) {
      problems.push(`${label}: unknown dtype ${JSON.stringify(dtype)}`);
      continue;
    }
    if (
      !Array.isArray(shape) ||
      shape.length > 8 ||
      !shape.every((size) => Number.isSafeInteger(size) && size >= 0)
    ) {
      problems.push(`${label}: shape must be a list of at most 8 non-negative integers`);
      continue;
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((offset) => Number.isSafeInteger(offset) && offset >= 0) ||
      offsets[0] > offsets[1]
    ) {
      problems.push(`${label}: data_offsets must be [begin, end] with 0 ≤ begin ≤ end`);
      continue;
    }
    const [begin, end] = offsets as [number, number];
    if (end > dataLength) {
      problems.push(
        `${label}: data_offsets [${begin}, ${end}] are beyond the ${dataLength} data bytes`,
      );
      continue;
    }
    // Element count, bailing out before it could exceed what the byte range can hold.
    let count = (shape as number[]).includes(0) ? 0 : 1;
    for (const size of shape as number[]) {
      if (count === 0) break;
      count *= size;
      if (count * ITEM_SIZE[dtype as SafetensorsDtype] > dataLength) break;
    }
    const expected = count * ITEM_SIZE[dtype as SafetensorsDtype];
    if (expected !== end - begin) {
      problems.push(
        `${label}: shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${expected > dataLength ? `more than ${dataLength}` : expected} bytes, data_offsets give ${end - begin}`,
      );
      continue;
    }
    ranges.push({ name, begin, end });
    tensors.set(name, {
      dtype: dtype as SafetensorsDtype,
      shape: [...(shape as number[])],
      bytes: bytes.subarray(dataStart + begin, dataStart + end),
    });
  }
  ranges.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const range of ranges) {
    if (range.begin < cursor) {
      problems.push(`${JSON.stringify(range.name)}: data_offsets overlap another tensor's`);
    } else if (range.begin > cursor) {
      problems.push(`bytes ${cursor}–${range.begin} of the data belong to no tensor`);
    }
    cursor = Math.max(cursor, range.end);
  }
  if (problems.length === 0 && cursor !== dataLength) {
    problems.push(`bytes ${cursor}–${dataLength} of the data belong to no tensor`);
  }
  if (problems.length > 0) fail(functionName, problems);
  return { tensors, metadata };
}

/**
 * Keys that occur more than once in any one object of a JSON text (already known to be valid
 * JSON). One linear pass: strings are skipped with their escapes, a stack holds the keys of each
 * open object, and a string followed by ':' is a key of the innermost object.
 */
function duplicateKeys(text: string): string[] {
  const stack: (Set<string> | null)[] = [];
  const duplicates = new Set<string>();
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      let j = i + 1;
      while (j < text.length && ' \t\n\r'.includes(text[j]!)) j++;
      const keys = stack[stack.length - 1];
      if (text[j] !== ':' || !keys) continue;
      const key = JSON.parse(text.slice(start, i + 1)) as string;
      if (keys.has(key)) duplicates.add(key);
      keys.add(key);
    } else if (c === '{') stack.push(new Set());
    else if (c === '[') stack.push(null);
    else if (c === '}' || c === ']') stack.pop();
  }
  return [...duplicates];
}

/** The entry's values as float32 (cast from F64, F16, BF16 as PyTorch's `copy_` would). */
export function readFloat32(entry: SafetensorsEntry): Float32Array {
  const { bytes } = entry;
  switch (entry.dtype) {
    // A copy either way: backends may keep the array they are given, and it must not alias
    // the caller's file. (Not `bytes.slice().buffer`: on a Node Buffer, slice() is a view and
    // .buffer the whole file, or Node's shared pool.)
    case 'F32':
      return new Float32Array(copyBuffer(bytes));
    case 'F64':
      return new Float32Array(new Float64Array(copyBuffer(bytes)));
    case 'F16':
      return decodeFloat16(uint16Elements(bytes));
    case 'BF16':
      return decodeBFloat16(uint16Elements(bytes));
    default:
      throw new Error(`readFloat32: ${entry.dtype} is not a float type`);
  }
}

/** The entry's values as numbers, for integer tensors (I64 beyond 2^53 is not exact). */
export function readIntegers(entry: SafetensorsEntry): number[] {
  const { bytes } = entry;
  const view = dataView(bytes);
  const size = ITEM_SIZE[entry.dtype];
  const values: number[] = [];
  for (let i = 0; i < bytes.byteLength / size; i++) {
    const at = i * size;
    switch (entry.dtype) {
      case 'I64':
        values.push(Number(view.getBigInt64(at, true)));
        break;
      case 'I32':
        values.push(view.getInt32(at, true));
        break;
      case 'I16':
        values.push(view.getInt16(at, true));
        break;
      case 'I8':
        values.push(view.getInt8(at));
        break;
      case 'U8':
      case 'BOOL':
        values.push(view.getUint8(at));
        break;
      default:
        throw new Error(`readIntegers: ${entry.dtype} is not an integer type`);
    }
  }
  return values;
}

/** A tensor to write: its dtype, shape, and row-major values in an array of that type. */
export interface SafetensorsInput {
  dtype: SafetensorsDtype;
  shape: number[];
  /**
   * `Float64Array` (F64), `Float32Array` (F32), `Uint16Array` of the bits (F16, BF16),
   * `BigInt64Array` (I64), `Int32Array`, `Int16Array`, `Int8Array`, `Uint8Array` (U8, BOOL).
   */
  values:
    | Float64Array
    | Float32Array
    | Uint16Array
    | BigInt64Array
    | Int32Array
    | Int16Array
    | Int8Array
    | Uint8Array;
}

const ARRAY_OF: Record<SafetensorsDtype, string> = {
  F64: 'Float64Array',
  F32: 'Float32Array',
  F16: 'Uint16Array',
  BF16: 'Uint16Array',
  I64: 'BigInt64Array',
  I32: 'Int32Array',
  I16: 'Int16Array',
  I8: 'Int8Array',
  U8: 'Uint8Array',
  BOOL: 'Uint8Array',
};

/**
 * Writes a safetensors file that `safetensors.torch.load_file` reads, laid out as
 * `safetensors.torch.save_file` lays it out: tensors sorted by alignment then name,
 * `__metadata__` first in the header, header padded with spaces to a multiple of 8 bytes.
 *
 * @throws InvalidArgumentError for an unknown dtype, a shape that is not a list of non-negative
 *   integers, or values whose array type or length do not match the dtype and shape.
 */
export function writeSafetensors(
  tensors: ReadonlyMap<string, SafetensorsInput>,
  metadata: Record<string, string> = { format: 'pt' },
): Uint8Array {
  const functionName = 'writeSafetensors';
  if (!(tensors instanceof Map)) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'tensors',
      value: tensors,
      message: 'tensors must be a Map of name → { dtype, shape, values }',
    });
  }
  for (const [name, tensor] of tensors) {
    const bad = (message: string): never => {
      throw new InvalidArgumentError({
        functionName,
        argument: `tensors.get(${JSON.stringify(name)})`,
        value: tensor,
        message: `${JSON.stringify(name)}: ${message}`,
      });
    };
    const { dtype, shape, values } = (tensor ?? {}) as Partial<SafetensorsInput>;
    if (typeof dtype !== 'string' || !Object.hasOwn(ITEM_SIZE, dtype)) {
      bad(`unknown dtype ${JSON.stringify(dtype)}; one of ${Object.keys(ITEM_SIZE).join(', ')}`);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      bad('shape must be a list of non-negative integers');
    }
    const expected = ARRAY_OF[dtype as SafetensorsDtype];
    if (values?.constructor?.name !== expected) {
      bad(
        `${dtype} values must be a ${expected}, got ${values?.constructor?.name ?? typeof values}`,
      );
    }
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (values!.length !== count) {
      bad(`shape [${(shape as number[]).join(', ')}] holds ${count} values, got ${values!.length}`);
    }
  }
  return serializeSafetensors(tensors, metadata);
}

/** {@link writeSafetensors} without the argument checks (for inputs built by this package). */
export function serializeSafetensors(
  tensors: ReadonlyMap<string, SafetensorsInput>,
  metadata: Record<string, string> = { format: 'pt' },
): Uint8Array {
  const names = [...tensors.keys()].sort((a, b) => {
    const size = ITEM_SIZE[tensors.get(b)!.dtype] - ITEM_SIZE[tensors.get(a)!.dtype];
    return size !== 0 ? size : a < b ? -1 : a > b ? 1 : 0;
  });
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const name of names) {
    const tensor = tensors.get(name)!;
    const length = tensor.values.byteLength;
    header[name] = {
      dtype: tensor.dtype,
      shape: tensor.shape,
      data_offsets: [offset, offset + length],
    };
    offset += length;
  }
  let json = JSON.stringify(header);
  const encoder = new TextEncoder();
  let headerBytes = encoder.encode(json);
  const padding = (8 - (headerBytes.length % 8)) % 8;
  if (padding > 0) {
    json += ' '.repeat(padding);
    headerBytes = encoder.encode(json);
  }
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerBytes.length, true);
  view.setUint32(4, 0, true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const { values } = tensors.get(name)!;
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), at);
    at += values.byteLength;
  }
  return out;
}
