// The one timing loop of the bench (harness, scripts, browser pages): the order of the calls,
// what is downloaded and disposed, and what a call returns in ways other than tensors.
import { setupBackend } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { median, startBackend, timeCall, timeInterleaved } from '../src/index';

beforeAll(async () => {
  await setupBackend('cpu');
});

describe('timeInterleaved', () => {
  it('warms up, then rotates which call goes first each round, and times each run', async () => {
    const log: string[] = [];
    const calls = ['a', 'b', 'c'].map((name) => () => {
      log.push(name);
    });
    const samples = await timeInterleaved(calls, { warmup: 1, runs: 3 });
    expect(log.join('')).toBe(['abc', 'abc', 'bca', 'cab'].join(''));
    expect(samples.map((s) => s.length)).toEqual([3, 3, 3]);
    for (const s of samples.flat()) expect(s).toBeGreaterThan(0);
  });

  it('downloads and disposes the tensors a call returns (a tensor, a list, an object of bands)', async () => {
    const x = tf.ones([4, 4]);
    const before = tf.memory().numTensors;
    const downloaded: string[] = [];
    const watch = <T extends tf.Tensor>(name: string, t: T): T => {
      const data = t.data.bind(t);
      t.data = (async () => {
        downloaded.push(name);
        return data();
      }) as T['data'];
      return t;
    };
    await timeInterleaved(
      [
        () => watch('one', tf.add(x, 1)),
        () => [watch('list', tf.mul(x, 2)), watch('list', tf.sub(x, 1))],
        async () => ({ high: watch('high', tf.neg(x)), low: null }),
      ],
      { warmup: 0, runs: 2 },
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(downloaded.filter((n) => n === 'one')).toHaveLength(2);
    expect(downloaded.filter((n) => n === 'list')).toHaveLength(4);
    expect(downloaded.filter((n) => n === 'high')).toHaveLength(2);
    x.dispose();
  });

  it('waits for a call that returns a promise', async () => {
    const ms = await timeCall(() => new Promise((done) => setTimeout(done, 30)));
    expect(ms).toBeGreaterThanOrEqual(25);
  });

  it('median is the middle sample, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});

describe("startBackend('webgl') in Node", () => {
  it('is unavailable, and says to use wasm or webgpu', async () => {
    const facts = await startBackend('webgl');
    expect(facts).toMatchObject({ name: 'webgl', available: false });
    expect(facts.reason).toMatch(/browser only.*wasm or webgpu/);
  });
});
