// Trains the seed's MiniOctNet on a synthetic dataset whose labels need both frequency bands
// (coarse shape × one-pixel texture), on the wasm backend, with fit / evaluate / predict (a
// progress bar on a terminal), then saves a PyTorch-loadable
// checkpoint. Run: pnpm --filter @octconv/models example:train
// Environment: OCTCONV_EPOCHS (default 3), OCTCONV_ALPHA (0.5), OCTCONV_OUT (checkpoint path).

import { writeFile } from 'node:fs/promises';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import {
  evaluate,
  type FitCallbacks,
  fit as fitModule,
  MiniOctNet,
  predict,
  SHAPE_TEXTURE_CLASSES,
  saveTorchCheckpoint,
  shapesAndTextures,
} from '../src/index';

const epochs = Number(process.env.OCTCONV_EPOCHS ?? 3);
const alpha = Number(process.env.OCTCONV_ALPHA ?? 0.5);
const out = process.env.OCTCONV_OUT ?? 'dist-examples/mini-oct-net-trained.safetensors';
const size = 16;
const batchSize = 32;

/** A one-line progress bar on a terminal (plain epoch lines otherwise). */
function progressBar(batchesPerEpoch: number, start: number): FitCallbacks {
  const tty = process.stderr.isTTY === true;
  let epochNumber = 0;
  return {
    onEpochBegin: (epoch) => {
      epochNumber = epoch + 1;
    },
    onBatchEnd: (batch, logs) => {
      if (!tty) return;
      const done = Math.round((20 * (batch + 1)) / batchesPerEpoch);
      process.stderr.write(
        `\repoch ${epochNumber}/${epochs} [${'='.repeat(done)}${' '.repeat(20 - done)}] ${batch + 1}/${batchesPerEpoch} loss ${logs.loss.toFixed(4)}`,
      );
    },
    onEpochEnd: (epoch, logs) => {
      if (tty) process.stderr.write('\r\x1b[K');
      const seconds = (performance.now() - start) / 1000;
      console.log(
        `epoch ${epoch + 1}: loss ${logs.loss.toFixed(4)}, accuracy ${(logs.acc * 100).toFixed(1)}%, ` +
          `test accuracy ${((logs.val_acc ?? 0) * 100).toFixed(1)}%, ${seconds.toFixed(1)} s`,
      );
    },
  };
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const train = shapesAndTextures({ count: 2048, size, seed: 1 });
  const test = shapesAndTextures({ count: 512, size, seed: 2 });
  const trainData = {
    xs: tf.tensor4d(train.images, [train.count, size, size, 3]),
    ys: train.labels,
  };
  const testData = { xs: tf.tensor4d(test.images, [test.count, size, size, 3]), ys: test.labels };
  const net = new MiniOctNet({
    inChannels: 3,
    numClasses: SHAPE_TEXTURE_CLASSES.length,
    alpha,
    random: 7,
  });
  const optimizer = tf.train.adam(3e-3);
  console.log(
    `MiniOctNet(α=${alpha}, ${net.parameterCount().toLocaleString('en')} parameters) on ${tf.getBackend()}, ` +
      `${train.count} training / ${test.count} test images ${size}×${size}, classes: ${SHAPE_TEXTURE_CLASSES.join(' | ')}`,
  );
  const start = performance.now();
  await fitModule(net, trainData, {
    optimizer,
    epochs,
    batchSize,
    shuffle: 1,
    validationData: testData,
    callbacks: progressBar(Math.ceil(train.count / batchSize), start),
  });
  const result = await evaluate(net, testData, { batchSize: 64 });
  const logits = predict(net, testData.xs, { batchSize: 64 });
  console.log(
    `evaluate: loss ${result.loss.toFixed(4)}, accuracy ${(result.accuracy * 100).toFixed(1)}%; predict: [${logits.shape.join(', ')}] logits`,
  );
  const bytes = await saveTorchCheckpoint(net);
  await writeFile(out, bytes);
  console.log(
    `saved ${out} (${bytes.length.toLocaleString('en')} bytes); tensors alive: ${tf.memory().numTensors}`,
  );
  tf.dispose([logits, trainData.xs, testData.xs]);
  net.dispose();
  optimizer.dispose();
}

await main();
