// How much of a wasm thread pool's time is spent waiting for a thread that is not running:
// (1) one small convolution (1×1, 1024→128 at 7², a low-band convolution of Oct-ResNet-50's third
// stage) called many times in a row, counting the calls that take over 0.6 ms (it takes ~0.22 ms
// on 2 threads here); (2) compiled Oct-ResNet-50 α and its α 0 twin, profiled `--runs` times:
// each kernel's mean time against its own lower quartile, summed over the network ("excess": what
// the slow calls of each kernel cost). A pool that uses every core waits for a preempted thread
// at the end of each parallel operator, so the excess grows with the number of operators.
// Usage: node packages/bench/scripts/threads-stalls.mjs [--threads 2] [--alpha 0.5] [--runs 12]
//   [--calls 2000]   (build the packages first; wants a quiet machine)
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { ALL_CASES, startBackend } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    alpha: { type: 'string', default: '0.5' },
    runs: { type: 'string', default: '12' },
    calls: { type: 'string', default: '2000' },
  },
});
const RUNS = Number(values.runs);
const CALLS = Number(values.calls);
const facts = await startBackend('wasm', { threads: Number(values.threads) });
if (!facts.available) throw new Error(facts.reason);
console.log(`wasm, ${facts.threadCount} thread(s)`);

{
  const x = tf.randomNormal([1, 7, 7, 1024]);
  const filter = tf.randomNormal([1, 1, 1024, 128], 0, 0.05);
  const bias = tf.randomNormal([128]);
  const conv = () =>
    tf.fused.conv2d({ x, filter, bias, strides: 1, pad: 'valid', activation: 'relu' });
  for (let i = 0; i < 50; i++) conv().dispose();
  const times = [];
  for (let i = 0; i < CALLS; i++) {
    const start = performance.now();
    const y = conv();
    await y.data();
    times.push(performance.now() - start);
    y.dispose();
  }
  const slow = times.filter((t) => t > 0.6);
  const sorted = [...times].sort((a, b) => a - b);
  const sum = (xs) => xs.reduce((s, t) => s + t, 0);
  console.log(
    `1×1 1024→128 at 7², ${CALLS} calls: median ${sorted[CALLS >> 1].toFixed(3)} ms, mean ${(sum(times) / CALLS).toFixed(3)} ms; ${slow.length} calls over 0.6 ms (${((100 * slow.length) / CALLS).toFixed(1)} %), averaging ${slow.length ? (sum(slow) / slow.length).toFixed(2) : '—'} ms`,
  );
  tf.dispose([x, filter, bias]);
}

const benchCase = ALL_CASES.find((c) => c.id === `oct-resnet50-a${values.alpha}`);
if (!benchCase) throw new Error(`no Oct-ResNet-50 case at α ${values.alpha}`);
const prepared = benchCase.setup(1);
try {
  for (const side of ['octave', 'vanilla']) {
    for (let i = 0; i < 2; i++) {
      const y = prepared[side]();
      await y.data();
      y.dispose();
    }
    const runs = [];
    for (let r = 0; r < RUNS; r++) {
      let y;
      const profile = await tf.profile(() => {
        y = prepared[side]();
        return y;
      });
      await y.data();
      y.dispose();
      runs.push(profile.kernels.map((k) => k.kernelTimeMs));
    }
    let mean = 0;
    let floor = 0;
    for (let i = 0; i < runs[0].length; i++) {
      const times = runs.map((run) => run[i]).sort((a, b) => a - b);
      mean += times.reduce((s, t) => s + t, 0) / RUNS;
      floor += times[Math.floor(RUNS / 4)];
    }
    console.log(
      `${side === 'octave' ? `α ${benchCase.alpha}` : 'α 0'}: ${runs[0].length} kernels; per forward, kernel time ${mean.toFixed(1)} ms, sum of each kernel's lower quartile ${floor.toFixed(1)} ms, excess ${(mean - floor).toFixed(1)} ms`,
    );
  }
} finally {
  prepared.dispose();
}
