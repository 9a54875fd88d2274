import {
  isTorchFloat,
  readCheckpointTensors,
  type SafetensorsInput,
  serializeSafetensors,
} from '@octconv/checkpoint/internal';
import { CheckpointError, InvalidArgumentError } from '@octconv/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../module/module';
import type { StateDictProblem } from './mismatch';
import { assignState, type IncomingValue, stateEntries } from './state';

const INT32_MAX = 2 ** 31 - 1;

/** Options of {@link loadTorchCheckpoint}. */
export interface LoadTorchCheckpointOptions {
  /**
   * For a `.pth` training checkpoint: the top-level key whose value is the state dict. By
   * default the top level is used when it maps names to tensors, else the first of
   * `model`, `state_dict`, `model_state_dict`, `model_ema`, `ema`, `net` and `network` that
   * holds a dict (`STATE_DICT_KEYS`).
   */
  key?: string;
  /**
   * Maps each key of the file (after the `module.` prefix is removed) to the module's name for
   * it, or to `null` to leave the entry out; applied before matching. A fork that renamed
   * `conv_h2h` to `h2h` loads with `rename: (key) => key.replace('.h2h.', '.conv_h2h.')`.
   * Names no two keys may share; {@link stateDictShapes} lists the module's names.
   */
  rename?: (key: string) => string | null;
}

/** What {@link loadTorchCheckpoint} reports besides loading. */
export interface LoadTorchCheckpointResult {
  /**
   * Python objects of a `.pth` training checkpoint that were kept as inert records and not read,
   * as `path: module.Class` (`args: argparse.Namespace`); empty for a plain state dict.
   */
  ignored: string[];
}

/** Options of {@link loadStateDict}. */
export interface LoadStateDictOptions {
  /** As {@link LoadTorchCheckpointOptions.rename}. */
  rename?: (key: string) => string | null;
}

function checkOptions(
  functionName: string,
  options: unknown,
  allowed: readonly ('key' | 'rename')[],
): LoadTorchCheckpointOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'options',
      value: options,
      message: `options must be an object like { ${allowed.includes('key') ? "key: 'state_dict', " : ''}rename: (key) => key }, got ${String(options)}`,
    });
  }
  for (const name of Object.keys(options)) {
    if (!(allowed as readonly string[]).includes(name)) {
      throw new InvalidArgumentError({
        functionName,
        argument: `options.${name}`,
        value: (options as Record<string, unknown>)[name],
        message: `unknown option ${JSON.stringify(name)}; the options are ${allowed.join(' and ')}`,
      });
    }
  }
  const { key, rename } = options as { key?: unknown; rename?: unknown };
  if (key !== undefined && (typeof key !== 'string' || key.length === 0)) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'options.key',
      value: key,
      message: `options.key must be a non-empty string naming the entry that holds the state dict, got ${String(key)}`,
    });
  }
  if (rename !== undefined && typeof rename !== 'function') {
    throw new InvalidArgumentError({
      functionName,
      argument: 'options.rename',
      value: rename,
      message: `options.rename must be a function (key) => the module's name for it, or null to drop it; got ${String(rename)}`,
    });
  }
  return {
    ...(key !== undefined && { key: key as string }),
    ...(rename !== undefined && { rename: rename as (key: string) => string | null }),
  };
}

/**
 * Applies `rename` to the file's keys: the module's name for each (null: left out). Two keys
 * renamed to one name are a problem.
 */
function renameKeys(
  functionName: string,
  names: Iterable<string>,
  rename: ((key: string) => string | null) | undefined,
  problems: StateDictProblem[],
): Map<string, string> {
  const result = new Map<string, string>();
  const taken = new Map<string, string>();
  for (const name of names) {
    const target = rename ? rename(name) : name;
    if (target === null) continue;
    if (typeof target !== 'string' || target === '') {
      throw new InvalidArgumentError({
        functionName,
        argument: 'options.rename',
        value: target,
        message: `options.rename(${JSON.stringify(name)}) returned ${JSON.stringify(target) ?? String(target)}; it must return a non-empty string or null`,
      });
    }
    const before = taken.get(target);
    if (before !== undefined) {
      problems.push({
        kind: 'rename',
        key: target,
        message: `options.rename maps both ${JSON.stringify(before)} and ${JSON.stringify(name)} to ${JSON.stringify(target)}`,
      });
      continue;
    }
    taken.set(target, name);
    result.set(name, target);
  }
  return result;
}

function integerRangeProblem(name: string, scalar: number): StateDictProblem | null {
  return scalar >= 0 && scalar <= INT32_MAX
    ? null
    : {
        kind: 'value',
        key: name,
        got: String(scalar),
        message: `${JSON.stringify(name)}: ${scalar} is outside the int32 range this module keeps`,
      };
}

/**
 * The value to assign under `name` from a tensor of the file, checked before any tensor is
 * made: a bool tensor and an integer count outside int32 are problems; the count of a batch norm
 * (an integer scalar the module keeps) is read now, the values only in `make`.
 */
function incomingValue(
  name: string,
  tensor: {
    dtype: string;
    shape: readonly number[];
    float: boolean;
    integer: boolean;
    integers(): ArrayLike<number>;
    floats(): Float32Array;
  },
  integerKeys: ReadonlySet<string>,
  problems: StateDictProblem[],
): IncomingValue {
  const { float, integer } = tensor;
  if (!float && !integer) problems.push(boolProblem(name, tensor.dtype));
  const shape = [...tensor.shape];
  let scalar: number | undefined;
  if (integer && integerKeys.has(name) && shape.length === 0) {
    scalar = tensor.integers()[0]!;
    const problem = integerRangeProblem(name, scalar);
    if (problem) problems.push(problem);
  }
  return {
    shape,
    integer,
    dtype: tensor.dtype,
    ...(scalar !== undefined && { scalar }),
    make: () =>
      integer
        ? tf.tensor(Int32Array.from(tensor.integers()), shape, 'int32')
        : tf.tensor(tensor.floats(), shape, 'float32'),
  };
}

function boolProblem(name: string, dtype: string): StateDictProblem {
  return {
    kind: 'dtype',
    key: name,
    expected: 'a float or integer tensor',
    got: dtype,
    message: `${JSON.stringify(name)}: dtype ${dtype} is neither a float nor an integer tensor`,
  };
}

/** Incoming values of a checkpoint in any format (`.pth` zip or legacy, safetensors). */
function fromCheckpoint(
  functionName: string,
  bytes: Uint8Array,
  options: LoadTorchCheckpointOptions,
  integerKeys: ReadonlySet<string>,
  problems: StateDictProblem[],
  ignored: string[],
): Map<string, IncomingValue> {
  const { tensors, metadataVersion, ...read } = readCheckpointTensors(
    functionName,
    bytes,
    options.key === undefined ? {} : { key: options.key },
  );
  ignored.push(...read.ignored);
  const renamed = renameKeys(functionName, tensors.keys(), options.rename, problems);
  const incoming = new Map<string, IncomingValue>();
  // As BatchNorm's _load_from_state_dict: a state dict from before PyTorch 0.4.1 (batch-norm
  // metadata version < 2) has no num_batches_tracked, which then loads as 0. Where the file has
  // metadata but none for that batch norm (another architecture), the key stays missing.
  // Safetensors files have no metadata: the key is never filled in.
  for (const key of read.format === 'safetensors' ? [] : integerKeys) {
    const owner = key.endsWith('.num_batches_tracked')
      ? key.slice(0, -'.num_batches_tracked'.length)
      : null;
    const version = owner === null ? undefined : metadataVersion(owner);
    if (
      owner !== null &&
      !tensors.has(key) &&
      options.rename === undefined &&
      version !== null &&
      (version ?? 0) < 2
    ) {
      incoming.set(key, {
        shape: [],
        integer: true,
        dtype: 'int64',
        scalar: 0,
        make: () => tf.scalar(0, 'int32'),
      });
    }
  }
  for (const [fileName, tensor] of tensors) {
    const name = renamed.get(fileName);
    if (name === undefined) continue;
    const float = isTorchFloat(tensor.dtype);
    const value = incomingValue(
      name,
      {
        dtype: tensor.fileDtype,
        shape: tensor.shape,
        float,
        integer: !float && tensor.dtype !== 'bool',
        integers: () => tensor.toNumbers(),
        floats: () => tensor.toFloat32(),
      },
      integerKeys,
      problems,
    );
    incoming.set(name, value);
  }
  return incoming;
}

/**
 * Loads a PyTorch checkpoint into `module`, strictly like `load_state_dict(strict=True)`. The
 * format is recognised from the bytes:
 *
 * - a `.pth`/`.pt` file written by `torch.save`, in the zip format (PyTorch ≥ 1.6) or the legacy
 *   format (PyTorch < 1.6). Its pickle is parsed by a restricted reader that rebuilds tensors,
 *   storages, plain containers and numpy numbers and never executes anything. Other Python
 *   objects (`argparse.Namespace` args, a scheduler's `collections.Counter`) are kept as inert
 *   records, never called, and listed in the result's `ignored`; a global that can only mean
 *   harm (`os.system`, `builtins.eval`, … the deny-list `DENIED_GLOBALS`) refuses the file
 *   wherever it appears. Strided, offset, expanded and storage-sharing tensors come out as
 *   PyTorch sees them. A training checkpoint is unwrapped: `options.key`, else the first of
 *   `model`, `state_dict`, `model_state_dict`, `model_ema`, `ema`, `net`, `network` that holds
 *   a dict, is used and the rest (optimizer state, epoch) is parsed and ignored;
 * - a safetensors file (`safetensors.torch.save_file`).
 *
 * A `module.` prefix on every key (DataParallel) is removed. As in PyTorch, a `.pth` state dict
 * from before PyTorch 0.4.1 (batch-norm metadata version < 2) may lack `num_batches_tracked`,
 * which then loads as 0. Every other key of the module must be
 * present with PyTorch's shape (OIHW convolutions and `[out, in]` linear weights, converted to
 * HWIO and `[in, out]`), and no other key. Float tensors may be float32, float64, float16 or
 * bfloat16 (cast to float32, as PyTorch's `copy_` casts); `num_batches_tracked` may be any
 * integer type (PyTorch writes int64).
 *
 * Everything is validated before anything is assigned: on error the module is unchanged. Any
 * other file (ONNX, HDF5/Keras, a tfjs model.json, text, …) is named in the error.
 *
 * Loading sets weights and buffers, not the mode, as `load_state_dict` does: a freshly built
 * module is in training mode, where `apply` normalises with the batch's statistics and updates
 * the running means. Call `module.eval()` before inference.
 *
 * @param bytes The whole file.
 * @param options `key`: the entry of a training checkpoint that holds the state dict; `rename`:
 *   the module's name for each key of the file (or null to leave it out).
 * @returns `ignored`: the Python objects of a training checkpoint kept as inert records, not read.
 * @throws CheckpointError for a file that cannot be read (saying what it is when it is not a
 *   checkpoint); {@link StateDictMismatchError} (a CheckpointError) for one that does not fit:
 *   both sides' keys, the pairs that look like renames first, matched and missing keys, wrong
 *   shapes or dtypes, the first ten problems in the message (all in `problems`, and as data in
 *   `mismatches`) and a guess at the cause where one fits (α, numClasses, depth, a key prefix,
 *   d-li14's or torchvision's names). {@link stateDictShapes} lists what the module expects.
 *
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { loadTorchCheckpoint, octResNet } from '@octconv/models';
 *
 * // A .pth file written by torch.save, or a .safetensors file: the bytes say which.
 * const net = octResNet({ depth: 50, alpha: 0.5, variant: 'd-li14' });
 * loadTorchCheckpoint(net, await readFile('oct_resnet50.pth'));
 * net.eval(); // batch norm uses the checkpoint's running statistics
 * ```
 */
export function loadTorchCheckpoint(
  module: Module,
  bytes: Uint8Array,
  options?: LoadTorchCheckpointOptions,
): LoadTorchCheckpointResult {
  const functionName = 'loadTorchCheckpoint';
  const entries = stateEntries(functionName, module);
  const checked = checkOptions(functionName, options, ['key', 'rename']);
  if (!(bytes instanceof Uint8Array)) {
    throw new CheckpointError({
      functionName,
      message: `expected the file's bytes as a Uint8Array (or a Node Buffer), got ${bytes === null ? 'null' : typeof bytes}`,
    });
  }
  const integerKeys = new Set<string>();
  for (const [name, entry] of entries) if (entry.integer) integerKeys.add(name);
  const problems: StateDictProblem[] = [];
  const ignored: string[] = [];
  const incoming = fromCheckpoint(functionName, bytes, checked, integerKeys, problems, ignored);
  assignState(functionName, module, incoming, 'torch', problems);
  return { ignored };
}

/** One tensor of a state dict given to {@link loadStateDict}: what `readTorchStateDict` returns. */
export interface StateDictEntry {
  /** PyTorch's dtype name: `float32`, `float64`, `float16`, `bfloat16`, `int64`, `int32`, … */
  dtype: string;
  /** PyTorch's shape (OIHW convolution filters, `[out, in]` linear weights). */
  shape: readonly number[];
  /** Row-major values (float16 and bfloat16 already widened, as `readTorchStateDict` gives them). */
  data: ArrayLike<number> | ArrayLike<bigint>;
}

const FLOAT_DTYPES = new Set(['float64', 'float32', 'float16', 'bfloat16']);
const INTEGER_DTYPES = new Set(['int64', 'int32', 'int16', 'int8', 'uint8']);

/**
 * Assigns a state dict held in memory (name → `{ dtype, shape, data }` in PyTorch's layout, as
 * {@link readTorchStateDict} returns it, or built by hand) to `module`, strictly and atomically
 * as {@link loadTorchCheckpoint} assigns a file: every key of the module present with PyTorch's
 * shape and no other, everything checked before anything is assigned, the same messages. Use
 * it to edit a state dict between reading and loading (drop the classifier, merge two files).
 *
 * @param entries A `Map` (or any iterable of `[name, entry]` pairs).
 * @param options `rename`: the module's name for each key, or null to leave it out.
 * @throws InvalidArgumentError for entries that are not `{ dtype, shape, data }` with
 *   `data.length` the product of `shape`; {@link StateDictMismatchError} when they do not fit.
 */
export function loadStateDict(
  module: Module,
  entries: ReadonlyMap<string, StateDictEntry> | Iterable<readonly [string, StateDictEntry]>,
  options?: LoadStateDictOptions,
): void {
  const functionName = 'loadStateDict';
  const moduleEntries = stateEntries(functionName, module);
  const checked = checkOptions(functionName, options, ['rename']);
  if (
    entries === null ||
    typeof entries !== 'object' ||
    typeof (entries as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function'
  ) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'entries',
      value: entries,
      message: `entries must be a Map of name → { dtype, shape, data } (what readTorchStateDict returns), got ${String(entries)}`,
    });
  }
  const given = new Map<string, StateDictEntry>();
  for (const pair of entries as Iterable<readonly [string, StateDictEntry]>) {
    const [name, entry] = Array.isArray(pair) ? pair : [undefined, undefined];
    const bad = (message: string): never => {
      throw new InvalidArgumentError({
        functionName,
        argument: `entries.get(${JSON.stringify(name) ?? String(name)})`,
        value: entry,
        message,
      });
    };
    if (typeof name !== 'string') bad('entries must hold [name, entry] pairs with string names');
    if (entry === null || typeof entry !== 'object') {
      bad(`${JSON.stringify(name)} must be { dtype, shape, data }, got ${String(entry)}`);
    }
    const { dtype, shape, data } = entry as Partial<StateDictEntry>;
    if (!Array.isArray(shape) || !shape.every((size) => Number.isInteger(size) && size >= 0)) {
      bad(`${JSON.stringify(name)}: shape must be a list of integers ≥ 0, got ${String(shape)}`);
    }
    if (
      typeof dtype !== 'string' ||
      !(FLOAT_DTYPES.has(dtype) || INTEGER_DTYPES.has(dtype) || dtype === 'bool')
    ) {
      bad(
        `${JSON.stringify(name)}: dtype must be one of ${[...FLOAT_DTYPES, ...INTEGER_DTYPES, 'bool'].join(', ')}, got ${String(dtype)}`,
      );
    }
    const size = (shape as number[]).reduce((a, b) => a * b, 1);
    if (data === null || typeof data !== 'object' || (data as ArrayLike<unknown>).length !== size) {
      bad(
        `${JSON.stringify(name)}: data must hold ${size} values (the product of shape [${(shape as number[]).join(', ')}]), got ${data === null || typeof data !== 'object' ? String(data) : `${(data as ArrayLike<unknown>).length}`}`,
      );
    }
    given.set(name as string, entry as StateDictEntry);
  }
  const problems: StateDictProblem[] = [];
  const renamed = renameKeys(functionName, given.keys(), checked.rename, problems);
  const integerKeys = new Set<string>();
  for (const [name, entry] of moduleEntries) if (entry.integer) integerKeys.add(name);
  const incoming = new Map<string, IncomingValue>();
  for (const [fileName, entry] of given) {
    const name = renamed.get(fileName);
    if (name === undefined) continue;
    const numbers = () => Array.from(entry.data as ArrayLike<number | bigint>, (v) => Number(v));
    const value = incomingValue(
      name,
      {
        dtype: entry.dtype,
        shape: entry.shape,
        float: FLOAT_DTYPES.has(entry.dtype),
        integer: INTEGER_DTYPES.has(entry.dtype),
        integers: numbers,
        floats: () =>
          entry.data instanceof Float32Array ? entry.data : Float32Array.from(numbers()),
      },
      integerKeys,
      problems,
    );
    incoming.set(name, value);
  }
  assignState(functionName, module, incoming, 'torch', problems);
}

/**
 * Writes `module`'s state dict as a safetensors file that
 * `model.load_state_dict(safetensors.torch.load_file(path))` loads into the equivalent PyTorch
 * module: PyTorch's names and layouts, float32 tensors, `num_batches_tracked` as int64.
 * Asynchronous because reading weights back from WebGPU is.
 */
export async function saveTorchCheckpoint(module: Module): Promise<Uint8Array> {
  const entries = stateEntries('saveTorchCheckpoint', module);
  const tensors = new Map<string, SafetensorsInput>();
  for (const [name, entry] of entries) {
    const arranged = tf.tidy(() =>
      entry.toTorch ? tf.transpose(entry.variable, entry.toTorch) : tf.clone(entry.variable),
    );
    try {
      const data = await arranged.data();
      tensors.set(
        name,
        entry.integer
          ? {
              dtype: 'I64',
              shape: entry.torchShape,
              values: BigInt64Array.from(Array.from(data as Int32Array, (v) => BigInt(v))),
            }
          : { dtype: 'F32', shape: entry.torchShape, values: data as Float32Array },
      );
    } finally {
      arranged.dispose();
    }
  }
  return serializeSafetensors(tensors);
}
