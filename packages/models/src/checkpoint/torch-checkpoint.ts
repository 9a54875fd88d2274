import {
  isTorchFloat,
  readCheckpointTensors,
  type SafetensorsInput,
  serializeSafetensors,
} from '@octconv/checkpoint/internal';
import { CheckpointError, InvalidArgumentError } from '@octconv/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../module/module';
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
}

/** What {@link loadTorchCheckpoint} reports besides loading. */
export interface LoadTorchCheckpointResult {
  /**
   * Python objects of a `.pth` training checkpoint that were kept as inert records and not read,
   * as `path: module.Class` (`args: argparse.Namespace`); empty for a plain state dict.
   */
  ignored: string[];
}

function checkOptions(functionName: string, options: unknown): LoadTorchCheckpointOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'options',
      value: options,
      message: `options must be an object like { key: 'state_dict' }, got ${String(options)}`,
    });
  }
  for (const name of Object.keys(options)) {
    if (name !== 'key') {
      throw new InvalidArgumentError({
        functionName,
        argument: `options.${name}`,
        value: (options as Record<string, unknown>)[name],
        message: `unknown option ${JSON.stringify(name)}; the only option is key`,
      });
    }
  }
  const { key } = options as { key?: unknown };
  if (key !== undefined && (typeof key !== 'string' || key.length === 0)) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'options.key',
      value: key,
      message: `options.key must be a non-empty string naming the entry that holds the state dict, got ${String(key)}`,
    });
  }
  return key === undefined ? {} : { key };
}

/** Incoming values of a checkpoint in any format (`.pth` zip or legacy, safetensors). */
function fromCheckpoint(
  functionName: string,
  bytes: Uint8Array,
  options: LoadTorchCheckpointOptions,
  integerKeys: ReadonlySet<string>,
  problems: string[],
  ignored: string[],
): Map<string, IncomingValue> {
  const { tensors, metadataVersion, ...read } = readCheckpointTensors(functionName, bytes, options);
  ignored.push(...read.ignored);
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
    if (owner !== null && !tensors.has(key) && version !== null && (version ?? 0) < 2) {
      incoming.set(key, {
        shape: [],
        integer: true,
        dtype: 'int64',
        scalar: 0,
        make: () => tf.scalar(0, 'int32'),
      });
    }
  }
  for (const [name, tensor] of tensors) {
    const float = isTorchFloat(tensor.dtype);
    const integer = !float && tensor.dtype !== 'bool';
    if (!float && !integer) {
      problems.push(
        `${JSON.stringify(name)}: dtype ${tensor.fileDtype} is neither a float nor an integer tensor`,
      );
    }
    const shape = [...tensor.shape];
    let scalar: number | undefined;
    if (integer && integerKeys.has(name) && shape.length === 0) {
      scalar = tensor.toNumbers()[0]!;
      if (!(scalar >= 0 && scalar <= INT32_MAX)) {
        problems.push(
          `${JSON.stringify(name)}: ${scalar} is outside the int32 range this module keeps`,
        );
      }
    }
    incoming.set(name, {
      shape,
      integer,
      dtype: tensor.fileDtype,
      ...(scalar !== undefined && { scalar }),
      make: () =>
        integer
          ? tf.tensor(Int32Array.from(tensor.toNumbers()), shape, 'int32')
          : tf.tensor(tensor.toFloat32(), shape, 'float32'),
    });
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
 * @param options `key`: the entry of a training checkpoint that holds the state dict.
 * @throws CheckpointError for a file that cannot be read (saying what it is when it is not a
 *   checkpoint) or does not fit: matched and missing keys, wrong shapes or dtypes, the first ten
 *   problems in the message (all in `problems`) and a guess at the cause where one fits
 *   (α, numClasses, depth, a key prefix, d-li14's names).
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
  const checked = checkOptions(functionName, options);
  if (!(bytes instanceof Uint8Array)) {
    throw new CheckpointError({
      functionName,
      message: `expected the file's bytes as a Uint8Array (or a Node Buffer), got ${bytes === null ? 'null' : typeof bytes}`,
    });
  }
  const integerKeys = new Set<string>();
  for (const [name, entry] of entries) if (entry.integer) integerKeys.add(name);
  const problems: string[] = [];
  const ignored: string[] = [];
  const incoming = fromCheckpoint(functionName, bytes, checked, integerKeys, problems, ignored);
  assignState(functionName, module, incoming, 'torch', problems);
  return { ignored };
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
