// Compiled Oct-ResNet-50 on our wasm backend against ONNX Runtime Web (its wasm backend, in Node)
// on the same architecture exported from our PyTorch reference (scripts/export_onnx.py), at the
// same thread count: per round, our α's interleaved (medians) in one process, then ONNX Runtime's
// α's interleaved in another (in one process, the thread pool of the runtime that ran last keeps
// spinning and slows the other); two rounds, so each number comes as a range. Batch 1, 224².
// ONNX Runtime fixes its thread count when it starts, so run one command per count:
//   /usr/bin/python3 packages/bench/scripts/export_onnx.py /tmp/onnx 0 0.5 0.75
//   node packages/bench/scripts/ort-compare.mjs --onnx /tmp/onnx --threads 1
//   node packages/bench/scripts/ort-compare.mjs --onnx /tmp/onnx --threads 2
// (build the packages first; onnxruntime-web is a dev dependency of @octconv/bench). Speed
// numbers want a quiet machine: check `uptime` first.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compileForInference, octResNet } from '@octconv/models';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-web';
import { median, startBackend, timeInterleaved } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    // Internal: one runtime, one round, medians printed as JSON (the parent runs these).
    runtime: { type: 'string' },
    onnx: { type: 'string' },
    threads: { type: 'string', default: '1' },
    alphas: { type: 'string', default: '0,0.5,0.75' },
    runs: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
  },
});
if (!values.onnx) throw new Error('--onnx DIR (the folder export_onnx.py wrote) is required');
const threads = Number(values.threads);
const alphas = values.alphas.split(',').map(Number);
const RUNS = Number(values.runs);
const ROUNDS = Number(values.rounds);
/** Median ms of each runner, the runners interleaved (rotating which goes first). */
async function interleaved(runners) {
  return (await timeInterleaved(runners, { warmup: 2, runs: RUNS })).map(median);
}

if (values.runtime === 'ours') {
  const facts = await startBackend('wasm', { threads });
  if (!facts.available) throw new Error(facts.reason);
  const nets = alphas.map((alpha) => {
    const net = octResNet({ depth: 50, alpha, random: 1 }).eval();
    const compiled = compileForInference(net);
    net.dispose();
    return compiled;
  });
  const x = tf.randomNormal([1, 224, 224, 3], 0, 1, 'float32', 1);
  const medians = await interleaved(nets.map((net) => () => net.apply(x)));
  console.log(JSON.stringify({ threads: facts.threadCount, medians }));
  process.exit(0);
}
if (values.runtime === 'ort') {
  // ONNX Runtime Web, wasm backend, the same thread count (SIMD is always on in 1.30).
  ort.env.wasm.numThreads = threads;
  const sessions = [];
  for (const alpha of alphas)
    sessions.push(
      await ort.InferenceSession.create(join(values.onnx, `oct-resnet50-a${alpha}.onnx`), {
        executionProviders: ['wasm'],
        graphOptimizationLevel: 'all',
      }),
    );
  const input = new ort.Tensor(
    'float32',
    new Float32Array(3 * 224 * 224).map(Math.random),
    [1, 3, 224, 224],
  );
  const medians = await interleaved(
    sessions.map((session) => async () => {
      const out = await session.run({ x: input });
      for (const t of Object.values(out)) t.dispose?.();
    }),
  );
  console.log(JSON.stringify({ threads, version: ort.env.versions?.web, medians }));
  process.exit(0);
}

/** One round of one runtime in a child process of this script. */
function child(runtime) {
  const run = spawnSync(
    process.execPath,
    [
      fileURLToPath(import.meta.url),
      '--runtime',
      runtime,
      '--onnx',
      values.onnx,
      '--threads',
      String(threads),
      '--alphas',
      values.alphas,
      '--runs',
      values.runs,
    ],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`${runtime}: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

const rows = alphas.map((alpha) => ({ alpha, ours: [], ort: [] }));
let ortVersion = '';
let ourThreads = threads;
for (let round = 0; round < ROUNDS; round++) {
  const a = child('ours');
  const b = child('ort');
  ortVersion = b.version ?? '';
  ourThreads = a.threads;
  rows.forEach((row, i) => {
    row.ours.push(a.medians[i]);
    row.ort.push(b.medians[i]);
  });
  console.error(
    `round ${round + 1}: ours ${a.medians.map((t) => t.toFixed(0))} ms, ORT ${b.medians.map((t) => t.toFixed(0))} ms`,
  );
}
const range = (xs) => {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo.toFixed(0) === hi.toFixed(0) ? `${lo.toFixed(0)}` : `${lo.toFixed(0)}–${hi.toFixed(0)}`;
};
console.log(
  `\nNode ${process.versions.node}, wasm, ${ourThreads} thread(s) ours / numThreads ${threads} ONNX Runtime Web ${ortVersion}; ${RUNS} runs × ${ROUNDS} rounds\n`,
);
console.log('| α | ours ms | ONNX Runtime Web ms | ours faster by |\n|---|---|---|---|');
for (const row of rows)
  console.log(
    `| ${row.alpha} | ${range(row.ours)} | ${range(row.ort)} | ${(median(row.ort) / median(row.ours)).toFixed(2)}× |`,
  );
const base = rows.find((r) => r.alpha === 0);
if (base)
  for (const row of rows.filter((r) => r.alpha !== 0))
    console.log(
      `α ${row.alpha} speed-up over α 0: ours ${(median(base.ours) / median(row.ours)).toFixed(2)}×, ONNX Runtime ${(median(base.ort) / median(row.ort)).toFixed(2)}×`,
    );
