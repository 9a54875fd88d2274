// Checkpoints: strict, atomic loading (PyTorch safetensors and tf.io), hostile files, dtype casts.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseSafetensors,
  type SafetensorsInput,
  serializeSafetensors,
} from '@octconv/checkpoint/internal';
import { CheckpointError } from '@octconv/core';
import { captureError, describeEachBackend, read } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  loadModule,
  loadTorchCheckpoint,
  MiniOctNet,
  type Module,
  OctaveConvBlock,
  saveModule,
  saveTorchCheckpoint,
} from '../src/index';
import { fileHandler } from '../src/node/index';
import { FIXTURES } from './fixtures';

/** Every variable's values, by name, to prove a failed load changed nothing. */
async function snapshot(module: Module): Promise<Map<string, number[]>> {
  const result = new Map<string, number[]>();
  for (const [name, variable] of [...module.namedParameters(), ...module.namedBuffers()]) {
    result.set(name, Array.from(await variable.data()));
  }
  return result;
}

/** A raw safetensors file from a header object and data bytes. */
function rawFile(
  header: unknown,
  data: Uint8Array = new Uint8Array(0),
  lengthOverride?: number,
): Uint8Array {
  const json = new TextEncoder().encode(
    typeof header === 'string' ? header : JSON.stringify(header),
  );
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, lengthOverride ?? json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** A single-band 2→2 1×1 block: a tiny state dict for hand-made files. */
function tinyBlock(): OctaveConvBlock {
  return new OctaveConvBlock({
    inChannels: 2,
    outChannels: 2,
    alphaIn: 0,
    alphaOut: 0,
    kernelSize: 1,
    padding: 0,
    random: 1,
  });
}

/** A safetensors header and data section from `[name, dtype, shape, bytes]` entries, in order. */
function packEntries(entries: [string, string, number[], Uint8Array][]): {
  header: Record<string, unknown>;
  data: Uint8Array;
} {
  const header: Record<string, unknown> = {};
  const data = new Uint8Array(entries.reduce((sum, [, , , bytes]) => sum + bytes.length, 0));
  let offset = 0;
  for (const [name, dtype, shape, bytes] of entries) {
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes.length] };
    data.set(bytes, offset);
    offset += bytes.length;
  }
  return { header, data };
}

const seedCheckpoint = () =>
  new Uint8Array(readFileSync(join(FIXTURES, 'mini-oct-net.safetensors')));

await describeEachBackend('checkpoints', () => {
  it('a strict load lists every problem in one CheckpointError and changes nothing', async () => {
    const block = new OctaveConvBlock({ inChannels: 4, outChannels: 4, random: 1 });
    const other = new OctaveConvBlock({ inChannels: 4, outChannels: 6, random: 2 });
    const file = parseSafetensors('test', await saveTorchCheckpoint(other));
    const tensors = new Map<string, SafetensorsInput>();
    for (const [name, entry] of file.tensors) {
      if (name === 'bn_l.bias') continue; // missing
      const values =
        entry.dtype === 'I64'
          ? new BigInt64Array(entry.bytes.slice().buffer)
          : new Float32Array(entry.bytes.slice().buffer);
      tensors.set(name, { dtype: entry.dtype as 'F32' | 'I64', shape: entry.shape, values });
    }
    tensors.set('extra.weight', { dtype: 'F32', shape: [1], values: new Float32Array(1) });
    tensors.set('bn_h.num_batches_tracked', {
      dtype: 'F32',
      shape: [],
      values: new Float32Array(1),
    });
    const before = await snapshot(block);
    const count = tf.memory().numTensors;
    const error = captureError(() =>
      loadTorchCheckpoint(block, serializeSafetensors(tensors)),
    ) as CheckpointError;
    expect(CheckpointError.isInstance(error)).toBe(true);
    expect(error.code).toBe('ERR_OCTCONV_CHECKPOINT');
    expect(error.message).toMatch(
      /^loadTorchCheckpoint: the checkpoint does not fit OctaveConvBlock/,
    );
    expect(error.problems).toEqual(
      expect.arrayContaining([
        'missing key "bn_l.bias"',
        'unexpected key "extra.weight"',
        '"oct.hh.weight": shape [3, 2, 3, 3] in the checkpoint, [2, 2, 3, 3] in the module',
        '"bn_h.num_batches_tracked": dtype F32 in the checkpoint, the module holds an integer tensor',
      ]),
    );
    expect(tf.memory().numTensors).toBe(count);
    expect(await snapshot(block)).toEqual(before);
    block.dispose();
    other.dispose();
  });

  it('loads a Node Buffer straight from readFile (a view into a larger pool or file)', async () => {
    const net = new MiniOctNet({ random: 3 });
    const expected = new MiniOctNet({ random: 4 });
    loadTorchCheckpoint(expected, seedCheckpoint());
    // readFileSync returns a Buffer; a small one is a view into Node's shared pool.
    const file = readFileSync(join(FIXTURES, 'mini-oct-net.safetensors'));
    const padded = Buffer.concat([Buffer.alloc(12, 7), file]).subarray(12);
    loadTorchCheckpoint(net, padded);
    expect(await snapshot(net)).toEqual(await snapshot(expected));
    net.dispose();
    expected.dispose();
  });

  it('hostile files give CheckpointError, quickly, without allocating their claims', async () => {
    const net = new MiniOctNet({ random: 1 });
    const before = await snapshot(net);
    const count = tf.memory().numTensors;
    const f32 = (shape: number[], offsets: number[]) => ({
      dtype: 'F32',
      shape,
      data_offsets: offsets,
    });
    const hostile: [string, Uint8Array, RegExp][] = [
      ['empty', new Uint8Array(0), /the file is empty \(0 bytes\)/],
      [
        'header beyond the file',
        rawFile({}, new Uint8Array(0), 1_000_000),
        /header length 1000000 is beyond the file/,
      ],
      [
        'header above 100 MB',
        (() => {
          const f = new Uint8Array(8 + 16);
          new DataView(f.buffer).setUint32(4, 1, true);
          return f;
        })(),
        /beyond the file/,
      ],
      ['not JSON', rawFile('{"a": [1, 2'), /not UTF-8 JSON/],
      ['not UTF-8', rawFile('\u0000').map((b, i) => (i === 8 ? 0xff : b)), /not UTF-8 JSON/],
      ['JSON array', rawFile([1, 2]), /not a JSON object/],
      [
        'unknown dtype',
        rawFile({ w: { dtype: 'F128', shape: [1], data_offsets: [0, 16] } }, new Uint8Array(16)),
        /unknown dtype "F128"/,
      ],
      [
        'offsets beyond data',
        rawFile({ w: f32([2], [0, 8]) }, new Uint8Array(4)),
        /beyond the 4 data bytes/,
      ],
      [
        'absurd shape',
        rawFile({ w: f32([1e15, 1e15], [0, 4]) }, new Uint8Array(4)),
        /needs more than 4 bytes/,
      ],
      [
        'shape × dtype ≠ range',
        rawFile({ w: f32([3], [0, 8]) }, new Uint8Array(16)),
        /needs 12 bytes, data_offsets give 8/,
      ],
      [
        'overlap',
        rawFile({ a: f32([2], [0, 8]), b: f32([2], [4, 12]) }, new Uint8Array(12)),
        /overlap/,
      ],
      [
        'hole',
        rawFile({ a: f32([1], [0, 4]), b: f32([1], [8, 12]) }, new Uint8Array(12)),
        /belong to no tensor/,
      ],
      [
        'negative offset',
        rawFile({ a: f32([1], [-4, 0]) }, new Uint8Array(4)),
        /data_offsets must be/,
      ],
      [
        'bad metadata',
        rawFile({ __metadata__: { a: 1 } }),
        /__metadata__ must map strings to strings/,
      ],
      [
        'deep JSON',
        rawFile(`${'['.repeat(100_000)}${']'.repeat(100_000)}`),
        /not UTF-8 JSON|not a JSON object/,
      ],
    ];
    for (const [label, bytes, pattern] of hostile) {
      const start = performance.now();
      const error = captureError(() => loadTorchCheckpoint(net, bytes)) as CheckpointError;
      expect(CheckpointError.isInstance(error), label).toBe(true);
      expect(error.message, label).toMatch(pattern);
      expect(performance.now() - start, label).toBeLessThan(1000);
    }
    // A truncated real checkpoint: every prefix length class fails cleanly.
    const real = seedCheckpoint();
    for (const length of [4, 8, 100, 2000, real.length - 1]) {
      expect(
        CheckpointError.isInstance(
          captureError(() => loadTorchCheckpoint(net, real.subarray(0, length))),
        ),
        `truncated to ${length}`,
      ).toBe(true);
    }
    expect(tf.memory().numTensors).toBe(count);
    expect(await snapshot(net)).toEqual(before);
    net.dispose();
  });

  it('float tensors may come as F64, F16 or BF16 and are cast to float32', async () => {
    const block = tinyBlock();
    const saved = parseSafetensors('test', await saveTorchCheckpoint(block));
    const { header, data } = packEntries([
      [
        'oct.hh.weight',
        'F64',
        [2, 2, 1, 1],
        new Uint8Array(Float64Array.of(0.5, -1.5, 2, 1e-3).buffer),
      ],
      ['bn_h.weight', 'F16', [2], new Uint8Array(Uint16Array.of(0x3c00, 0xc000).buffer)], // 1, -2
      ['bn_h.bias', 'BF16', [2], new Uint8Array(Uint16Array.of(0x3f80, 0x4040).buffer)], // 1, 3
      ...['bn_h.running_mean', 'bn_h.running_var', 'bn_h.num_batches_tracked'].map(
        (name): [string, string, number[], Uint8Array] => {
          const entry = saved.tensors.get(name)!;
          return [name, entry.dtype, entry.shape, entry.bytes.slice()];
        },
      ),
    ]);
    loadTorchCheckpoint(block, rawFile(header, data));
    // OIHW [2, 2, 1, 1] → HWIO [1, 1, 2, 2]: element (i, o) = torch (o, i).
    expect(Array.from(await read(block.oct.namedParameters().get('hh.weight')!))).toEqual([
      0.5,
      2,
      -1.5,
      Math.fround(1e-3),
    ]);
    expect(Array.from(await read(block.bnH!.weight))).toEqual([1, -2]);
    expect(Array.from(await read(block.bnH!.bias))).toEqual([1, 3]);
    block.dispose();
  });

  it('saveModule/loadModule round-trip through files and memory, strictly', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'octconv-'));
    try {
      const net = new MiniOctNet({ random: 5 });
      loadTorchCheckpoint(net, seedCheckpoint());
      await saveModule(net, fileHandler(`file://${directory}`));
      const copy = new MiniOctNet({ random: 6 });
      await loadModule(copy, fileHandler(directory));
      expect(await snapshot(copy)).toEqual(await snapshot(net));
      expect(copy.stemBn.numBatchesTracked).toBe(net.stemBn.numBatchesTracked);
      expect(copy.stemBn.numBatchesTracked).toBeGreaterThan(0);
      const block = new OctaveConvBlock({ inChannels: 4, outChannels: 4 });
      const error = (await loadModule(block, fileHandler(directory)).catch(
        (e: unknown) => e,
      )) as CheckpointError;
      expect(CheckpointError.isInstance(error)).toBe(true);
      expect(error.problems[0]).toBe('saved from a MiniOctNet, loading into a OctaveConvBlock');
      const missing = (await loadModule(copy, fileHandler(join(directory, 'nope'))).catch(
        (e: unknown) => e,
      )) as CheckpointError;
      expect(missing.message).toMatch(/^loadModule: could not read the saved module/);
      // tfjs-core's own handlers (here the in-memory pair that browser handlers share).
      let artifacts: tf.io.ModelArtifacts | undefined;
      await saveModule(
        net,
        tf.io.withSaveHandler(async (a) => {
          artifacts = a;
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        }),
      );
      const third = new MiniOctNet({ random: 7 });
      await loadModule(third, tf.io.fromMemory(artifacts!));
      expect(await snapshot(third)).toEqual(await snapshot(net));
      for (const m of [net, copy, block, third]) m.dispose();
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

await describeEachBackend('checkpoint edge cases', () => {
  it('rejects BOOL for a float parameter, nested duplicate keys and malformed tf.io specs, typed', async () => {
    const block = tinyBlock();
    const saved = parseSafetensors('test', await saveTorchCheckpoint(block));
    const { header, data } = packEntries(
      [...saved.tensors].map(([name, entry]): [string, string, number[], Uint8Array] =>
        name === 'bn_h.bias'
          ? [name, 'BOOL', entry.shape, new Uint8Array(2)]
          : [name, entry.dtype, entry.shape, entry.bytes.slice()],
      ),
    );
    const bool = captureError(() =>
      loadTorchCheckpoint(block, rawFile(header, data)),
    ) as CheckpointError;
    expect(CheckpointError.isInstance(bool)).toBe(true);
    expect(bool.problems).toContain(
      '"bn_h.bias": dtype BOOL is neither a float nor an integer tensor',
    );
    const nested = JSON.stringify(header).replace('"dtype":"F32"', '"dtype":"F16","dtype":"F32"');
    const duplicate = captureError(() =>
      loadTorchCheckpoint(block, rawFile(nested, data)),
    ) as CheckpointError;
    expect(duplicate.message).toContain('"dtype" more than once');
    for (const weightSpecs of [[{ name: 'x', dtype: 'float32', shape: null }], {}, [null]]) {
      const error = await loadModule(
        block,
        tf.io.fromMemory({
          modelTopology: { format: 'octconv-module', module: 'OctaveConvBlock', version: 1 },
          weightSpecs,
          weightData: new ArrayBuffer(0),
        } as unknown as tf.io.ModelArtifacts),
      ).catch((e: unknown) => e);
      expect(CheckpointError.isInstance(error), String(error)).toBe(true);
    }
    expect(String(captureError(() => fileHandler('file://elsewhere/dir')))).toContain(
      'fileHandler: path "file://elsewhere/dir" is not a local file URL',
    );
    block.dispose();
  });
});
