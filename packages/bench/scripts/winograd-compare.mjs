// The compiled path before and after Winograd, side by side in one process: each case compiled
// three times, `winograd: false` (the direct convolutions, as before), the default (the measured
// rule, F(2×2,3×3)) and `'fast'` (the rule with F(4×4,3×3) allowed), interleaved (rotating which
// goes first), medians with p10–p90, and the largest difference of each Winograd output from the
// direct one relative to the output's largest magnitude. wasm, batch 1.
//   node packages/bench/scripts/winograd-compare.mjs --threads 1 [--runs 10]
//     [--cases layers,resnet26,resnet50] [--json out.json]
// (build the packages first; speed numbers want a quiet machine: check `uptime` first).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { compileOctaveConv2d, splitChannels } from '@octconv/core';
import { compileForInference, octResNet } from '@octconv/models';
import * as tf from '@tensorflow/tfjs-core';
import { startBackend } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '1' },
    runs: { type: 'string', default: '10' },
    cases: { type: 'string', default: 'layers,resnet26,resnet50' },
    json: { type: 'string' },
  },
});
const threads = Number(values.threads);
const RUNS = Number(values.runs);
const facts = await startBackend('wasm', { threads });
if (!facts.available) throw new Error(facts.reason);

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (i - lo);
};

const outputs = (y) => (Array.isArray(y) ? y : y.high !== undefined ? [y.high, y.low] : [y]);

const MODES = [false, true, 'fast'];

/** Interleaved timings of the three modes plus each output's largest relative difference. */
async function compare(name, runners, dispose) {
  const run = (f) => {
    const ys = outputs(f()).filter((t) => t);
    const data = ys.map((t) => t.dataSync());
    tf.dispose(ys);
    return data;
  };
  const results = runners.map(run);
  let scale = 0;
  for (const values of results[0]) for (const v of values) scale = Math.max(scale, Math.abs(v));
  const differences = results.map((result) => {
    let worst = 0;
    result.forEach((values, i) => {
      values.forEach((v, j) => {
        worst = Math.max(worst, Math.abs(v - results[0][i][j]));
      });
    });
    return worst / scale;
  });
  for (let i = 0; i < 2; i++) for (const f of runners) run(f);
  const times = runners.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    for (let k = 0; k < runners.length; k++) {
      const j = (k + i) % runners.length;
      const start = performance.now();
      run(runners[j]);
      times[j].push(performance.now() - start);
    }
  }
  dispose();
  const stats = times.map((t) => ({
    median: quantile(t, 0.5),
    p10: quantile(t, 0.1),
    p90: quantile(t, 0.9),
  }));
  const row = { name, modes: MODES, stats, relativeDifference: differences };
  const f = (s) => `${s.median.toFixed(2)} (${s.p10.toFixed(2)}–${s.p90.toFixed(2)})`;
  console.log(
    `| ${name} | ${stats.map(f).join(' | ')} | ${(stats[0].median / stats[1].median).toFixed(2)}× | ${(stats[0].median / stats[2].median).toFixed(2)}× | ${differences[1].toExponential(1)} / ${differences[2].toExponential(1)} |`,
  );
  return row;
}

function layerCase(channels, size, alpha) {
  const split = splitChannels(channels, alpha);
  const w = (cin, cout) =>
    cin > 0 && cout > 0
      ? { filter: tf.randomNormal([3, 3, cin, cout], 0, 1 / Math.sqrt(9 * channels)) }
      : undefined;
  const weights = Object.fromEntries(
    Object.entries({
      hh: w(split.high, split.high),
      hl: w(split.high, split.low),
      lh: w(split.low, split.high),
      ll: w(split.low, split.low),
    }).filter(([, v]) => v),
  );
  const x = {
    high: tf.randomNormal([1, size, size, split.high]),
    low: split.low > 0 ? tf.randomNormal([1, size / 2, size / 2, split.low]) : null,
  };
  const options = alpha === 0 ? { strideMode: 'conv' } : {};
  const layers = MODES.map((winograd) => compileOctaveConv2d(weights, { ...options, winograd }));
  tf.dispose(Object.values(weights).map((p) => p.filter));
  return compare(
    `layer-c${channels}-s${size}-a${alpha}`,
    layers.map((layer) => () => layer.apply(x)),
    () => {
      for (const layer of layers) layer.dispose();
      tf.dispose([x.high, x.low].filter((t) => t));
    },
  );
}

function networkCase(depth, alpha) {
  const net = octResNet({ depth, alpha, random: 1 }).eval();
  const nets = MODES.map((winograd) => compileForInference(net, { winograd }));
  net.dispose();
  const x = tf.randomNormal([1, 224, 224, 3]);
  return compare(
    `oct-resnet${depth}-a${alpha} 224²`,
    nets.map((compiled) => () => compiled.apply(x)),
    () => {
      for (const compiled of nets) compiled.dispose();
      x.dispose();
    },
  );
}

const cases = values.cases.split(',');
const rows = [];
console.log(
  `wasm, ${facts.threadCount ?? threads} thread(s), ${RUNS} interleaved runs; ms median (p10–p90)`,
);
console.log(
  '| case | direct (before) | default: F(2×2) rule | fast: F(4×4) allowed | speed-up default | speed-up fast | max |Δ| / max |y| default / fast |\n|---|---:|---:|---:|---:|---:|---:|',
);
if (cases.includes('layers')) {
  for (const [c, s] of [
    [64, 56],
    [128, 28],
    [256, 14],
  ]) {
    for (const alpha of [0.5, 0]) rows.push(await layerCase(c, s, alpha));
  }
}
for (const depth of [26, 50]) {
  if (!cases.includes(`resnet${depth}`)) continue;
  for (const alpha of [0.5, 0]) rows.push(await networkCase(depth, alpha));
}
if (values.json) {
  writeFileSync(
    values.json,
    `${JSON.stringify({ threads: facts.threadCount ?? threads, runs: RUNS, rows }, null, 1)}\n`,
  );
}
