// Node ESM consumer of @octconv/layers with the whole of @tensorflow/tfjs: a functional model
// with OctaveConv2D / OctaveMerge trains one epoch with model.fit on wasm, and a save/load
// round trip through tf.io reproduces its predictions.

import { layers as oct } from '@octconv/layers';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

await tf.setBackend('wasm');
const input = tf.input({ shape: [8, 8, 3] });
const bands = oct.octaveConv2d({ filters: 8, kernelSize: 3, alphaOut: 0.5 }).apply(input);
const merged = oct.octaveMerge().apply(bands);
const pooled = tf.layers.globalAveragePooling2d({}).apply(merged);
const logits = tf.layers.dense({ units: 2, activation: 'softmax' }).apply(pooled);
const model = tf.model({ inputs: input, outputs: logits });
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
const xs = tf.randomNormal([8, 8, 8, 3]);
const ys = tf.oneHot(tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1], 'int32'), 2);
const history = await model.fit(xs, ys, { epochs: 1, batchSize: 4 });
let saved;
await model.save(
  tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }),
);
const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved));
const a = await model.predict(xs).data();
const b = await loaded.predict(xs).data();
console.log(
  JSON.stringify({
    backend: tf.getBackend(),
    loss: Number.isFinite(history.history.loss[0]),
    same: a.every((v, i) => v === b[i]),
    layers: loaded.layers
      .map((layer) => layer.getClassName())
      .filter((n) => n.startsWith('Octave')),
  }),
);
