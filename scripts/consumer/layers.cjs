// Node CommonJS consumer of @octconv/layers: a first OctaveConv2D on wasm.
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');
const { OctaveConv2D, OctaveSplit } = require('@octconv/layers');

tf.setBackend('wasm').then(() => {
  const [high, low] = new OctaveConv2D({ filters: 8, kernelSize: 3 }).apply(
    tf.randomNormal([1, 8, 8, 3]),
  );
  const split = new OctaveSplit({ alpha: 0.25 }).apply(tf.randomNormal([1, 8, 8, 4]));
  console.log(
    JSON.stringify({
      backend: tf.getBackend(),
      high: high.shape,
      low: low.shape,
      split: split.map((t) => t.shape),
    }),
  );
});
