import { copyBuffer, decodeFloat16, latin1Bytes } from './bytes';
import type { PickleCallable } from './pickle';

/**
 * The numpy values `torch.save` writes when a training script stores numpy numbers or small
 * arrays (`best_acc1 = np.float64(…)`): `numpy.dtype`, `numpy.core.multiarray.scalar` and
 * `numpy.core.multiarray._reconstruct` (and their `numpy._core` names of numpy 2). Scalars read
 * as numbers (booleans as booleans), arrays as {@link NumpyArray}. Nothing of numpy is run: the
 * bytes are decoded here.
 */

/** A numpy dtype as pickled: `numpy.dtype('f8', False, True)` then BUILD with its byte order. */
export class NumpyDtype {
  byteOrder = '=';
  constructor(readonly code: string) {}
}

/** Element types of the numpy values read. */
const NUMPY_TYPES: Record<string, { size: number; name: string }> = {
  f8: { size: 8, name: 'float64' },
  f4: { size: 4, name: 'float32' },
  f2: { size: 2, name: 'float16' },
  i8: { size: 8, name: 'int64' },
  i4: { size: 4, name: 'int32' },
  i2: { size: 2, name: 'int16' },
  i1: { size: 1, name: 'int8' },
  u8: { size: 8, name: 'uint64' },
  u4: { size: 4, name: 'uint32' },
  u2: { size: 2, name: 'uint16' },
  u1: { size: 1, name: 'uint8' },
  b1: { size: 1, name: 'bool' },
};

/** The values of a {@link NumpyArray}, by dtype (float16 widened to float32). */
export type NumpyTypedArray =
  | Float64Array
  | Float32Array
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

/** A small numpy array of a checkpoint (`np.array([…])` in a training script's metrics). */
export class NumpyArray {
  /** `float64`, `int64`, `bool`, … */
  dtype = '';
  shape: number[] = [];
  /** Row-major values. */
  data: NumpyTypedArray = new Float64Array(0);
}

function elements(code: string, raw: Uint8Array): NumpyTypedArray {
  const buffer = copyBuffer(raw);
  switch (code) {
    case 'f8':
      return new Float64Array(buffer);
    case 'f4':
      return new Float32Array(buffer);
    case 'f2':
      return decodeFloat16(new Uint16Array(buffer));
    case 'i8':
      return new BigInt64Array(buffer);
    case 'i4':
      return new Int32Array(buffer);
    case 'i2':
      return new Int16Array(buffer);
    case 'i1':
      return new Int8Array(buffer);
    case 'u8':
      return new BigUint64Array(buffer);
    case 'u4':
      return new Uint32Array(buffer);
    case 'u2':
      return new Uint16Array(buffer);
    default:
      return new Uint8Array(buffer);
  }
}

function asBytes(value: unknown): Uint8Array | null {
  if (value instanceof Uint8Array) return value;
  // Python 2 pickles carry the bytes as a latin-1 str.
  if (typeof value === 'string') return latin1Bytes(value);
  return null;
}

function checkedType(dtype: unknown, fail: (message: string) => never) {
  if (!(dtype instanceof NumpyDtype)) return fail('a numpy value without a numpy dtype');
  const type = NUMPY_TYPES[dtype.code];
  if (type === undefined) {
    return fail(
      `numpy dtype ${JSON.stringify(dtype.code)} is not read (only numbers and booleans)`,
    );
  }
  if (dtype.byteOrder === '>' && type.size > 1) {
    return fail(`a big-endian numpy ${type.name} value is not read`);
  }
  return type;
}

/**
 * The callable for a numpy global the reader accepts, or undefined for any other name.
 * `fail` throws the reader's `CheckpointError`.
 */
export function numpyGlobal(
  module: string,
  name: string,
  fail: (message: string) => never,
): PickleCallable | undefined {
  const qualified = `${module}.${name}`;
  const multiarray = module === 'numpy.core.multiarray' || module === 'numpy._core.multiarray';
  if (module === 'numpy' && name === 'dtype') {
    return {
      pickleGlobal: qualified,
      call: (args) => {
        const [code] = args;
        if (typeof code !== 'string' || code.length > 8) fail('numpy.dtype of something odd');
        return new NumpyDtype(code as string);
      },
      build: (target, state) => {
        if (!(target instanceof NumpyDtype) || !Array.isArray(state)) return false;
        if (typeof state[1] === 'string') target.byteOrder = state[1];
        return true;
      },
    };
  }
  if (module === 'numpy' && name === 'ndarray') {
    return {
      pickleGlobal: qualified,
      call: () => fail('numpy.ndarray is only read as the class of a pickled array'),
    };
  }
  if (multiarray && name === 'scalar') {
    return {
      pickleGlobal: qualified,
      call: (args, charge) => {
        const [dtype, data] = args;
        const type = checkedType(dtype, fail);
        const raw = asBytes(data);
        charge(type.size);
        if (raw === null || raw.length !== type.size) {
          fail(`a numpy ${type.name} scalar without its ${type.size} bytes`);
        }
        const value = elements((dtype as NumpyDtype).code, raw!)[0]!;
        if (type.name === 'bool') return value !== 0;
        if (typeof value === 'bigint') {
          return value >= BigInt(Number.MIN_SAFE_INTEGER) &&
            value <= BigInt(Number.MAX_SAFE_INTEGER)
            ? Number(value)
            : value;
        }
        return value;
      },
    };
  }
  if (multiarray && name === '_reconstruct') {
    return {
      pickleGlobal: qualified,
      call: (args) => {
        if (!(args[0] as { pickleGlobal?: string } | null)?.pickleGlobal?.endsWith('ndarray')) {
          fail(`${qualified} of something other than numpy.ndarray`);
        }
        return new NumpyArray();
      },
      build: (target, state) => {
        if (!(target instanceof NumpyArray) || !Array.isArray(state) || state.length !== 5) {
          return false;
        }
        const [, shape, dtype, fortran, data] = state as unknown[];
        const type = checkedType(dtype, fail);
        if (
          !Array.isArray(shape) ||
          shape.length > 32 ||
          !shape.every((size) => Number.isSafeInteger(size) && size >= 0)
        ) {
          fail('a numpy array with an invalid shape');
        }
        const count = (shape as number[]).reduce((a, b) => a * b, 1);
        const raw = asBytes(data);
        if (raw === null) {
          fail(`a numpy ${type.name} array of Python objects is not read`);
        }
        if (raw!.length !== count * type.size) {
          fail(
            `a numpy ${type.name} array of shape [${(shape as number[]).join(', ')}] holds ${raw!.length} bytes, not ${count * type.size}`,
          );
        }
        let values = elements((dtype as NumpyDtype).code, raw!);
        const dims = [...(shape as number[])];
        if (fortran === true && dims.length > 1) values = fortranToRowMajor(values, dims);
        target.dtype = type.name;
        target.shape = dims;
        target.data = values;
        return true;
      },
    };
  }
  return undefined;
}

/** Column-major (Fortran) values of shape `dims` in row-major order. */
function fortranToRowMajor(values: NumpyTypedArray, dims: number[]): NumpyTypedArray {
  const out = values.slice();
  const rank = dims.length;
  const index = new Array<number>(rank).fill(0);
  for (let i = 0; i < values.length; i++) {
    // `index` is the row-major multi-index of i; its column-major position is read.
    let from = 0;
    for (let d = rank - 1; d >= 0; d--) from = from * dims[d]! + index[d]!;
    (out as unknown as unknown[])[i] = (values as unknown as unknown[])[from];
    for (let d = rank - 1; d >= 0; d--) {
      index[d]! += 1;
      if (index[d]! < dims[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}
