// Node ESM consumer: import the installed packages and run an OctConv forward on wasm.

import { analyze } from '@octconv/analysis';
import { octaveConv2d, octaveSplit } from '@octconv/core';
import { MiniOctNet } from '@octconv/models';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

await tf.setBackend('wasm');
const x = octaveSplit(tf.randomNormal([1, 8, 8, 4]), 0.5);
const w = (cin, cout) => ({ filter: tf.randomNormal([3, 3, cin, cout]) });
const y = octaveConv2d(x, { hh: w(2, 2), hl: w(2, 2), lh: w(2, 2), ll: w(2, 2) });
const net = new MiniOctNet({ random: 1 }).eval();
const logits = net.apply(tf.randomNormal([1, 16, 16, 3]));
const params = analyze(net.describe({ height: 16, width: 16 })).totals.params;
console.log(
  JSON.stringify({
    high: y.high.shape,
    low: y.low.shape,
    logits: logits.shape,
    params,
    backend: tf.getBackend(),
  }),
);
