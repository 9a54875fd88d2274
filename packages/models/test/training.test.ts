// Training with tfjs-core alone: tf.Variable parameters, tf.variableGrads, a tfjs optimizer.

import { describeEachBackend, read } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { MiniOctNet, shapesAndTextures, trainStep } from '../src/index';

await describeEachBackend('training', () => {
  it('Adam on MiniOctNet fits a small batch, updates running statistics, and leaks nothing', async () => {
    const data = shapesAndTextures({ count: 4, size: 12, seed: 3 });
    const images = tf.tensor4d(data.images, [data.count, data.size, data.size, 3]);
    const net = new MiniOctNet({ numClasses: 4, alpha: 0.5, random: 9 });
    const optimizer = tf.train.adam(2e-2);
    const losses: number[] = [];
    let afterFirst = 0;
    for (let step = 0; step < 6; step++) {
      const loss = trainStep(net, optimizer, images, data.labels);
      losses.push((await read(loss))[0]!);
      loss.dispose();
      // The optimizer allocates its moments on the first step only.
      if (step === 0) afterFirst = tf.memory().numTensors;
      else expect(tf.memory().numTensors, `step ${step}`).toBe(afterFirst);
    }
    expect(losses[5]!).toBeLessThan(losses[0]! * 0.5);
    expect(net.b1.bnL!.numBatchesTracked).toBe(6);
    const mean = Array.from(await read(net.b1.bnL!.runningMean));
    net.eval();
    tf.dispose(net.apply(images));
    expect(Array.from(await read(net.b1.bnL!.runningMean))).toEqual(mean);
    expect(net.b1.bnL!.numBatchesTracked).toBe(6);
    tf.dispose(images);
    net.dispose();
    optimizer.dispose();
  });

  it('shapesAndTextures is deterministic, balanced, and puts the texture below the low band’s resolution', () => {
    const a = shapesAndTextures({ count: 400, seed: 5 });
    const b = shapesAndTextures({ count: 400, seed: 5 });
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(a.images).toEqual(b.images);
    const counts = [0, 0, 0, 0];
    for (const label of a.labels) counts[label]!++;
    for (const count of counts) expect(count).toBeGreaterThan(60);
    // The texture lives inside 2×2 blocks, which the low band averages away: checkered images
    // carry clearly more within-block variance than smooth ones (whose share is edges and noise).
    const size = a.size;
    const energy = [0, 0];
    for (let n = 0; n < a.count; n++) {
      for (let y = 0; y + 1 < size; y += 2)
        for (let x = 0; x + 1 < size; x += 2) {
          for (let c = 0; c < 3; c++) {
            const at = (yy: number, xx: number) => a.images[((n * size + yy) * size + xx) * 3 + c]!;
            const block = [at(y, x), at(y, x + 1), at(y + 1, x), at(y + 1, x + 1)];
            const mean = block.reduce((sum, v) => sum + v, 0) / 4;
            energy[a.labels[n]! % 2]! += block.reduce((sum, v) => sum + (v - mean) ** 2, 0);
          }
        }
    }
    expect(energy[1]!).toBeGreaterThan(1.5 * energy[0]!);
  });
});

await describeEachBackend('trainStep validation', () => {
  it('rejects bad labels before the forward: no leak, no batch-norm update, mode restored', async () => {
    const net = new MiniOctNet({ numClasses: 4, random: 2 }).eval();
    const optimizer = tf.train.sgd(0.1);
    const images = tf.zeros([2, 8, 8, 3]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    for (const [labels, message] of [
      [[0, 9], 'trainStep: labels[1] must be an integer class in [0, 4), got 9'],
      [[0], 'trainStep: expected 2 labels for a batch of 2, got 1'],
    ] as const) {
      const error = (() => {
        try {
          trainStep(net, optimizer, images, labels);
        } catch (caught) {
          return caught as Error;
        }
        return null;
      })();
      expect(error?.message).toBe(message);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(net.stemBn.numBatchesTracked).toBe(0);
    expect(net.training).toBe(false);
    tf.dispose(images);
    net.dispose();
    optimizer.dispose();
  });
});
