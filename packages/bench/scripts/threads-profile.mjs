// Where the time of compiled Oct-ResNet-50 goes on wasm with 1 and with 2 (or more) threads: per
// thread count, the interleaved median of each α against α 0 (outputs downloaded), and a per-kernel
// table from tf.profile (wall time of each kernel on the calling thread; XNNPACK's pool works
// inside it), summed over a few profiled calls, with each kernel's gain from the extra threads.
// Usage: node packages/bench/scripts/threads-profile.mjs [--threads 1,2] [--alphas 0.5,0.75]
//   [--runs 10] [--profiles 3] [--json FILE]   (build the packages first; Node, wasm)
// Speed numbers want a quiet machine: check `uptime` first.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { ALL_CASES, median, startBackend, timeInterleaved } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '1,2' },
    alphas: { type: 'string', default: '0.5,0.75' },
    runs: { type: 'string', default: '10' },
    profiles: { type: 'string', default: '3' },
    json: { type: 'string' },
  },
});
const threadCounts = values.threads.split(',').map(Number);
const alphas = values.alphas.split(',').map(Number);
const RUNS = Number(values.runs);
const PROFILES = Number(values.profiles);
/** Per-kernel total ms and calls of `PROFILES` profiled calls of `run`. */
async function kernels(run) {
  const table = new Map();
  for (let i = 0; i < PROFILES; i++) {
    let outputs = [];
    const profile = await tf.profile(() => {
      outputs = [run()].flat();
      return outputs;
    });
    await Promise.all(outputs.map((t) => t.data()));
    tf.dispose(outputs);
    for (const k of profile.kernels) {
      // Convolutions also by shape (input ⊛ filter): which ones the pool splits well.
      const keys = [k.name];
      if (k.name === 'FusedConv2D' || k.name === 'Conv2D')
        keys.push(`${k.name} ${k.inputShapes[0]?.join('×')} ⊛ ${k.inputShapes[1]?.join('×')}`);
      for (const key of keys) {
        const row = table.get(key) ?? { ms: 0, calls: 0 };
        row.ms += k.kernelTimeMs / PROFILES;
        row.calls += 1 / PROFILES;
        table.set(key, row);
      }
    }
  }
  return table;
}

const result = { startedAt: new Date().toISOString(), runs: RUNS, profiles: PROFILES, threads: [] };
for (const threads of threadCounts) {
  const facts = await startBackend('wasm', { threads });
  if (!facts.available) throw new Error(facts.reason);
  console.error(
    `wasm: ${facts.threadCount} thread(s)${facts.threadsCapped ? ` (${facts.threadsCapped})` : ''}`,
  );
  const entry = { threads: facts.threadCount, cases: [] };
  for (const alpha of alphas) {
    const benchCase = ALL_CASES.find((c) => c.id === `oct-resnet50-a${alpha}`);
    if (!benchCase) throw new Error(`no Oct-ResNet-50 case at α ${alpha}`);
    const prepared = benchCase.setup(1);
    try {
      const [octaveTimes, vanillaTimes] = await timeInterleaved(
        [prepared.octave, prepared.vanilla],
        { warmup: 2, runs: RUNS },
      );
      const octave = median(octaveTimes);
      const vanilla = median(vanillaTimes);
      entry.cases.push({
        alpha,
        octaveMs: octave,
        vanillaMs: vanilla,
        speedup: vanilla / octave,
        octaveKernels: Object.fromEntries(await kernels(prepared.octave)),
        vanillaKernels: Object.fromEntries(await kernels(prepared.vanilla)),
      });
      console.error(
        `  α ${alpha}: ${octave.toFixed(1)} ms, α 0: ${vanilla.toFixed(1)} ms, speed-up ${(vanilla / octave).toFixed(2)}×`,
      );
    } finally {
      prepared.dispose();
    }
  }
  result.threads.push(entry);
}

// The tables: median times, then per kernel (α of the first case, and α 0) per thread count.
const fmt = (x) => (x === undefined ? '—' : x.toFixed(1));
console.log('\n| threads | α | ms | α 0 ms | speed-up over α 0 |\n|---|---|---|---|---|');
for (const t of result.threads)
  for (const c of t.cases)
    console.log(
      `| ${t.threads} | ${c.alpha} | ${fmt(c.octaveMs)} | ${fmt(c.vanillaMs)} | ${c.speedup.toFixed(2)}× |`,
    );
if (result.threads.length >= 2) {
  const [a, b] = result.threads;
  console.log(`\n| α | ${a.threads}→${b.threads} threads: octave gain | α 0 gain |\n|---|---|---|`);
  a.cases.forEach((c, i) => {
    const d = b.cases[i];
    console.log(
      `| ${c.alpha} | ${(c.octaveMs / d.octaveMs).toFixed(2)}× | ${(c.vanillaMs / d.vanillaMs).toFixed(2)}× |`,
    );
  });
  for (const side of ['octaveKernels', 'vanillaKernels']) {
    const first = a.cases[0];
    const label = side === 'octaveKernels' ? `α ${first.alpha}` : 'α 0';
    const all = [...new Set([...Object.keys(first[side]), ...Object.keys(b.cases[0][side])])];
    all.sort((x, y) => (first[side][y]?.ms ?? 0) - (first[side][x]?.ms ?? 0));
    // Kernels, then the 12 costliest convolution shapes.
    const names = [
      ...all.filter((n) => !n.includes(' ')),
      ...all.filter((n) => n.includes(' ')).slice(0, 12),
    ];
    const total = (t) =>
      Object.entries(t).reduce((s, [n, k]) => s + (n.includes(' ') ? 0 : k.ms), 0);
    console.log(
      `\n${label}, per kernel (ms per forward, summed over its calls):\n\n| kernel | calls | ${a.threads} thread(s) | share | ${b.threads} threads | share | gain |\n|---|---:|---:|---:|---:|---:|---:|`,
    );
    for (const name of names) {
      const x = first[side][name];
      const y = b.cases[0][side][name];
      console.log(
        `| ${name} | ${Math.round(x?.calls ?? y?.calls ?? 0)} | ${fmt(x?.ms)} | ${x ? ((100 * x.ms) / total(first[side])).toFixed(0) : '—'}% | ${fmt(y?.ms)} | ${y ? ((100 * y.ms) / total(b.cases[0][side])).toFixed(0) : '—'}% | ${x && y ? (x.ms / y.ms).toFixed(2) : '—'}× |`,
      );
    }
    console.log(
      `| **total** | | ${fmt(total(first[side]))} | | ${fmt(total(b.cases[0][side]))} | | ${(total(first[side]) / total(b.cases[0][side])).toFixed(2)}× |`,
    );
  }
}
if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
