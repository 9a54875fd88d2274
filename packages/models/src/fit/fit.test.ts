// fit / evaluate / predict for modules on every backend: the loss goes down on
// shapesAndTextures without a tensor left per epoch, callbacks see every batch (the last one
// partial), a seed fixes the shuffle, callbacks and signals stop early, the mode is restored,
// sources of batches work, and bad input is a typed error that creates nothing.

import { InvalidArgumentError, ShapeMismatchError } from '@octconv/core';
import { assertClose, describeEachBackend, nextTensorId, read } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { shapesAndTextures } from '../data/shapes-and-textures';
import { MiniOctNet } from '../networks/mini-oct-net';
// Imported under another name: Biome reads a bare `fit(` as a focused test.
import { evaluate, type FitLogs, fit as fitModule, predict } from './index';

/** WebGPU in CI is SwiftShader on the CPU: a MiniOctNet test took up to 70 s alone, more on a busy machine. */
const SLOW = 400_000;

function dataset(count: number, seed: number) {
  const data = shapesAndTextures({ count, size: 12, seed });
  return {
    xs: tf.tensor4d(data.images, [count, 12, 12, 3]),
    ys: tf.tensor1d(data.labels, 'int32'),
    labels: data.labels,
  };
}

await describeEachBackend('fit / evaluate / predict', (backend) => {
  it(
    'fit lowers the loss, reports every batch (last one partial), validates, leaks nothing per epoch, restores eval mode',
    async () => {
      const train = dataset(10, 1);
      const valid = dataset(6, 2);
      const net = new MiniOctNet({ numClasses: 4, random: 5 }).eval();
      const optimizer = tf.train.adam(1e-2);
      const events: string[] = [];
      const sizes: number[] = [];
      const epochs: { logs: FitLogs; tensors: number }[] = [];
      const history = await fitModule(net, train, {
        optimizer,
        epochs: 4,
        batchSize: 4,
        shuffle: 1,
        validationData: valid,
        callbacks: {
          onTrainBegin: () => {
            events.push('train');
          },
          onEpochBegin: (epoch) => {
            events.push(`epoch ${epoch}`);
            expect(net.training).toBe(true);
          },
          onBatchEnd: (batch, logs) => {
            events.push(`batch ${batch}`);
            sizes.push(logs.size!);
            expect(Number.isFinite(logs.loss)).toBe(true);
          },
          onEpochEnd: async (_, logs) => {
            epochs.push({ logs, tensors: tf.memory().numTensors });
          },
        },
      });
      expect(events.slice(0, 5)).toEqual(['train', 'epoch 0', 'batch 0', 'batch 1', 'batch 2']);
      expect(sizes.slice(0, 3)).toEqual([4, 4, 2]);
      expect(history.epoch).toEqual([0, 1, 2, 3]);
      expect(history.stopped).toBe(false);
      expect(history.history.val_loss).toHaveLength(4);
      expect(epochs[3]!.logs.val_acc).toBeGreaterThanOrEqual(0);
      expect(history.history.loss[3]!).toBeLessThan(history.history.loss[0]!);
      // The optimizer's moments appear in the first epoch; nothing accumulates after it.
      expect(epochs[3]!.tensors).toBe(epochs[1]!.tensors);
      expect(net.training).toBe(false);
      tf.dispose([train.xs, train.ys, valid.xs, valid.ys]);
      optimizer.dispose();
      net.dispose();
    },
    SLOW,
  );

  it(
    'a seed fixes the shuffle; another seed or none changes it',
    async () => {
      const train = dataset(8, 3);
      const run = async (shuffle: boolean | number) => {
        const net = new MiniOctNet({ numClasses: 4, random: 6 });
        const optimizer = tf.train.sgd(0.05);
        const losses: number[] = [];
        await fitModule(net, train, {
          optimizer,
          batchSize: 3,
          epochs: 2,
          shuffle,
          callbacks: { onBatchEnd: (_, logs) => void losses.push(logs.loss) },
        });
        net.dispose();
        optimizer.dispose();
        return losses;
      };
      const a = await run(7);
      const b = await run(7);
      const c = await run(8);
      const plain = await run(false);
      assertClose('same seed', a, b, backend.tolerance);
      expect(a).not.toEqual(c);
      expect(a).not.toEqual(plain);
      tf.dispose([train.xs, train.ys]);
    },
    SLOW,
  );

  it(
    'stops early on a callback returning false or an aborted signal, restoring training mode',
    async () => {
      const train = dataset(8, 4);
      const net = new MiniOctNet({ numClasses: 4, random: 7 });
      const optimizer = tf.train.sgd(0.01);
      let batches = 0;
      const stopped = await fitModule(net, train, {
        optimizer,
        epochs: 5,
        batchSize: 2,
        callbacks: {
          onBatchEnd: (batch) => {
            batches += 1;
            return batch < 1;
          },
        },
      });
      expect(batches).toBe(2);
      expect(stopped.stopped).toBe(true);
      expect(stopped.epoch).toEqual([0]);
      const controller = new AbortController();
      const byEpoch = await fitModule(net, train, {
        optimizer,
        epochs: 5,
        batchSize: 8,
        signal: controller.signal,
        callbacks: { onEpochEnd: (epoch) => (epoch === 1 ? controller.abort() : undefined) },
      });
      expect(byEpoch.epoch).toEqual([0, 1]);
      expect(byEpoch.stopped).toBe(true);
      expect(net.training).toBe(true);
      tf.dispose([train.xs, train.ys]);
      optimizer.dispose();
      net.dispose();
    },
    SLOW,
  );

  it(
    'takes an async iterable or a tf.data-style source, disposing its batches; a spent generator is a typed error',
    async () => {
      const data = shapesAndTextures({ count: 6, size: 12, seed: 5 });
      const makeBatch = (from: number, to: number) => ({
        xs: tf.tensor4d(data.images.subarray(from * 432, to * 432), [to - from, 12, 12, 3]),
        ys: tf.tidy(() =>
          tf.oneHot(tf.tensor1d(data.labels.subarray(from, to), 'int32'), 4),
        ) as tf.Tensor2D,
      });
      const source = {
        async *[Symbol.asyncIterator]() {
          yield makeBatch(0, 4);
          yield makeBatch(4, 6);
        },
      };
      const net = new MiniOctNet({ numClasses: 4, random: 8 });
      const optimizer = tf.train.sgd(0.01);
      await fitModule(net, source, { optimizer, epochs: 1 });
      const before = tf.memory().numTensors;
      const sizes: number[] = [];
      await fitModule(net, source, {
        optimizer,
        epochs: 2,
        callbacks: { onBatchEnd: (_, logs) => void sizes.push(logs.size!) },
      });
      expect(sizes).toEqual([4, 2, 4, 2]);
      expect(tf.memory().numTensors).toBe(before);

      let next = 0;
      const datasetLike = {
        async iterator() {
          next = 0;
          return {
            async next() {
              next += 1;
              return next === 1
                ? { value: makeBatch(0, 6), done: false }
                : { value: undefined, done: true };
            },
          };
        },
      };
      const result = await evaluate(net, datasetLike as never);
      expect(result.count).toBe(6);
      expect(tf.memory().numTensors).toBe(before);

      async function* once() {
        yield makeBatch(0, 6);
      }
      let error: unknown;
      try {
        await fitModule(net.eval(), once(), { optimizer, epochs: 2 });
      } catch (caught) {
        error = caught;
      }
      expect(InvalidArgumentError.isInstance(error)).toBe(true);
      expect(String(error)).toContain('fit: epoch 1 got no batch from data');
      expect(net.training).toBe(false);
      optimizer.dispose();
      net.dispose();
    },
    SLOW,
  );

  it(
    'evaluate equals the loss and accuracy of apply; predict in batches equals apply, in eval mode, leaving only its result',
    async () => {
      const test = dataset(7, 6);
      const net = new MiniOctNet({ numClasses: 4, random: 9 });
      // A training step first so the running statistics differ from the batch statistics.
      await fitModule(net, test, { optimizer: tf.train.sgd(0.01), batchSize: 7 });
      expect(net.training).toBe(true);
      const before = tf.memory().numTensors;
      const logits = predict(net, test.xs, { batchSize: 3 });
      expect(logits.shape).toEqual([7, 4]);
      expect(tf.memory().numTensors).toBe(before + 1);
      expect(net.training).toBe(true);
      net.eval();
      const whole = net.apply(test.xs);
      net.train();
      assertClose('batched predict', await read(logits), await read(whole), backend.tolerance);
      const values = await read(whole);
      let loss = 0;
      let correct = 0;
      for (let i = 0; i < 7; i++) {
        const row = Array.from(values.subarray(i * 4, i * 4 + 4));
        const max = Math.max(...row);
        const logSum = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
        loss += logSum - row[test.labels[i]!]!;
        if (row.indexOf(max) === test.labels[i]) correct += 1;
      }
      const result = await evaluate(net, test, { batchSize: 2 });
      expect(result.count).toBe(7);
      assertClose('loss', [result.loss], [loss / 7], backend.tolerance);
      expect(result.accuracy).toBeCloseTo(correct / 7, 6);
      expect(net.training).toBe(true);
      expect(tf.memory().numTensors).toBe(before + 2);
      tf.dispose([logits, whole, test.xs, test.ys]);
      net.dispose();
    },
    SLOW,
  );

  it(
    'bad options and data are typed errors that create no tensor and keep the mode',
    async () => {
      const net = new MiniOctNet({ numClasses: 4, random: 10 }).eval();
      const xs = tf.zeros([2, 12, 12, 3]) as tf.Tensor4D;
      const optimizer = tf.train.sgd(0.1);
      const rows: [
        string,
        () => Promise<unknown> | unknown,
        typeof InvalidArgumentError | typeof ShapeMismatchError,
        string,
      ][] = [
        [
          'fit',
          () => fitModule(net, { xs, ys: [0, 1] }, {} as never),
          InvalidArgumentError,
          'options.optimizer',
        ],
        [
          'fit',
          () => fitModule(net, { xs, ys: [0, 1] }, { optimizer, epochs: 0 }),
          InvalidArgumentError,
          'options.epochs',
        ],
        [
          'fit',
          () => fitModule(net, { xs, ys: [0, 1] }, { optimizer, batchSize: 1.5 }),
          InvalidArgumentError,
          '1.5',
        ],
        [
          'fit',
          () => fitModule(net, { xs, ys: [0, 1] }, { optimizer, shuffle: 'yes' as never }),
          InvalidArgumentError,
          'yes',
        ],
        [
          'fit',
          () => fitModule(net, { xs, ys: [0, 1] }, { optimizer, epoch: 2 } as never),
          InvalidArgumentError,
          'options.epoch',
        ],
        [
          'fit',
          () => fitModule(net, { xs, ys: [0, 1, 2] }, { optimizer }),
          ShapeMismatchError,
          '3 labels for 2 images',
        ],
        [
          'fit',
          () => fitModule(net, { xs, ys: [0, 9] }, { optimizer }),
          InvalidArgumentError,
          'label 9',
        ],
        [
          'fit',
          () => fitModule(net, 42 as never, { optimizer }),
          InvalidArgumentError,
          'tf.data Dataset',
        ],
        [
          'evaluate',
          () => evaluate(net, { xs: tf.zeros([2, 12, 12]) as never, ys: [0, 1] }),
          ShapeMismatchError,
          'data.xs',
        ],
        [
          'evaluate',
          () => evaluate(net, { xs, ys: [0, 1] }, { batchSize: -1 }),
          InvalidArgumentError,
          '-1',
        ],
        [
          'predict',
          () => predict(net, tf.zeros([2, 12, 12, 5]) as tf.Tensor4D),
          ShapeMismatchError,
          '5',
        ],
        ['predict', () => predict({} as never, xs), InvalidArgumentError, 'module'],
      ];
      for (const [fn, call, kind, shows] of rows) {
        // Inputs made in the row itself are made before the probe.
        let error: unknown;
        const start = nextTensorId();
        try {
          await call();
        } catch (caught) {
          error = caught;
        }
        const made = nextTensorId() - start - 1;
        expect(kind.isInstance(error), `${fn}: ${String(error)}`).toBe(true);
        expect((error as Error).message.startsWith(`${fn}: `), String(error)).toBe(true);
        expect((error as Error).message, String(error)).toContain(shows);
        // Rows building a bad input tensor make exactly that one; nothing else is created.
        expect(made, `${fn} ${shows}`).toBeLessThanOrEqual(1);
        expect(net.training).toBe(false);
      }
      tf.dispose(xs);
      optimizer.dispose();
      net.dispose();
    },
    SLOW,
  );
});
