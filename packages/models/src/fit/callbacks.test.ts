// fit takes what tfjs users pass to model.fit / fitDataset: callbacks called as methods (`this`
// is the callback), tfjs-layers Callbacks (earlyStopping stops the fit, CustomCallback is called),
// tf.data datasets of [xs, ys] or { xs, ys } batches, and evaluate names accuracy as the logs do.

import { InvalidArgumentError, ShapeMismatchError } from '@octconv/core';
import { setupBackend } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { shapesAndTextures } from '../data/shapes-and-textures';
import { MiniOctNet } from '../networks/mini-oct-net';
// Imported under another name: Biome reads a bare `fit(` as a focused test.
import { evaluate, type FitLogs, fit as fitModule } from './index';

function dataset(count: number, seed: number) {
  const data = shapesAndTextures({ count, size: 12, seed });
  return {
    xs: tf.tensor4d(data.images, [count, 12, 12, 3]),
    ys: tf.tensor1d(data.labels, 'int32'),
  };
}

/** MiniOctNet steps on a machine shared by many test runs can take minutes. */
const SLOW = 400_000;

const net = () => new MiniOctNet({ numClasses: 4, random: 3 });

describe('fit with tfjs callbacks and datasets [cpu]', () => {
  beforeAll(() => setupBackend('cpu'));

  it(
    'tf.callbacks.earlyStopping stops the fit; tf.CustomCallback is called',
    async () => {
      const train = dataset(8, 1);
      const valid = dataset(4, 2);
      const model = net();
      const optimizer = tf.train.adam(1e-3);
      const seen: number[] = [];
      let ended = 0;
      const history = await fitModule(model, train, {
        optimizer,
        epochs: 6,
        batchSize: 4,
        validationData: valid,
        callbacks: [
          // An improvement must beat the best val_loss by 1e9: the first epoch sets the best, the
          // second does not improve, and patience 1 stops there.
          tfl.callbacks.earlyStopping({ monitor: 'val_loss', patience: 1, minDelta: 1e9 }),
          new tfl.CustomCallback({
            onEpochEnd: async (epoch, logs) => {
              seen.push(epoch);
              expect(Number.isFinite(logs?.val_loss as number)).toBe(true);
            },
            onTrainEnd: async () => {
              ended += 1;
            },
          }),
        ],
      });
      expect(history.epoch).toEqual([0, 1]);
      expect(history.stopped).toBe(true);
      expect(seen).toEqual([0, 1]);
      expect(ended).toBe(1);
      tf.dispose([train.xs, train.ys, valid.xs, valid.ys]);
      optimizer.dispose();
      model.dispose();
    },
    SLOW,
  );

  it(
    'calls hooks as methods: a class and an object literal that use `this` count their epochs',
    async () => {
      class EpochCounter {
        epochs = 0;
        batches = 0;
        onEpochEnd() {
          this.epochs += 1;
        }
        onBatchEnd(_batch: number, logs: FitLogs) {
          this.batches += logs.size!;
        }
      }
      const counter = new EpochCounter();
      const literal = {
        losses: [] as number[],
        onEpochEnd(_epoch: number, logs: FitLogs) {
          this.losses.push(logs.loss);
          if (this.losses.length === 2) return false;
        },
      };
      const train = dataset(6, 3);
      const model = net();
      const optimizer = tf.train.sgd(1e-2);
      const history = await fitModule(model, train, {
        optimizer,
        epochs: 5,
        batchSize: 4,
        callbacks: [counter, literal],
      });
      expect(counter.epochs).toBe(2);
      expect(counter.batches).toBe(12);
      expect(literal.losses).toHaveLength(2);
      expect(history.stopped).toBe(true);
      tf.dispose([train.xs, train.ys]);
      optimizer.dispose();
      model.dispose();
    },
    SLOW,
  );

  it(
    'takes tf.data datasets of [xs, ys] and { xs, ys } batches; one of single images is a typed error',
    async () => {
      const start = tf.memory().numTensors;
      const data = shapesAndTextures({ count: 8, size: 12, seed: 4 });
      const sources: tf.Tensor[] = [];
      const keep = <T extends tf.Tensor>(t: T) => {
        sources.push(t);
        return t;
      };
      const images = () =>
        tfd.array(
          Array.from({ length: 8 }, (_, i) =>
            keep(tf.tensor3d(data.images.subarray(i * 432, (i + 1) * 432), [12, 12, 3])),
          ),
        );
      const labels = () =>
        tfd.array(Array.from(data.labels, (label) => keep(tf.scalar(label, 'int32'))));
      const model = net();
      const optimizer = tf.train.adam(1e-3);
      // [xs, ys] batches, as a generator or a map after batch() yields them.
      const pairs = tfd
        .zip({ xs: images(), ys: labels() })
        .batch(4)
        .map((batch) => {
          const { xs, ys } = batch as { xs: tf.Tensor; ys: tf.Tensor };
          return [xs, ys];
        });
      const records = tfd.zip({ xs: images(), ys: labels() }).batch(4);
      const batchesSeen: number[] = [];
      for (const source of [pairs, records]) {
        const history = await fitModule(model, source, {
          optimizer,
          epochs: 1,
          callbacks: { onBatchEnd: (_b, logs) => void batchesSeen.push(logs.size!) },
        });
        expect(history.history.loss.every(Number.isFinite)).toBe(true);
      }
      expect(batchesSeen).toEqual([4, 4, 4, 4]);
      const evaluated = await evaluate(model, pairs);
      expect(evaluated.count).toBe(8);
      // One name for accuracy in the logs and in evaluate: tfjs's `acc` (and `accuracy`).
      expect(evaluated.acc).toBe(evaluated.accuracy);

      const unbatched = tfd.zip({ xs: images(), ys: labels() });
      await expect(fitModule(model, unbatched, { optimizer })).rejects.toSatisfy(
        (error: unknown) =>
          ShapeMismatchError.isInstance(error) && /batch the dataset first/.test(String(error)),
      );
      // zip([images, labels]).batch(n) stacks each pair into one tensor: refused, saying so.
      const stacked = tfd.zip([images(), labels()]).batch(4);
      await expect(fitModule(model, stacked, { optimizer })).rejects.toSatisfy(
        (error: unknown) =>
          InvalidArgumentError.isInstance(error) && /stacks each pair/.test(String(error)),
      );
      // Nothing is left once the datasets' own tensors, the optimizer and the module are freed.
      tf.dispose(sources);
      optimizer.dispose();
      model.dispose();
      expect(tf.memory().numTensors).toBe(start);
    },
    SLOW,
  );
});
