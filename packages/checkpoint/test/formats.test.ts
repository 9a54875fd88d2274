// The public entry without tfjs: safetensors written and read back in every dtype, a .pth read
// (legacy format, built by hand), files sniffed, wrong input refused with typed errors.

import { describe, expect, it } from 'vitest';
import {
  CheckpointError,
  InvalidArgumentError,
  readSafetensors,
  readTorchStateDict,
  sniffCheckpoint,
  writeSafetensors,
} from '../src/index';
import { pickleBytes } from './bytes';

describe('@octconv/checkpoint', () => {
  it('writeSafetensors / readSafetensors round-trip every dtype; readTorchStateDict reads it too', () => {
    const tensors = new Map([
      [
        'a.weight',
        { dtype: 'F32' as const, shape: [2, 2], values: Float32Array.of(1, -2, 3.5, 4) },
      ],
      ['b', { dtype: 'F64' as const, shape: [1], values: Float64Array.of(0.1) }],
      // 1.0 and -2.0 in float16 and bfloat16 bits.
      ['h', { dtype: 'F16' as const, shape: [2], values: Uint16Array.of(0x3c00, 0xc000) }],
      ['bf', { dtype: 'BF16' as const, shape: [2], values: Uint16Array.of(0x3f80, 0xc000) }],
      ['n', { dtype: 'I64' as const, shape: [], values: BigInt64Array.of(-7n) }],
      ['m', { dtype: 'BOOL' as const, shape: [3], values: Uint8Array.of(1, 0, 1) }],
    ]);
    const bytes = writeSafetensors(tensors, { format: 'pt', note: 'x' });
    expect(sniffCheckpoint(bytes)).toEqual({ kind: 'safetensors', readable: true, message: null });
    const file = readSafetensors(bytes);
    expect(file.metadata).toEqual({ format: 'pt', note: 'x' });
    expect(Array.from(file.tensors.get('a.weight')!.data as Float32Array)).toEqual([1, -2, 3.5, 4]);
    expect(Array.from(file.tensors.get('h')!.data as Float32Array)).toEqual([1, -2]);
    expect(Array.from(file.tensors.get('bf')!.data as Float32Array)).toEqual([1, -2]);
    expect(file.tensors.get('n')!.data).toEqual(BigInt64Array.of(-7n));
    const state = readTorchStateDict(bytes);
    expect(state.get('bf')).toEqual({
      dtype: 'bfloat16',
      shape: [2],
      data: Float32Array.of(1, -2),
    });
    expect(state.get('b')!.dtype).toBe('float64');
    expect(state.ignored).toEqual([]);
  });

  it('reads a legacy torch.save state dict built by hand, strides and all', () => {
    // {'w': _rebuild_tensor_v2(storage('0', FloatStorage, 4 elements), 0, (2, 2), (1, 2))}
    const object = pickleBytes(
      [0x80, 0x02],
      '}X\x01\x00\x00\x00w',
      'ctorch._utils\n_rebuild_tensor_v2\n(',
      '(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x04Ntq\x00Q',
      'K\x00K\x02K\x02\x86K\x01K\x02\x86\x89ccollections\nOrderedDict\n)Rtq\x01R',
      's.',
    );
    const file = pickleBytes(
      [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e],
      [0x80, 0x02, 0x4d, 0xe9, 0x03, 0x2e],
      [0x80, 0x02, 0x7d, 0x2e],
      object,
      [0x80, 0x02, 0x5d, 0x58, 1, 0, 0, 0],
      '0a.',
      [4, 0, 0, 0, 0, 0, 0, 0],
      new Uint8Array(Float32Array.of(1, 2, 3, 4).buffer),
    );
    expect(sniffCheckpoint(file).kind).toBe('torch-legacy');
    const state = readTorchStateDict(file);
    // Stride (1, 2): the transpose of [[1, 2], [3, 4]].
    expect(state.get('w')).toEqual({
      dtype: 'float32',
      shape: [2, 2],
      data: Float32Array.of(1, 3, 2, 4),
    });
  });

  it('wrong files and wrong arguments get typed errors that say what to do', () => {
    const onnx = Uint8Array.of(0x08, 0x07, 0x12, 0x04, 0x74, 0x65, 0x73, 0x74);
    expect(sniffCheckpoint(onnx).readable).toBe(false);
    expect(() => readTorchStateDict(onnx)).toThrow(/ONNX model.*readTorchStateDict reads/);
    let caught: unknown;
    try {
      readTorchStateDict(new TextEncoder().encode('<html>nope</html>'));
    } catch (error) {
      caught = error;
    }
    expect(CheckpointError.isInstance(caught)).toBe(true);
    expect(() =>
      writeSafetensors(new Map([['x', { dtype: 'F32', shape: [3], values: Float32Array.of(1) }]])),
    ).toThrow(/holds 3 values, got 1/);
    try {
      writeSafetensors(
        new Map([['x', { dtype: 'F32', shape: [1], values: Float64Array.of(1) as never }]]),
      );
    } catch (error) {
      caught = error;
    }
    expect(InvalidArgumentError.isInstance(caught)).toBe(true);
  });
});
