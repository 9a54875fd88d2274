import { CheckpointError, InvalidArgumentError } from '@octconv/core/shape';
import { copyBuffer } from './bytes';
import {
  isFloatDtype,
  parseSafetensors,
  readFloat32,
  readIntegers,
  type SafetensorsDtype,
  type SafetensorsEntry,
} from './safetensors';
import { type FileKind, sniffFormat, wrongFileMessage } from './sniff';
import {
  extractStateDict,
  readTorchFile,
  type TorchDtype,
  type TorchStateDictOptions,
  type TorchTypedArray,
  typedView,
} from './torch-pth';

const SAFETENSORS_TO_TORCH: Record<SafetensorsDtype, TorchDtype> = {
  F64: 'float64',
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};

/**
 * One tensor of a checkpoint, whatever the format: dtype (PyTorch's names), PyTorch's shape,
 * and its values read only when asked for, row-major.
 */
export interface CheckpointTensor {
  readonly dtype: TorchDtype;
  /** The dtype as the file names it (`float32` in a `.pth`, `F32` in safetensors), for messages. */
  readonly fileDtype: string;
  readonly shape: readonly number[];
  /** Float values as float32 (float64, float16, bfloat16 converted as PyTorch's `copy_`). */
  toFloat32(): Float32Array;
  /** Integer values as numbers (int64 beyond 2^53 is not exact). */
  toNumbers(): number[];
  /** The values in the tensor's own type (float16 and bfloat16 widened to float32). */
  values(): TorchTypedArray;
}

/** A safetensors entry seen as a {@link CheckpointTensor}. */
class SafetensorsTensor implements CheckpointTensor {
  readonly dtype: TorchDtype;
  readonly fileDtype: string;
  constructor(private readonly entry: SafetensorsEntry) {
    this.dtype = SAFETENSORS_TO_TORCH[entry.dtype];
    this.fileDtype = entry.dtype;
  }
  get shape(): readonly number[] {
    return this.entry.shape;
  }
  toFloat32(): Float32Array {
    return isFloatDtype(this.entry.dtype)
      ? readFloat32(this.entry)
      : Float32Array.from(readIntegers(this.entry));
  }
  toNumbers(): number[] {
    return isFloatDtype(this.entry.dtype)
      ? Array.from(readFloat32(this.entry))
      : readIntegers(this.entry);
  }
  values(): TorchTypedArray {
    const { entry } = this;
    if (entry.dtype === 'F16' || entry.dtype === 'BF16') return readFloat32(entry);
    return typedView(this.dtype, copyBuffer(entry.bytes)) as TorchTypedArray;
  }
}

/** What {@link readCheckpointTensors} found. */
export interface CheckpointTensors {
  format: 'safetensors' | 'zip' | 'legacy';
  /** The state dict, a common `module.` prefix removed. */
  tensors: Map<string, CheckpointTensor>;
  /** Where the state dict was in a `.pth`: null for the top level. */
  source: string | null;
  /** Python objects of a `.pth` that were not read, as `path: module.Class`. */
  ignored: string[];
  /** `.pth` batch-norm metadata version of a submodule; undefined when the file has none. */
  metadataVersion(module: string): number | null | undefined;
}

/**
 * The tensors of a checkpoint in any format this package reads (`.pth` zip or legacy,
 * safetensors), seen the same way; any other file is refused naming what it is.
 */
export function readCheckpointTensors(
  functionName: string,
  bytes: Uint8Array,
  options: TorchStateDictOptions = {},
): CheckpointTensors {
  if (!(bytes instanceof Uint8Array)) {
    throw new CheckpointError({
      functionName,
      message: `expected the file's bytes as a Uint8Array (or a Node Buffer), got ${bytes === null ? 'null' : typeof bytes}`,
    });
  }
  const kind = sniffFormat(bytes);
  if (kind === 'safetensors') {
    const file = parseSafetensors(functionName, bytes);
    const names = [...file.tensors.keys()];
    const stripped = names.length > 0 && names.every((name) => name.startsWith('module.'));
    const tensors = new Map<string, CheckpointTensor>();
    for (const [name, entry] of file.tensors) {
      tensors.set(stripped ? name.slice('module.'.length) : name, new SafetensorsTensor(entry));
    }
    return {
      format: 'safetensors',
      tensors,
      source: null,
      ignored: [],
      metadataVersion: () => undefined,
    };
  }
  if (kind === 'torch-zip' || kind === 'torch-legacy' || kind === 'pickle') {
    const file = readTorchFile(functionName, bytes);
    const extracted = extractStateDict(functionName, file.object, options);
    return { format: file.format, ...extracted };
  }
  const message = wrongFileMessage(kind, bytes)!;
  throw new CheckpointError({
    functionName,
    message:
      functionName === 'loadTorchCheckpoint'
        ? message
        : message.replace('loadTorchCheckpoint reads', `${functionName} reads`),
  });
}

/** One tensor of {@link readTorchStateDict}'s result. */
export interface TorchStateEntry {
  /** The tensor's dtype in the file. */
  dtype: TorchDtype;
  /** PyTorch's shape (OIHW for convolution filters). */
  shape: number[];
  /** Row-major values, whatever the strides in the file. */
  data: TorchTypedArray;
}

/**
 * {@link readTorchStateDict}'s result: a `Map` of name → entry, in the file's order, that also
 * says where the state dict was and what the file held that was not read.
 */
export class TorchStateDict extends Map<string, TorchStateEntry> {
  /** The top-level key the state dict was under (`model`, `state_dict`, …), null for the top. */
  source: string | null = null;
  /**
   * Python objects of the file that were kept as inert records and not read, as
   * `path: module.Class`, for example `args: argparse.Namespace` or
   * `lr_scheduler._milestones: collections.Counter`.
   */
  ignored: readonly string[] = [];
}

/**
 * Reads the state dict of a PyTorch checkpoint without a module or tfjs: name →
 * `{ dtype, shape, data }`, row-major, in PyTorch's layout (OIHW convolutions). Reads `.pth`
 * files written by `torch.save` (the zip format of PyTorch ≥ 1.6 and the legacy format) and
 * safetensors files. Training checkpoints are unwrapped: the top level when it maps names to
 * tensors, else `options.key`, else the first of {@link STATE_DICT_KEYS} that holds a dict; a
 * common `module.` prefix (DataParallel) is removed.
 *
 * Nothing in the file is executed: the pickle is parsed with an allow-list of tensor, container
 * and numpy globals; other Python objects (`argparse.Namespace`, `collections.Counter`) are kept
 * as inert records and listed in the result's `ignored`; a global on {@link DENIED_GLOBALS}
 * (`os.system`, `builtins.eval`, …) refuses the whole file. What the reader builds is bounded
 * by a memory budget that grows with the file's size, with an absolute ceiling.
 *
 * @throws CheckpointError for anything that is not a readable checkpoint, saying what it is.
 */
export function readTorchStateDict(
  bytes: Uint8Array,
  options: TorchStateDictOptions = {},
): TorchStateDict {
  const functionName = 'readTorchStateDict';
  checkKey(functionName, options);
  const { tensors, source, ignored } = readCheckpointTensors(functionName, bytes, options);
  // Tensors may share storages or be expanded views; bound what they expand to.
  let total = 0;
  for (const tensor of tensors.values()) total += size(tensor.shape) * 4;
  const budget = Math.max(4 * bytes.length, 1 << 26);
  if (total > budget) {
    throw new CheckpointError({
      functionName,
      message: `the state dict's tensors expand to ${total} bytes, more than 4× the file; refusing a file that repeats one storage many times`,
    });
  }
  const out = new TorchStateDict();
  out.source = source;
  out.ignored = ignored;
  for (const [name, tensor] of tensors) {
    out.set(name, { dtype: tensor.dtype, shape: [...tensor.shape], data: tensor.values() });
  }
  return out;
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function checkKey(functionName: string, options: unknown): void {
  if (options === undefined) return;
  const key = (options as { key?: unknown } | null)?.key;
  if (
    typeof options !== 'object' ||
    options === null ||
    (key !== undefined && (typeof key !== 'string' || key.length === 0))
  ) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'options.key',
      value: key,
      message: `options must be { key?: string } naming the entry that holds the state dict, got ${String(key)}`,
    });
  }
}

/** What {@link sniffCheckpoint} says about a file. */
export interface CheckpointKind {
  /** What the first bytes say the file is. */
  kind: FileKind;
  /** Whether {@link readTorchStateDict} reads this kind (`.pth` zip or legacy, safetensors). */
  readable: boolean;
  /** For any other kind: what the file is and what to do instead; null when readable. */
  message: string | null;
}

/**
 * Recognises a file from its first bytes without parsing it: a `.pth` (zip or legacy), a
 * safetensors file, or what else it is (ONNX, HDF5/Keras, a tfjs model.json, gzip, HTML, …).
 */
export function sniffCheckpoint(bytes: Uint8Array): CheckpointKind {
  if (!(bytes instanceof Uint8Array)) {
    throw new CheckpointError({
      functionName: 'sniffCheckpoint',
      message: `expected the file's bytes as a Uint8Array, got ${typeof bytes}`,
    });
  }
  const kind = sniffFormat(bytes);
  const message = wrongFileMessage(kind, bytes);
  return { kind, readable: message === null, message };
}

/** One tensor of {@link readSafetensors}'s result. */
export interface SafetensorsTensorEntry {
  /** The dtype in the file (`F32`, `BF16`, `I64`, …). */
  dtype: SafetensorsDtype;
  shape: number[];
  /**
   * Row-major values: `Float64Array` (F64), `Float32Array` (F32, and F16 / BF16 widened),
   * `BigInt64Array` (I64), `Int32Array`, `Int16Array`, `Int8Array`, `Uint8Array` (U8, BOOL).
   */
  data: TorchTypedArray;
}

/**
 * Reads a safetensors file: every tensor (name → `{ dtype, shape, data }`, in the file's order)
 * and the `__metadata__` strings. The whole file is checked first (header within the file and
 * the format's limit, known dtypes, byte ranges that match shapes, no overlaps or holes).
 *
 * @throws CheckpointError listing every problem of a file that is not valid safetensors.
 */
export function readSafetensors(bytes: Uint8Array): {
  tensors: Map<string, SafetensorsTensorEntry>;
  metadata: Record<string, string>;
} {
  const file = parseSafetensors('readSafetensors', bytes);
  const tensors = new Map<string, SafetensorsTensorEntry>();
  for (const [name, entry] of file.tensors) {
    tensors.set(name, {
      dtype: entry.dtype,
      shape: [...entry.shape],
      data: new SafetensorsTensor(entry).values(),
    });
  }
  return { tensors, metadata: { ...file.metadata } };
}
