// Checkpoint fuzzing: byte-level mutations of a real PyTorch checkpoint and structured attacks
// on the header. Every load either succeeds (a mutation in tensor data is a valid file) or throws
// CheckpointError — never another error, never a hang — and a failed load leaves the module and
// the tensor count unchanged. Cases are seeded and replayable: a failure names its seed.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError } from '@octconv/core';
import { createRandom, setupBackend } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTorchCheckpoint, MiniOctNet } from '../src/index';
import { FIXTURES } from './fixtures';

const MUTATIONS = 400;
const original = new Uint8Array(readFileSync(join(FIXTURES, 'mini-oct-net.safetensors')));
const headerEnd = 8 + new DataView(original.buffer, original.byteOffset).getUint32(0, true);

function header(file: Uint8Array): string {
  const length = new DataView(file.buffer, file.byteOffset).getUint32(0, true);
  return new TextDecoder().decode(file.subarray(8, 8 + length));
}

function withHeader(text: string, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** One seeded mutation: flips, overwrites, truncation, insertion, mostly in the header. */
function mutate(seed: number): Uint8Array {
  const random = createRandom(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const kind = pick(5);
  let file = original.slice();
  const inHeader = () => pick(headerEnd);
  if (kind === 0)
    for (let i = 0, n = 1 + pick(8); i < n; i++) {
      const at = inHeader();
      file[at] = (file[at] ?? 0) ^ (1 << pick(8));
    }
  else if (kind === 1) for (let i = 0, n = 1 + pick(4); i < n; i++) file[inHeader()] = pick(256);
  else if (kind === 2) file = file.slice(0, pick(file.length));
  else if (kind === 3) {
    const at = inHeader();
    const junk = Uint8Array.from({ length: 1 + pick(16) }, () => pick(256));
    file = new Uint8Array([...file.subarray(0, at), ...junk, ...file.subarray(at)]);
  } else file[8 + pick(8)] = pick(256); // the length field and the first header bytes
  return file;
}

async function snapshot(net: MiniOctNet): Promise<string> {
  const parts: number[] = [];
  for (const variable of [...net.namedParameters().values(), ...net.namedBuffers().values()]) {
    const values = await variable.data();
    parts.push(values.length, values[0] ?? 0, values[values.length - 1] ?? 0);
  }
  return parts.join(',');
}

describe('checkpoint fuzzing [wasm]', () => {
  beforeAll(() => setupBackend('wasm'));

  it(`${MUTATIONS} byte-level mutations: loaded or CheckpointError, nothing else, module intact`, async () => {
    let rejected = 0;
    let slowest = 0;
    for (let seed = 1; seed <= MUTATIONS; seed++) {
      const net = new MiniOctNet({ random: 1 });
      const before = await snapshot(net);
      const count = tf.memory().numTensors;
      const file = mutate(seed);
      const start = performance.now();
      let error: unknown;
      try {
        loadTorchCheckpoint(net, file);
      } catch (caught) {
        error = caught;
      }
      slowest = Math.max(slowest, performance.now() - start);
      if (error !== undefined) {
        rejected += 1;
        expect(CheckpointError.isInstance(error), `seed ${seed}: ${String(error)}`).toBe(true);
        expect(await snapshot(net), `seed ${seed} changed the module`).toBe(before);
        expect(tf.memory().numTensors, `seed ${seed} leaked`).toBe(count);
      }
      net.dispose();
    }
    console.log(
      `[octconv] checkpoint fuzz: ${MUTATIONS} mutations, ${rejected} rejected, slowest load ${slowest.toFixed(1)} ms`,
    );
    expect(rejected).toBeGreaterThan(MUTATIONS / 2);
    expect(slowest).toBeLessThan(2000);
  });

  it('structured attacks on the header are CheckpointErrors', () => {
    const text = header(original);
    const data = original.subarray(headerEnd);
    const entries = JSON.parse(text) as Record<string, { data_offsets: number[] }>;
    const [firstKey] = Object.keys(entries).filter((k) => k !== '__metadata__');
    const attacks: [string, Uint8Array, RegExp][] = [
      [
        'duplicate key',
        withHeader(
          text.replace(
            /}\s*$/,
            `,${JSON.stringify(firstKey)}:${JSON.stringify(entries[firstKey!])}}`,
          ),
          data,
        ),
        /more than once/,
      ],
      [
        '__proto__ key',
        withHeader(
          text.replace(/}\s*$/, ',"__proto__":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}'),
          data,
        ),
        /unexpected key "__proto__"|belong to no tensor|overlap/,
      ],
      [
        'NaN in metadata',
        withHeader(text.replace('"format":"pt"', '"format":NaN'), data),
        /not UTF-8 JSON/,
      ],
      [
        'unsorted offsets are fine but overlaps are not',
        withHeader(
          text.replace(
            /"data_offsets":\[(\d+),(\d+)\]/,
            (_m, a, b) => `"data_offsets":[${Number(a) + 4},${Number(b) + 4}]`,
          ),
          data,
        ),
        /overlap|needs|beyond|no tensor/,
      ],
      [
        'header of 50 MB of spaces',
        withHeader(`{}${' '.repeat(50_000_000)}`, new Uint8Array(0)),
        /missing key/,
      ],
    ];
    for (const [label, file, pattern] of attacks) {
      const net = new MiniOctNet({ random: 1 });
      const start = performance.now();
      let error: unknown;
      try {
        loadTorchCheckpoint(net, file);
      } catch (caught) {
        error = caught;
      }
      expect(CheckpointError.isInstance(error), `${label}: ${String(error)}`).toBe(true);
      expect(String(error), label).toMatch(pattern);
      expect(performance.now() - start, label).toBeLessThan(2000);
      net.dispose();
    }
  });
});
