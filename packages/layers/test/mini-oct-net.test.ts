// The seed's MiniOctNet as a functional tf.model: same parameter count as the module, the same
// logits once weights are copied (both ways), trains with model.fit on shapesAndTextures
// without leaking, and round-trips through model.save / tf.loadLayersModel on disk.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CheckpointError } from '@octconv/core';
import { MiniOctNet, shapesAndTextures } from '@octconv/models';
import { fileHandler } from '@octconv/models/node';
import { assertClose, describeEachBackend, nextTensorId, read } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { copyMiniOctNetWeights, miniOctNetModel } from '../src/index';

/** Logits go through five layers of sums: a few times the single-layer tolerance. */
const widen = (t: { atol: number; rtol: number }) => ({ atol: t.atol * 20, rtol: t.rtol * 20 });

function trainable(model: tfl.LayersModel): number {
  return model.trainableWeights.reduce(
    (sum, w) => sum + (w.shape as number[]).reduce((a, b) => a * b, 1),
    0,
  );
}

await describeEachBackend('miniOctNetModel', (backend) => {
  it('has MiniOctNet’s 224,842 parameters and its logits, weights copied either way', async () => {
    const net = new MiniOctNet({ random: 3 });
    const model = miniOctNetModel();
    expect(trainable(model)).toBe(224_842);
    expect(trainable(model)).toBe(net.parameterCount());
    // tfjs also counts the batch norms' moving mean and variance (64 + 2 · 128 channels, twice).
    expect(model.countParams()).toBe(224_842 + 2 * (64 + 128 + 128));

    // Non-trivial running statistics, so the batch norms are compared too.
    for (const [name, variable] of net.namedBuffers()) {
      if (name.endsWith('running_mean'))
        variable.assign(tf.randomNormal(variable.shape, 0, 0.1, 'float32', 11));
      if (name.endsWith('running_var'))
        variable.assign(tf.randomUniform(variable.shape, 0.5, 1.5, 'float32', 12));
    }
    const data = shapesAndTextures({ count: 3, size: 13, seed: 2 });
    const x = tf.tensor4d(data.images, [data.count, data.size, data.size, 3]);
    copyMiniOctNetWeights(net, model);
    const expected = net.eval().apply(x);
    const actual = model.predict(x) as tf.Tensor;
    expect(actual.shape).toEqual([3, 10]);
    assertClose(
      'module → layers',
      await read(actual),
      await read(expected),
      widen(backend.tolerance),
    );

    // Back: a fresh module takes the LayersModel's weights and gives its logits.
    const other = new MiniOctNet({ random: 99 });
    const before = other.eval().apply(x);
    copyMiniOctNetWeights(model, other);
    const back = other.apply(x);
    assertClose('layers → module', await read(back), await read(actual), widen(backend.tolerance));
    expect(Array.from(await read(before))).not.toEqual(Array.from(await read(back)));
    tf.dispose([x, expected, actual, before, back]);
    net.dispose();
    other.dispose();
    model.dispose();
  });

  it('a mismatched copy throws CheckpointError and changes nothing, creating no tensor', async () => {
    const net = new MiniOctNet({ numClasses: 4, random: 1 });
    const model = miniOctNetModel({ numClasses: 10 });
    const weights = model.getWeights();
    const snapshot = await Promise.all(weights.map((w) => read(w)));
    const start = nextTensorId();
    let error: unknown;
    try {
      copyMiniOctNetWeights(net, model);
    } catch (caught) {
      error = caught;
    }
    expect(nextTensorId()).toBe(start + 1);
    expect(CheckpointError.isInstance(error)).toBe(true);
    expect((error as CheckpointError).code).toBe('ERR_OCTCONV_CHECKPOINT');
    expect(String(error)).toMatch(
      /^CheckpointError: copyMiniOctNetWeights: fc\.weight is \[128, 4\]/,
    );
    const after = await Promise.all(model.getWeights().map((w) => read(w)));
    expect(after).toEqual(snapshot);
    net.dispose();
    model.dispose();
  });

  it('trains with model.fit on shapesAndTextures, leaks nothing per epoch, and reloads from disk', async () => {
    const train = shapesAndTextures({ count: 16, size: 12, seed: 4 });
    const xs = tf.tensor4d(train.images, [train.count, train.size, train.size, 3]);
    const ys = tf.oneHot(tf.tensor1d(train.labels, 'int32'), 4);
    const model = miniOctNetModel({ numClasses: 4, size: 12 });
    model.compile({
      optimizer: tf.train.adam(3e-3),
      loss: (yTrue, yPred) => tf.losses.softmaxCrossEntropy(yTrue, yPred),
      metrics: ['accuracy'],
    });
    const epochs: { loss: number; tensors: number }[] = [];
    let batches = 0;
    await model.fit(xs, ys, {
      epochs: 3,
      batchSize: 8,
      shuffle: true,
      callbacks: {
        onBatchEnd: () => {
          batches += 1;
        },
        onEpochEnd: (_, logs) => {
          epochs.push({ loss: logs!.loss!, tensors: tf.memory().numTensors });
        },
      },
    });
    expect(batches).toBe(6);
    expect(epochs[2]!.loss).toBeLessThan(epochs[0]!.loss);
    expect(epochs[2]!.tensors).toBe(epochs[1]!.tensors);

    const directory = await mkdtemp(join(tmpdir(), 'octconv-layers-'));
    try {
      const url = pathToFileURL(directory).href;
      await model.save(fileHandler(url));
      const loaded = await tfl.loadLayersModel(fileHandler(url));
      const a = model.predict(xs) as tf.Tensor;
      const b = loaded.predict(xs) as tf.Tensor;
      expect(Array.from(await read(b))).toEqual(Array.from(await read(a)));
      loaded.compile({
        optimizer: 'sgd',
        loss: (yTrue, yPred) => tf.losses.softmaxCrossEntropy(yTrue, yPred),
        metrics: ['accuracy'],
      });
      const [loss, accuracy] = loaded.evaluate(xs, ys, { batchSize: 8 }) as tf.Scalar[];
      expect(Number.isFinite((await read(loss!))[0]!)).toBe(true);
      expect((await read(accuracy!))[0]!).toBeGreaterThanOrEqual(0);
      tf.dispose([a, b, loss!, accuracy!]);
      loaded.dispose();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
    tf.dispose([xs, ys]);
    model.dispose();
    // WebGPU in CI is SwiftShader (a CPU): a few minutes for 224k parameters.
  }, 400_000);
});
