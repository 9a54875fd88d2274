// Trains the seed's MiniOctNet on a synthetic dataset whose labels need both frequency bands
// (coarse shape × one-pixel texture), on the wasm backend, then saves a PyTorch-loadable
// checkpoint. Run: pnpm --filter @octconv/models example:train
// Environment: OCTCONV_EPOCHS (default 3), OCTCONV_ALPHA (0.5), OCTCONV_OUT (checkpoint path).

import { writeFile } from 'node:fs/promises';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import {
  MiniOctNet,
  SHAPE_TEXTURE_CLASSES,
  saveTorchCheckpoint,
  shapesAndTextures,
  trainStep,
} from '../src/index';

const epochs = Number(process.env.OCTCONV_EPOCHS ?? 3);
const alpha = Number(process.env.OCTCONV_ALPHA ?? 0.5);
const out = process.env.OCTCONV_OUT ?? 'dist-examples/mini-oct-net-trained.safetensors';
const size = 16;
const batch = 32;

async function accuracy(net: MiniOctNet, images: tf.Tensor4D, labels: Int32Array): Promise<number> {
  net.eval();
  const predicted = tf.tidy(() => tf.argMax(net.apply(images), 1));
  const values = await predicted.data();
  predicted.dispose();
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (values[i] === labels[i]) correct++;
  return correct / labels.length;
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const train = shapesAndTextures({ count: 2048, size, seed: 1 });
  const test = shapesAndTextures({ count: 512, size, seed: 2 });
  const testImages = tf.tensor4d(test.images, [test.count, size, size, 3]);
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
  const steps = Math.floor(train.count / batch);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    let total = 0;
    for (let step = 0; step < steps; step++) {
      const from = step * batch;
      const images = tf.tensor4d(
        train.images.subarray(from * size * size * 3, (from + batch) * size * size * 3),
        [batch, size, size, 3],
      );
      const loss = trainStep(net, optimizer, images, train.labels.subarray(from, from + batch));
      total += (await loss.data())[0]!;
      tf.dispose([images, loss]);
    }
    const seconds = (performance.now() - start) / 1000;
    const acc = await accuracy(net, testImages, test.labels);
    console.log(
      `epoch ${epoch}: loss ${(total / steps).toFixed(4)}, test accuracy ${(acc * 100).toFixed(1)}%, ${seconds.toFixed(1)} s`,
    );
  }
  const bytes = await saveTorchCheckpoint(net);
  await writeFile(out, bytes);
  console.log(
    `saved ${out} (${bytes.length.toLocaleString('en')} bytes); tensors alive: ${tf.memory().numTensors}`,
  );
  net.dispose();
  testImages.dispose();
  optimizer.dispose();
}

await main();
