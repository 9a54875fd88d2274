// startBackend('wasm', { threads }) in Node: tfjs-backend-wasm's threaded SIMD build starts (tfjs
// itself refuses it in Node), XNNPACK's pool really runs the threads asked for (tfjs's own
// getThreadsCount(), which the facts report), every benchmark case computes on 2 threads what it
// computes on 1, and a bad request leaves the running backend as it was.

import { availableParallelism } from 'node:os';
import { assertClose, TOLERANCE } from '@octconv/test-utils';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { ALL_CASES, MAX_WASM_THREADS, startBackend } from '../src/index';

// The cases of both suites but one Oct-ResNet-50 (α .5; α .75 runs the same kernels).
const CASES = ALL_CASES.filter((c) => c.id !== 'oct-resnet50-a0.75');
const SEED = 3;

/** Every case's octave and vanilla outputs, one call each, on the running backend. */
async function outputsOfEveryCase(): Promise<Map<string, Float32Array[]>> {
  const outputs = new Map<string, Float32Array[]>();
  for (const benchCase of CASES) {
    const prepared = benchCase.setup(SEED);
    try {
      for (const variant of ['octave', 'vanilla'] as const) {
        const result = prepared[variant]();
        const tensors = Array.isArray(result) ? result : [result];
        const arrays = await Promise.all(
          tensors.map(async (t) => (await t.data()) as Float32Array),
        );
        tf.dispose(tensors);
        outputs.set(`${benchCase.id} ${variant}`, arrays);
      }
    } finally {
      prepared.dispose();
    }
  }
  return outputs;
}

// Two threads need two logical cores (startBackend caps the count at them).
const CORES = availableParallelism();
if (CORES < 2)
  console.warn(
    `\n!!! @octconv/bench: SKIPPING the Node wasm thread tests: this machine has ${CORES} logical core !!!\n`,
  );

// First in the file: the wasm backend is still tfjs's own start, which startBackend never
// registered.
it("keeps tfjs's own wasm backend, and its tensors, when asked for the threads it already runs", async () => {
  const own = await startBackend('wasm');
  expect(own).toMatchObject({ available: true, threadCount: 1 });
  const kept = tf.tensor([1, 2, 3]);
  const one = await startBackend('wasm', { threads: 1 });
  expect(one).toMatchObject({ available: true, threadCount: 1 });
  expect(Array.from(await kept.data())).toEqual([1, 2, 3]);
  kept.dispose();
});

describe.skipIf(CORES < 2)("startBackend('wasm', { threads }) in Node", () => {
  afterAll(async () => {
    // Back to one thread, as the other test files of this worker expect wasm to be.
    await startBackend('wasm', { threads: 1 });
  });

  it('starts the threaded build with 2 threads, and every case equals its 1-thread result', async () => {
    const one = await startBackend('wasm', { threads: 1 });
    expect(one).toMatchObject({ name: 'wasm', available: true, simd: true, threadCount: 1 });
    expect(one.threadsCapped).toBeUndefined();
    const expected = await outputsOfEveryCase();

    const two = await startBackend('wasm', { threads: 2 });
    expect(two).toMatchObject({
      name: 'wasm',
      available: true,
      simd: true,
      threads: true,
      threadCount: 2,
      threadsRequested: 2,
    });
    expect(two.threadsCapped).toBeUndefined();
    expect(getThreadsCount()).toBe(2);
    expect(tf.getBackend()).toBe('wasm');
    const before = tf.memory().numTensors;
    const actual = await outputsOfEveryCase();
    expect(tf.memory().numTensors).toBe(before);

    expect([...actual.keys()]).toEqual([...expected.keys()]);
    for (const [key, arrays] of expected) {
      const got = actual.get(key)!;
      expect(got.length, key).toBe(arrays.length);
      arrays.forEach((want, i) => {
        // Deep networks carry float32 rounding through 50 layers: the tolerance scales with the
        // output's magnitude.
        const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
        assertClose(`${key} [${i}]`, got[i]!, want, {
          atol: TOLERANCE.wasm.atol * scale,
          rtol: TOLERANCE.wasm.rtol,
        });
      });
    }
  });

  it('keeps a running backend for the same count, and caps a count above the cores', async () => {
    const two = await startBackend('wasm', { threads: 2 });
    const kept = tf.tensor([1, 2, 3]);
    const again = await startBackend('wasm', { threads: 2 });
    expect(again.threadCount).toBe(2);
    // Not restarted: the tensor still lives on the same backend.
    expect(Array.from(await kept.data())).toEqual([1, 2, 3]);
    kept.dispose();
    expect(two.threadCount).toBe(2);

    const cap = Math.min(CORES, MAX_WASM_THREADS);
    const many = await startBackend('wasm', { threads: 64 });
    expect(many).toMatchObject({ available: true, threadCount: cap, threadsRequested: 64 });
    expect(many.threadsCapped).toMatch(/logical core|at most 8 threads/);
    expect(Array.from(await tf.add(tf.scalar(1), tf.scalar(2)).data())).toEqual([3]);
  });

  it('refuses a bad thread count with the reason, leaving the running backend as it was', async () => {
    await startBackend('wasm', { threads: 2 });
    const kept = tf.tensor([4, 5]);
    const before = tf.memory().numTensors;
    for (const threads of [0, 1.5, -2, Number.NaN, '2' as unknown as number]) {
      const facts = await startBackend('wasm', { threads });
      expect(facts.available, String(threads)).toBe(false);
      expect(facts.reason).toMatch(/threads must be a whole number of threads ≥ 1/);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(getThreadsCount()).toBe(2);
    expect(Array.from(await kept.data())).toEqual([4, 5]);
    kept.dispose();
  });
});
