// Where compiled Oct-ResNet-50 loses against its plain twin, convolution by convolution: one wasm
// thread count, tf.profile of a few forwards of α and of α 0, each convolution's shape, its
// multiply-adds and its rate (GMAC/s), then what the octave network's convolutions would cost at
// the plain network's average rate. Usage:
//   node packages/bench/scripts/conv-efficiency.mjs [--alpha 0.5] [--threads 1] [--profiles 5]
//     [--case oct-resnet50-a0.5]   (build the packages first; wants a quiet machine)
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { ALL_CASES, startBackend } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    alpha: { type: 'string', default: '0.5' },
    threads: { type: 'string', default: '1' },
    profiles: { type: 'string', default: '5' },
    case: { type: 'string' },
  },
});
const PROFILES = Number(values.profiles);
const id = values.case ?? `oct-resnet50-a${values.alpha}`;
const benchCase = ALL_CASES.find((c) => c.id === id);
if (!benchCase) throw new Error(`no case ${id}`);
const facts = await startBackend('wasm', { threads: Number(values.threads) });
if (!facts.available) throw new Error(facts.reason);

function macs(k) {
  const [n, oh, ow, cout] = k.outputShapes[0];
  const [kh, kw, cin, mult] = k.inputShapes[1];
  if (k.name.includes('Depthwise')) return n * oh * ow * kh * kw * cin * mult;
  return n * oh * ow * cout * kh * kw * cin;
}

async function profile(run) {
  const rows = new Map();
  const other = new Map();
  for (let i = 0; i < PROFILES + 1; i++) {
    let outputs = [];
    const p = await tf.profile(() => {
      outputs = [run()].flat();
      return outputs;
    });
    await Promise.all(outputs.map((t) => t.data()));
    tf.dispose(outputs);
    if (i === 0) continue; // warm-up
    for (const k of p.kernels) {
      if (!/Conv2D/.test(k.name)) {
        other.set(k.name, (other.get(k.name) ?? 0) + k.kernelTimeMs / PROFILES);
        continue;
      }
      const [kh, kw, cin] = k.inputShapes[1];
      const [, ih, iw] = k.inputShapes[0];
      const [, oh, , cout] = k.outputShapes[0];
      const key = `${k.name} ${kh}×${kw} ${cin}→${cout} ${ih}²→${oh}²${ih !== iw ? ` (${ih}×${iw})` : ''}`;
      const row = rows.get(key) ?? { ms: 0, macs: 0, calls: 0 };
      row.ms += k.kernelTimeMs / PROFILES;
      row.macs += macs(k) / PROFILES;
      row.calls += 1 / PROFILES;
      rows.set(key, row);
    }
  }
  return { rows, other };
}

const prepared = benchCase.setup(1);
const octave = await profile(prepared.octave);
const vanilla = await profile(prepared.vanilla);
prepared.dispose();

const sum = (m, f) => [...m.values()].reduce((s, r) => s + f(r), 0);
const rate = (r) => r.macs / r.ms / 1e6; // GMAC/s
for (const [label, p] of [
  [`α ${benchCase.alpha}`, octave],
  ['α 0', vanilla],
]) {
  const ms = sum(p.rows, (r) => r.ms);
  const m = sum(p.rows, (r) => r.macs);
  console.log(
    `\n${label}: convolutions ${ms.toFixed(1)} ms, ${(m / 1e9).toFixed(3)} GMAC, ${(m / ms / 1e6).toFixed(1)} GMAC/s; other kernels ${sum(p.other, (x) => x).toFixed(1)} ms`,
  );
  console.log('| convolution | calls | ms | GMAC/s |\n|---|---:|---:|---:|');
  for (const [key, r] of [...p.rows].sort((a, b) => b[1].ms - a[1].ms))
    console.log(`| ${key} | ${Math.round(r.calls)} | ${r.ms.toFixed(2)} | ${rate(r).toFixed(1)} |`);
  console.log('| other kernel | | ms | |');
  for (const [name, t] of [...p.other].sort((a, b) => b[1] - a[1]))
    console.log(`| ${name} | | ${t.toFixed(2)} | |`);
}
const vRate = sum(vanilla.rows, (r) => r.macs) / sum(vanilla.rows, (r) => r.ms);
const oMs = sum(octave.rows, (r) => r.ms);
const oAtV = sum(octave.rows, (r) => r.macs) / vRate;
console.log(
  `\nα ${benchCase.alpha}'s convolutions at α 0's rate: ${oAtV.toFixed(1)} ms instead of ${oMs.toFixed(1)} (lost ${(oMs - oAtV).toFixed(1)} ms)`,
);
