// Node CommonJS consumer: require the installed packages and run an OctConv forward on wasm.
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-wasm');
const { octaveConv2d, octaveSplit } = require('@octconv/core');
const { OctaveConvBlock } = require('@octconv/models');

tf.setBackend('wasm').then(() => {
  const x = octaveSplit(tf.randomNormal([1, 8, 8, 4]), 0.5);
  const w = (cin, cout) => ({ filter: tf.randomNormal([3, 3, cin, cout]) });
  const y = octaveConv2d(x, { hh: w(2, 2), hl: w(2, 2), lh: w(2, 2), ll: w(2, 2) });
  const block = new OctaveConvBlock({ inChannels: 4, outChannels: 4, random: 1 });
  const z = block.apply(x);
  console.log(
    JSON.stringify({
      high: y.high.shape,
      low: y.low.shape,
      block: z.high.shape,
      backend: tf.getBackend(),
    }),
  );
});
