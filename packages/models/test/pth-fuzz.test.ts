// Fuzzing the .pth readers as checkpoint-fuzz.test.ts fuzzes the safetensors reader: byte-level
// mutations of real torch.save files (zip and legacy format), and random pickle opcode streams.
// Every load either succeeds (a mutation in tensor data is a valid file) or throws
// CheckpointError — never another error, never a hang — and a failed load leaves the module and
// the tensor count unchanged. Cases are seeded and replayable: a failure names its seed.

import { CheckpointError } from '@octconv/core';
import { createRandom, setupBackend } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTorchCheckpoint, OctaveConvBlock } from '../src/index';
import { legacyFile, makeZip, pickleBytes, pth } from './pth-files';

const MUTATIONS = 1000;
const RANDOM_PICKLES = 1000;

function block(): OctaveConvBlock {
  return new OctaveConvBlock({
    inChannels: 8,
    outChannels: 8,
    alphaIn: 0.5,
    alphaOut: 0.5,
    random: 1,
  });
}

async function snapshot(net: OctaveConvBlock): Promise<string> {
  const parts: number[] = [];
  for (const variable of [...net.namedParameters().values(), ...net.namedBuffers().values()]) {
    const values = await variable.data();
    parts.push(values.length, values[0] ?? 0, values[values.length - 1] ?? 0);
  }
  return parts.join(',');
}

/** One seeded mutation: bit flips, overwrites, truncation, insertion, anywhere in the file. */
function mutate(original: Uint8Array, seed: number, hot: [number, number]): Uint8Array {
  const random = createRandom(seed);
  const pick = (n: number) => Math.floor(random() * n);
  // Half the mutations hit the pickle / directory region, where structure lives.
  const where = () => (pick(2) === 0 ? hot[0] + pick(hot[1] - hot[0]) : pick(original.length));
  const kind = pick(5);
  let file = original.slice();
  if (kind === 0)
    for (let i = 0, n = 1 + pick(8); i < n; i++) {
      const at = where();
      file[at] = (file[at] ?? 0) ^ (1 << pick(8));
    }
  else if (kind === 1) for (let i = 0, n = 1 + pick(4); i < n; i++) file[where()] = pick(256);
  else if (kind === 2) file = file.slice(0, pick(file.length));
  else if (kind === 3) {
    const at = where();
    const junk = Uint8Array.from({ length: 1 + pick(16) }, () => pick(256));
    file = new Uint8Array([...file.subarray(0, at), ...junk, ...file.subarray(at)]);
  } else {
    // Duplicate a chunk of the structured region (repeats opcodes, memo indices, entries).
    const at = where();
    const chunk = file.slice(at, at + 1 + pick(64));
    file = new Uint8Array([...file.subarray(0, at), ...chunk, ...file.subarray(at)]);
  }
  return file;
}

/** A random but plausible opcode stream: the opcodes torch.save uses, with small arguments. */
function randomPickle(seed: number): Uint8Array {
  const random = createRandom(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const ops: (string | number[])[] = [[0x80, 2]];
  const simple = [
    '}',
    ']',
    ')',
    '(',
    'N',
    '\x88',
    '\x89',
    't',
    'l',
    'd',
    's',
    'u',
    'a',
    'e',
    'R',
    'b',
    '0',
    '1',
    '2',
    '\x85',
    '\x86',
    '\x87',
    'Q',
  ];
  for (let i = 0, n = 1 + pick(60); i < n; i++) {
    const choice = pick(10);
    if (choice < 5) ops.push(simple[pick(simple.length)]!);
    else if (choice === 5) ops.push([0x4b, pick(256)]);
    else if (choice === 6) ops.push([0x71, pick(8)], [0x68, pick(8)]);
    else if (choice === 7) ops.push([0x58, 1, 0, 0, 0, 0x61 + pick(26)]);
    else if (choice === 8)
      ops.push(
        pick(2)
          ? 'ctorch._utils\n_rebuild_tensor_v2\n'
          : pick(2)
            ? 'ccollections\nOrderedDict\n'
            : 'ctorch\nFloatStorage\n',
      );
    else
      ops.push(
        '(X\x07\x00\x00\x00storagecctorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK',
        [pick(64)],
        'tQ',
      );
  }
  ops.push('.');
  return pickleBytes(...ops);
}

describe('.pth fuzzing [wasm]', () => {
  beforeAll(() => setupBackend('wasm'));

  async function run(files: (seed: number) => Uint8Array, count: number, label: string) {
    let rejected = 0;
    let slowest = 0;
    const net = block();
    loadTorchCheckpoint(net, pth('block-train.zip.pth'));
    const before = await snapshot(net);
    for (let seed = 1; seed <= count; seed++) {
      const tensors = tf.memory().numTensors;
      const file = files(seed);
      const start = performance.now();
      let error: unknown;
      try {
        loadTorchCheckpoint(net, file);
      } catch (caught) {
        error = caught;
      }
      slowest = Math.max(slowest, performance.now() - start);
      if (error === undefined) {
        // A valid file (a flipped bit in tensor data): reset the module for the next case.
        loadTorchCheckpoint(net, pth('block-train.zip.pth'));
        continue;
      }
      rejected += 1;
      expect(CheckpointError.isInstance(error), `${label} seed ${seed}: ${String(error)}`).toBe(
        true,
      );
      expect(tf.memory().numTensors, `${label} seed ${seed} leaked`).toBe(tensors);
      expect(await snapshot(net), `${label} seed ${seed} changed the module`).toBe(before);
    }
    net.dispose();
    console.log(
      `[octconv] .pth fuzz ${label}: ${count} cases, ${rejected} rejected, slowest load ${slowest.toFixed(1)} ms`,
    );
    expect(slowest).toBeLessThan(2000);
    return rejected;
  }

  it(`${MUTATIONS} mutations of a zip-format training checkpoint`, async () => {
    const original = pth('block-train.zip.pth');
    // The data.pkl entry and the central directory are where the structure is.
    const text = new TextDecoder('latin1').decode(original);
    const pickleAt = text.indexOf('data.pkl');
    const rejected = await run(
      (seed) => mutate(original, seed, [pickleAt, Math.min(original.length, pickleAt + 3000)]),
      MUTATIONS,
      'zip',
    );
    expect(rejected).toBeGreaterThan(MUTATIONS / 3);
  });

  it(`${MUTATIONS} mutations of a legacy-format training checkpoint`, async () => {
    const original = pth('block-train.legacy.pth');
    const rejected = await run(
      (seed) => mutate(original, seed, [0, Math.min(original.length, 3000)]),
      MUTATIONS,
      'legacy',
    );
    expect(rejected).toBeGreaterThan(MUTATIONS / 3);
  });

  it(`${RANDOM_PICKLES} random opcode streams, as a legacy file and as data.pkl`, async () => {
    await run(
      (seed) =>
        seed % 2
          ? legacyFile(randomPickle(seed))
          : makeZip([
              ['archive/data.pkl', randomPickle(seed)],
              ['archive/data/0', new Uint8Array(256)],
            ]),
      RANDOM_PICKLES,
      'opcodes',
    );
  });
});
