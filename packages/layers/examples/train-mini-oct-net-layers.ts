// The seed's MiniOctNet written as a functional tf.model, trained with model.fit on the
// synthetic shapes-and-textures set on wasm, saved to disk, reloaded with tf.loadLayersModel
// and evaluated. Run: pnpm --filter @octconv/layers example:train
// Environment: OCTCONV_EPOCHS (default 3), OCTCONV_OUT (model directory).

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SHAPE_TEXTURE_CLASSES, shapesAndTextures } from '@octconv/models';
import { fileHandler } from '@octconv/models/node';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { miniOctNetModel } from '../src/index';

const epochs = Number(process.env.OCTCONV_EPOCHS ?? 3);
const out = pathToFileURL(
  resolve(process.env.OCTCONV_OUT ?? 'dist-examples/mini-oct-net-layers'),
).href;
const size = 16;
const classes = SHAPE_TEXTURE_CLASSES.length;
const loss = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred);

function tensors(count: number, seed: number) {
  const data = shapesAndTextures({ count, size, seed });
  return {
    xs: tf.tensor4d(data.images, [count, size, size, 3]),
    ys: tf.tidy(() => tf.oneHot(tf.tensor1d(data.labels, 'int32'), classes)),
  };
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const train = tensors(2048, 1);
  const test = tensors(512, 2);
  const model = miniOctNetModel({ numClasses: classes, size });
  const trainable = model.trainableWeights.reduce(
    (n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1),
    0,
  );
  console.log(
    `miniOctNetModel (${trainable.toLocaleString('en')} trainable parameters) on ${tf.getBackend()}, ` +
      `${train.xs.shape[0]} training / ${test.xs.shape[0]} test images ${size}×${size}`,
  );
  const optimizer = tf.train.adam(3e-3);
  model.compile({ optimizer, loss, metrics: ['accuracy'] });
  const start = performance.now();
  await model.fit(train.xs, train.ys, {
    epochs,
    batchSize: 32,
    shuffle: true,
    validationData: [test.xs, test.ys],
    callbacks: {
      onEpochEnd: (epoch, logs) => {
        const seconds = (performance.now() - start) / 1000;
        console.log(
          `epoch ${epoch + 1}: loss ${logs!.loss!.toFixed(4)}, accuracy ${(100 * logs!.acc!).toFixed(1)}%, ` +
            `validation ${(100 * logs!.val_acc!).toFixed(1)}%, ${seconds.toFixed(1)} s`,
        );
      },
    },
  });
  const trained = (performance.now() - start) / 1000;
  await model.save(fileHandler(out));
  const reloaded = await tfl.loadLayersModel(fileHandler(out));
  reloaded.compile({ optimizer: 'sgd', loss, metrics: ['accuracy'] });
  const [testLoss, testAccuracy] = reloaded.evaluate(test.xs, test.ys, {
    batchSize: 64,
  }) as tf.Scalar[];
  const a = model.predict(test.xs) as tf.Tensor;
  const b = reloaded.predict(test.xs) as tf.Tensor;
  const same = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
  console.log(
    `trained in ${trained.toFixed(1)} s; saved to ${out} and reloaded: test loss ${(await testLoss!.data())[0]!.toFixed(4)}, ` +
      `test accuracy ${(100 * (await testAccuracy!.data())[0]!).toFixed(1)}%, largest prediction difference ${same}`,
  );
  tf.dispose([train.xs, train.ys, test.xs, test.ys, testLoss!, testAccuracy!, a, b]);
  model.dispose();
  reloaded.dispose();
  optimizer.dispose();
  console.log(`tensors alive: ${tf.memory().numTensors}`);
}

await main();
