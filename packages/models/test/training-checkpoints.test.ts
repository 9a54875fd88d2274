// Checkpoints as training scripts write them, made by Debian's python3-torch
// (fixtures/make_training_checkpoints.py, into a temporary folder): torchvision's reference
// training checkpoint (argparse args, a MultiStepLR state with its Counter, an EMA model, numpy
// metrics) loads with no options and gives PyTorch's logits; the same file with os.system inside
// is refused; stride-0, transposed, sliced and permuted views and every float16 / bfloat16 value
// equal PyTorch's; float16 and bfloat16 state dicts give PyTorch's logits. CI sets
// OCTCONV_REQUIRE_TORCH=1, so a missing torch fails there instead of skipping.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PickleDict } from '@octconv/checkpoint/internal';
import { NumpyArray, readTorchFile } from '@octconv/checkpoint/internal';
import { CheckpointError } from '@octconv/core';
import { assertClose, read, setupBackend } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTorchCheckpoint, MiniOctNet, readTorchStateDict } from '../src/index';
import { FIXTURES } from './fixtures';
import { legacyFile, makeZip, pickleBytes, unzipStored } from './pth-files';

const PYTHON = '/usr/bin/python3';
const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
const torchMissing =
  probe.status !== 0 ? `${PYTHON} cannot import torch (apt-get install -y python3-torch)` : null;
if (torchMissing && process.env.OCTCONV_REQUIRE_TORCH === '1') {
  throw new Error(`OCTCONV_REQUIRE_TORCH=1 but ${torchMissing}`);
}
if (torchMissing) console.warn(`[octconv] skipping the training-checkpoint tests: ${torchMissing}`);

interface Expected {
  input: { shape: number[]; data: number[] };
  logits: Record<'model' | 'model_ema' | 'half' | 'bfloat16', number[]>;
  numpy: {
    best_acc1: number;
    best_epoch: number;
    is_best: boolean;
    top5_history: { shape: number[]; data: number[] };
  };
  views: Record<string, { shape: number[]; stride: number[]; data: number[] }>;
}

const TOLERANCE = { atol: 1e-4, rtol: 1e-4 };
const IGNORED = ['lr_scheduler.milestones: collections.Counter', 'args: argparse.Namespace'];

describe.skipIf(torchMissing !== null)('checkpoints as training scripts write them [wasm]', () => {
  let directory = '';
  let expected: Expected;
  const file = (name: string) => new Uint8Array(readFileSync(join(directory, name)));
  beforeAll(async () => {
    await setupBackend('wasm');
    directory = mkdtempSync(join(tmpdir(), 'octconv-training-'));
    const made = spawnSync(PYTHON, [join(FIXTURES, 'make_training_checkpoints.py'), directory], {
      encoding: 'utf8',
    });
    if (made.status !== 0) throw new Error(`make_training_checkpoints.py failed: ${made.stderr}`);
    expected = JSON.parse(readFileSync(join(directory, 'expected.json'), 'utf8')) as Expected;
  }, 300_000);
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  async function logits(bytes: Uint8Array, options?: { key?: string }) {
    const net = new MiniOctNet({ inChannels: 3, numClasses: 10, alpha: 0.5, random: 1 });
    const result = loadTorchCheckpoint(net, bytes, options);
    net.eval();
    const { shape, data } = expected.input;
    const x = tf.tidy(() =>
      tf.transpose(tf.tensor4d(data, shape as [number, number, number, number]), [0, 2, 3, 1]),
    );
    const y = net.apply(x) as tf.Tensor;
    const values = await read(y);
    tf.dispose([x, y]);
    net.dispose();
    return { values, ignored: result.ignored };
  }

  for (const stem of ['reference', 'reference.legacy']) {
    it(`${stem}: torchvision's training checkpoint loads with no options and gives PyTorch's logits`, async () => {
      const bytes = file(`${stem}.pth`);
      const before = tf.memory().numTensors;
      const { values, ignored } = await logits(bytes);
      assertClose('logits', values, expected.logits.model, TOLERANCE);
      expect(ignored).toEqual(IGNORED);
      // The EMA model: AveragedModel's n_averaged is reported, its module. prefix removed.
      const ema = await logits(bytes, { key: 'model_ema' });
      assertClose('EMA logits', ema.values, expected.logits.model_ema, TOLERANCE);
      expect(ema.ignored).toContain(
        'model_ema.n_averaged: the step count of an averaged (EMA) model',
      );
      expect(tf.memory().numTensors).toBe(before);

      const state = readTorchStateDict(bytes);
      expect(state.source).toBe('model');
      expect(state.ignored).toEqual(IGNORED);
      expect(state.get('stem.0.weight')!.shape).toEqual([64, 3, 3, 3]);
      // numpy values read as numbers, booleans and arrays.
      const top = readTorchFile('test', bytes).object as PickleDict;
      expect(top.entries.get('best_acc1')).toBe(expected.numpy.best_acc1);
      expect(top.entries.get('best_epoch')).toBe(expected.numpy.best_epoch);
      expect(top.entries.get('is_best')).toBe(expected.numpy.is_best);
      const history = top.entries.get('top5_history') as NumpyArray;
      expect(history).toBeInstanceOf(NumpyArray);
      expect(history.dtype).toBe('float32');
      expect(history.shape).toEqual(expected.numpy.top5_history.shape);
      expect(Array.from(history.data as Float32Array)).toEqual(expected.numpy.top5_history.data);
    });

    it(`${stem}: the same file with os.system inside args is refused before anything is read`, async () => {
      const net = new MiniOctNet({ inChannels: 3, numClasses: 10, alpha: 0.5, random: 1 });
      const before = await read(net.fc.weight);
      const hostile = file(`${stem.replace('reference', 'reference-os')}.pth`);
      for (const attempt of [
        () => loadTorchCheckpoint(net, hostile),
        () => readTorchStateDict(hostile),
        () => readTorchStateDict(hostile, { key: 'model' }),
      ]) {
        let caught: unknown;
        try {
          attempt();
        } catch (error) {
          caught = error;
        }
        expect(CheckpointError.isInstance(caught)).toBe(true);
        expect((caught as Error).message).toMatch(
          /the Python global (posix|os)\.system, which is not allowed/,
        );
      }
      expect(await read(net.fc.weight)).toEqual(before);
      net.dispose();
    });
  }

  for (const suffix of ['', '.legacy']) {
    it(`views${suffix}: stride-0, transposed, sliced, offset and permuted tensors equal PyTorch's`, () => {
      const state = readTorchStateDict(file(`views${suffix}.pth`));
      for (const [name, view] of Object.entries(expected.views)) {
        const entry = state.get(name)!;
        expect(entry.shape, name).toEqual(view.shape);
        expect(Array.from(entry.data as Float32Array), name).toEqual(
          view.data.map((v) => Math.fround(v)),
        );
      }
      // Every float16 and bfloat16 bit pattern, against PyTorch's own .float() of it.
      for (const dtype of ['float16', 'bfloat16']) {
        const ours = state.get(`${dtype}_all`)!;
        const theirs = state.get(`${dtype}_all_as_float32`)!;
        expect(ours.dtype).toBe(dtype);
        expect(ours.data.length).toBe(65536);
        const a = new Uint32Array((ours.data as Float32Array).buffer);
        const b = new Uint32Array((theirs.data as Float32Array).slice().buffer);
        let differ = 0;
        for (let i = 0; i < a.length; i++) {
          const nan = Number.isNaN(ours.data[i] as number);
          if (nan ? !Number.isNaN(theirs.data[i] as number) : a[i] !== b[i]) differ += 1;
        }
        expect(differ, dtype).toBe(0);
      }
    });
  }

  it('a storage too short for the views on it is an error naming their keys', () => {
    const entries = unzipStored(file('views.pth')).map(([name, data]): [string, Uint8Array] => [
      name,
      /\/data\/\d+$/.test(name) ? data.subarray(0, 2) : data,
    ]);
    expect(() => readTorchStateDict(makeZip(entries))).toThrow(
      /"expanded_scalar": storage \d+ holds 2 bytes, shorter than the 4 its 1 float32 elements need/,
    );
  });

  for (const [name, stem] of [
    ['half.pth', 'half'],
    ['half.legacy.pth', 'half'],
    ['bfloat16.pth', 'bfloat16'],
    ['bfloat16.legacy.pth', 'bfloat16'],
    ['bfloat16.safetensors', 'bfloat16'],
  ] as const) {
    it(`${name}: a ${stem} state dict gives PyTorch's logits of the rounded weights`, async () => {
      const { values, ignored } = await logits(file(name));
      assertClose('logits', values, expected.logits[stem], TOLERANCE);
      expect(ignored).toEqual([]);
    });
  }
});

describe('inert records and damaged views name their key', () => {
  it('a Python object inside the state dict is an error naming its key', () => {
    const object = pickleBytes(
      [0x80, 0x02],
      '}',
      [0x58, 5, 0, 0, 0],
      'model}',
      [0x58, 4, 0, 0, 0],
      'args',
      'cargparse\nNamespace\n)\x81}b',
      'ss.',
    );
    expect(() => readTorchStateDict(legacyFile(object))).toThrow(
      /the state dict in "model" is not a dict of tensors: "args" holds a Python object argparse\.Namespace, not a tensor/,
    );
  });

  it('a global on the deny-list is refused wherever it is, even never applied', () => {
    for (const global of ['builtins\neval', 'subprocess\nPopen', 'importlib\nimport_module']) {
      const object = pickleBytes([0x80, 0x02], '}', [0x58, 1, 0, 0, 0], 'x', `c${global}\n`, 's.');
      expect(() => readTorchStateDict(legacyFile(object))).toThrow(/which is not allowed/);
    }
  });
});
