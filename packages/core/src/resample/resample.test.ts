import {
  assertClose,
  createRandom,
  describeEachBackend,
  RefGraph,
  randomPair,
} from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { InvalidArgumentError, ShapeMismatchError } from '../errors/index';
import { downsample, upsample } from './index';

const shapes = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  height: fc.integer({ min: 1, max: 11 }),
  width: fc.integer({ min: 1, max: 11 }),
  channels: fc.integer({ min: 1, max: 5 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

await describeEachBackend('resampling', (backend) => {
  it('downsample: 2×2 mean of real pixels, ceil mode', async () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const y = downsample(x);
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(await y.data())).toEqual([3, 4.5, 7.5, 9]);
    tf.dispose([x, y]);
  });

  it('upsample: nearest ×2 cropped to the requested size', async () => {
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const y = upsample(x, [3, 4]);
    expect(y.shape).toEqual([1, 3, 4, 1]);
    expect(Array.from(await y.data())).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4]);
    tf.dispose([x, y]);
  });

  it('forward and gradients match the reference for random sizes (batch > 1 included)', async () => {
    await fc.assert(
      fc.asyncProperty(shapes, async ({ batch, height, width, channels, seed }) => {
        const before = tf.memory().numTensors;
        const graph = new RefGraph();
        const random = createRandom(seed);
        const x = randomPair(graph, random, [batch, height, width, channels]);
        const low = randomPair(graph, random, [
          batch,
          Math.ceil(height / 2),
          Math.ceil(width / 2),
          channels,
        ]);
        const refDown = graph.down(x.ref);
        const refUp = graph.up(low.ref, height, width);
        const seedDown = Float32Array.from(refDown.data, () => random() * 2 - 1);
        const seedUp = Float32Array.from(refUp.data, () => random() * 2 - 1);
        graph.backward([
          [refDown, seedDown],
          [refUp, seedUp],
        ]);

        const down = downsample(x.tensor as tf.Tensor4D);
        const up = upsample(low.tensor as tf.Tensor4D, [height, width]);
        expect(down.shape).toEqual(refDown.shape);
        expect(up.shape).toEqual(refUp.shape);
        assertClose('downsample', await down.data(), refDown.data, backend.tolerance);
        assertClose('upsample', await up.data(), refUp.data, backend.tolerance);

        const dDown = tf.tensor(seedDown, refDown.shape);
        const dUp = tf.tensor(seedUp, refUp.shape);
        const [gx] = tf.grads((t: tf.Tensor) => downsample(t as tf.Tensor4D))([x.tensor], dDown);
        const [gl] = tf.grads((t: tf.Tensor) => upsample(t as tf.Tensor4D, [height, width]))(
          [low.tensor],
          dUp,
        );
        assertClose('downsample gradient', await gx!.data(), x.ref.grad, backend.tolerance);
        assertClose('upsample gradient', await gl!.data(), low.ref.grad, backend.tolerance);
        tf.dispose([x.tensor, low.tensor, down, up, dDown, dUp, gx!, gl!]);
        expect(tf.memory().numTensors).toBe(before);
      }),
      { numRuns: backend.name === 'webgpu' ? 25 : 60 },
    );
  });

  it('stays exact at large odd sizes (float32 resize scales would pick wrong rows)', async () => {
    const rows = 8192;
    const low = tf.tensor4d(
      Float32Array.from({ length: rows * 2 }, (_, i) => Math.floor(i / 2)),
      [1, rows, 2, 1],
    );
    const up = upsample(low, [2 * rows - 1, 3]);
    const values = await up.data();
    const wrong = [];
    for (let i = 0; i < 2 * rows - 1; i++) {
      for (let j = 0; j < 3; j++) if (values[i * 3 + j] !== Math.floor(i / 2)) wrong.push([i, j]);
    }
    expect(wrong.slice(0, 5)).toEqual([]);

    const high = tf.zeros([1, 2 * rows - 1, 3, 1]) as tf.Tensor4D;
    const dy = tf.ones([1, rows, 2, 1]);
    const [grad] = tf.grads((t: tf.Tensor) => downsample(t as tf.Tensor4D))([high], dy);
    const g = await grad!.data();
    const count = (i: number, j: number) => (i < 2 * rows - 2 ? 2 : 1) * (j < 2 ? 2 : 1);
    const wrongGrad = [];
    for (let i = 0; i < 2 * rows - 1; i++) {
      for (let j = 0; j < 3; j++) if (g[i * 3 + j] !== 1 / count(i, j)) wrongGrad.push([i, j]);
    }
    expect(wrongGrad.slice(0, 5)).toEqual([]);
    tf.dispose([low, up, high, dy, grad!]);
  });

  it('rejects bad input before creating any tensor', () => {
    const x = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
    const matrix = tf.zeros([4, 4]) as unknown as tf.Tensor4D;
    const before = tf.memory().numTensors;
    expect(() => upsample(x, [9, 8])).toThrow(InvalidArgumentError);
    expect(() => upsample(x, [8, 8.5] as [number, number])).toThrow(/upsample: size must be/);
    expect(() => downsample(matrix)).toThrow(ShapeMismatchError);
    expect(() => upsample(matrix, [8, 8])).toThrow(/upsample: x must have rank 4/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, matrix]);
  });
});
