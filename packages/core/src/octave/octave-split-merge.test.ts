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
import { roundHalfEven } from '../shape/round-half-even';
import { octaveMerge, octaveSplit } from './index';

await describeEachBackend('octaveSplit / octaveMerge', (backend) => {
  it('split takes the first channels as high (seed split_hl) and merge undoes it on the high band', async () => {
    const x = tf.tensor4d(
      Array.from({ length: 2 * 2 * 3 }, (_, i) => i),
      [1, 2, 2, 3],
    );
    const { high, low } = octaveSplit(x, 0.5); // 3 · 0.5 = 1.5 → 2 low channels
    expect(high!.shape).toEqual([1, 2, 2, 1]);
    expect(low!.shape).toEqual([1, 1, 1, 2]);
    expect(Array.from(await high!.data())).toEqual([0, 3, 6, 9]);
    expect(Array.from(await low!.data())).toEqual([(1 + 4 + 7 + 10) / 4, (2 + 5 + 8 + 11) / 4]);
    const merged = octaveMerge({ high, low });
    expect(merged.shape).toEqual([1, 2, 2, 3]);
    tf.dispose([x, high!, low!, merged]);
  });

  it('α = 0 and α = 1 give one null band; results are new tensors the caller owns', () => {
    const x = tf.ones([2, 5, 5, 4]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const allHigh = octaveSplit(x, 0);
    const allLow = octaveSplit(x, 1);
    expect(allHigh.low).toBeNull();
    expect(allLow.high).toBeNull();
    expect(allLow.low!.shape).toEqual([2, 3, 3, 4]);
    expect(allHigh.high).not.toBe(x);
    tf.dispose([allHigh.high!, allLow.low!]);
    expect(tf.memory().numTensors).toBe(before);
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });

  it('forward and gradients match the reference (odd sizes, rounding ties)', async () => {
    const cases = fc.record({
      batch: fc.integer({ min: 1, max: 3 }),
      height: fc.integer({ min: 1, max: 9 }),
      width: fc.integer({ min: 1, max: 9 }),
      channels: fc.integer({ min: 1, max: 10 }),
      alpha: fc.constantFrom(0, 0.125, 0.25, 0.5, 0.75, 1, 0.3),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    });
    await fc.assert(
      fc.asyncProperty(cases, async ({ batch, height, width, channels, alpha, seed }) => {
        const before = tf.memory().numTensors;
        const graph = new RefGraph();
        const random = createRandom(seed);
        const x = randomPair(graph, random, [batch, height, width, channels]);
        const cL = roundHalfEven(channels * alpha);
        const cH = channels - cL;
        const refHigh = cH > 0 ? graph.sliceChannels(x.ref, 0, cH) : null;
        const refLow = cL > 0 ? graph.down(graph.sliceChannels(x.ref, cH, cL)) : null;
        const refMerged =
          refHigh && refLow
            ? graph.concatChannels(refHigh, graph.up(refLow, height, width))
            : (refHigh ?? graph.up(refLow!, 2 * refLow!.shape[1]!, 2 * refLow!.shape[2]!));
        const seedValues = Float32Array.from(refMerged.data, () => random() * 2 - 1);
        graph.backward([[refMerged, seedValues]]);

        const split = octaveSplit(x.tensor as tf.Tensor4D, alpha);
        expect(split.high?.shape ?? null).toEqual(refHigh?.shape ?? null);
        expect(split.low?.shape ?? null).toEqual(refLow?.shape ?? null);
        if (refHigh) assertClose('high', await split.high!.data(), refHigh.data, backend.tolerance);
        if (refLow) assertClose('low', await split.low!.data(), refLow.data, backend.tolerance);
        const merged = octaveMerge(split);
        assertClose('merge', await merged.data(), refMerged.data, backend.tolerance);

        const dy = tf.tensor(seedValues, refMerged.shape);
        const [grad] = tf.grads((t: tf.Tensor) =>
          octaveMerge(octaveSplit(t as tf.Tensor4D, alpha)),
        )([x.tensor], dy);
        assertClose('gradient', await grad!.data(), x.ref.grad, backend.tolerance);
        expect(grad).not.toBe(dy); // a gradient is a tensor of its own, even through identity
        tf.dispose(
          [x.tensor, split.high, split.low, merged, dy, grad].filter(
            (t): t is tf.Tensor => t != null,
          ),
        );
        expect(tf.memory().numTensors).toBe(before);
      }),
      { numRuns: backend.name === 'webgpu' ? 25 : 60 },
    );
  });
});
