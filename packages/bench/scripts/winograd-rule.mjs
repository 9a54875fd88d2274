// The table behind the compiled path's choice between XNNPACK's direct 3×3 convolution and
// Winograd F(2×2,3×3) / F(4×4,3×3) (packages/core/src/kernels/winograd-rule.ts): one compiled
// 3×3 stride-1 layer (bias and ReLU fused, batch 1, padding 1) per shape, the three algorithms
// interleaved in one process (rotating which goes first), medians. One thread count per run,
// as tfjs-backend-wasm fixes it at start:
//   node packages/bench/scripts/winograd-rule.mjs --threads 1 [--runs 15] [--json out.json]
//   node packages/bench/scripts/winograd-rule.mjs --threads 2
// (build the packages first). Prints a Markdown table: ms of each, and the speed-up over direct.
// `--write-table t1.json,t2.json` instead writes packages/core/src/kernels/winograd-table.ts,
// the table the rule reads, from the JSON of one run per thread count.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { compileOctaveConv2d } from '@octconv/core';
import * as tf from '@tensorflow/tfjs-core';
import { startBackend } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '1' },
    runs: { type: 'string', default: '15' },
    channels: { type: 'string', default: '16,32,64,128,256,512' },
    sizes: { type: 'string', default: '4,7,14,28,56' },
    json: { type: 'string' },
    'write-table': { type: 'string' },
  },
});
if (values['write-table']) {
  const rows = values['write-table'].split(',').flatMap((file) => JSON.parse(readFileSync(file)));
  const target = new URL('../../core/src/kernels/winograd-table.ts', import.meta.url);
  const lines = rows.map(
    (r) =>
      `  [${r.threads}, ${r.cin}, ${r.cout}, ${r.size}, ${r.ms.map((m) => m.toFixed(2)).join(', ')}],`,
  );
  writeFileSync(
    target,
    `// Written by packages/bench/scripts/winograd-rule.mjs --write-table: do not edit.
/**
 * @internal Medians (ms) of one compiled 3×3 stride-1 layer, batch 1, on wasm: [threads,
 * in channels, out channels, output size (square), direct, F(2×2,3×3), F(4×4,3×3)].
 */
export const WINOGRAD_TABLE: readonly (readonly [number, number, number, number, number, number, number])[] = [
${lines.join('\n')}
];
`,
  );
  console.log(`wrote ${target.pathname} (${rows.length} rows)`);
  process.exit(0);
}
const threads = Number(values.threads);
const RUNS = Number(values.runs);
const facts = await startBackend('wasm', { threads });
if (!facts.available) throw new Error(facts.reason);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const MODES = [
  ['direct', false],
  ['F(2,3)', '2x2'],
  ['F(4,3)', '4x4'],
];

/** Medians (ms) of the three algorithms on a cin→cout layer at size², interleaved. */
async function measure(cin, cout, size) {
  const filter = tf.randomUniform([3, 3, cin, cout], -0.1, 0.1);
  const bias = tf.randomUniform([cout], -0.1, 0.1);
  const x = tf.randomUniform([1, size, size, cin], -1, 1);
  const layers = MODES.map(([, winograd]) =>
    compileOctaveConv2d(
      { hh: { filter, bias } },
      { padding: 1, strideMode: 'conv', activation: 'relu', winograd },
    ),
  );
  const run = (layer) => {
    const y = layer.apply({ high: x, low: null }).high;
    y.dataSync();
    y.dispose();
  };
  for (let i = 0; i < 3; i++) for (const layer of layers) run(layer);
  const times = layers.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    for (let k = 0; k < layers.length; k++) {
      const j = (k + i) % layers.length;
      const start = performance.now();
      run(layers[j]);
      times[j].push(performance.now() - start);
    }
  }
  for (const layer of layers) layer.dispose();
  tf.dispose([filter, bias, x]);
  return times.map(median);
}

const channels = values.channels.split(',').map(Number);
const sizes = values.sizes.split(',').map(Number);
const rows = [];
console.log(`wasm, ${threads} thread(s), ${RUNS} interleaved runs, medians (ms)`);
console.log('| C→K | size | direct | F(2,3) | F(4,3) | best | speed-up |');
console.log('|---|---:|---:|---:|---:|---|---:|');
for (const c of channels) {
  // Square layers, and the concatenated [Down(X_H), X_L] → L shape (2C → C).
  for (const [cin, cout] of [
    [c, c],
    [2 * c, c],
  ]) {
    if (cin > 1024) continue;
    for (const size of sizes) {
      const ms = await measure(cin, cout, size);
      const best = ms.indexOf(Math.min(...ms));
      const row = { cin, cout, size, threads, ms };
      rows.push(row);
      console.log(
        `| ${cin}→${cout} | ${size}² | ${ms.map((m) => m.toFixed(2)).join(' | ')} | ${MODES[best][0]} | ${(ms[0] / ms[best]).toFixed(2)}× |`,
      );
    }
  }
}
if (values.json) writeFileSync(values.json, `${JSON.stringify(rows, null, 1)}\n`);
