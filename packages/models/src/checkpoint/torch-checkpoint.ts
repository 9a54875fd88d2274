import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../module/module';
import {
  isFloatDtype,
  parseSafetensors,
  readFloat32,
  readIntegers,
  type SafetensorsInput,
  serializeSafetensors,
} from './safetensors';
import { assignState, type IncomingValue, stateEntries } from './state';

const INT32_MAX = 2 ** 31 - 1;

/**
 * Loads a PyTorch `state_dict` saved with `safetensors.torch.save_file` into `module`, strictly
 * like `load_state_dict(strict=True)`: every key of the module present with PyTorch's shape
 * (OIHW convolutions and `[out, in]` linear weights, converted to HWIO and `[in, out]`), no
 * unexpected key. Float tensors may be F32, F64, F16 or BF16 (cast to float32, as PyTorch's
 * `copy_` casts); `num_batches_tracked` may be any integer type (PyTorch writes int64).
 *
 * Everything is validated before anything is assigned: on error the module is unchanged.
 *
 * @param bytes The whole file.
 * @throws CheckpointError listing every problem (a hostile or truncated file, missing or
 *   unexpected keys, wrong shapes or dtypes).
 */
export function loadTorchCheckpoint(module: Module, bytes: Uint8Array): void {
  const functionName = 'loadTorchCheckpoint';
  const entries = stateEntries(functionName, module);
  const file = parseSafetensors(functionName, bytes);
  const incoming = new Map<string, IncomingValue>();
  const extraProblems: string[] = [];
  for (const [name, entry] of file.tensors) {
    const float = isFloatDtype(entry.dtype);
    const integer = !float && entry.dtype !== 'BOOL';
    if (!float && !integer) {
      extraProblems.push(
        `${JSON.stringify(name)}: dtype ${entry.dtype} is neither a float nor an integer tensor`,
      );
    }
    let scalar: number | undefined;
    if (integer && entries.get(name)?.integer && entry.shape.length === 0) {
      scalar = readIntegers(entry)[0]!;
      if (!(scalar >= 0 && scalar <= INT32_MAX)) {
        extraProblems.push(
          `${JSON.stringify(name)}: ${scalar} is outside the int32 range this module keeps`,
        );
      }
    }
    incoming.set(name, {
      shape: entry.shape,
      integer,
      dtype: entry.dtype,
      ...(scalar !== undefined && { scalar }),
      make: () =>
        integer
          ? tf.tensor(Int32Array.from(readIntegers(entry)), entry.shape, 'int32')
          : tf.tensor(readFloat32(entry), entry.shape, 'float32'),
    });
  }
  assignState(functionName, module, incoming, 'torch', extraProblems);
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
