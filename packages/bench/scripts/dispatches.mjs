// Counts, per forward on the active backend: kernels and intermediate tensors (from tf.profile)
// and, on webgpu, real GPU dispatches (dispatchWorkgroups calls), for the plain path (what ran
// before issue #6: octaveConv2d, the module's eval-mode apply) and the compiled one; and the
// median time of each, the two interleaved in one process (on a software adapter that is CPU time,
// but a like-for-like comparison).
// Usage: node packages/bench/scripts/dispatches.mjs [webgpu|wasm|cpu] (build the packages first).
import { compileOctaveConv2d, octaveConv2d, splitChannels } from '@octconv/core';
import { compileForInference, MiniOctNet, OctaveConvBlock } from '@octconv/models';
import * as tf from '@tensorflow/tfjs-core';
import { median, startBackend, timeInterleaved } from '../dist/index.js';

const backend = process.argv[2] ?? 'webgpu';
const facts = await startBackend(backend);
if (!facts.available) throw new Error(`${backend}: ${facts.reason}`);

let dispatches = 0;
const encoder = globalThis.GPUComputePassEncoder?.prototype;
if (encoder) {
  const original = encoder.dispatchWorkgroups;
  encoder.dispatchWorkgroups = function (...args) {
    dispatches += 1;
    return original.apply(this, args);
  };
}

async function count(run) {
  const first = run();
  await Promise.all([first].flat().map((t) => t.data()));
  tf.dispose(first);
  dispatches = 0;
  let outputs = [];
  const profile = await tf.profile(() => {
    outputs = [run()].flat();
    return outputs;
  });
  await Promise.all(outputs.map((t) => t.data()));
  const made = profile.kernels.reduce((sum, k) => sum + k.outputShapes.length, 0);
  const result = {
    kernels: profile.kernels.length,
    dispatches: encoder ? dispatches : null,
    intermediates: made - outputs.length,
  };
  tf.dispose(outputs);
  return result;
}

const RUNS = 7;

/** Median ms of `plain` and `compiled`, interleaved, outputs downloaded. */
async function time(plain, compiled) {
  const [a, b] = await timeInterleaved([plain, compiled], { warmup: 1, runs: RUNS });
  return { plain: median(a), compiled: median(b) };
}

const rows = [];
async function compare(what, plainName, plain, compiledName, compiled) {
  const [a, b] = [await count(plain), await count(compiled)];
  const ms = await time(plain, compiled);
  rows.push([what, plainName, { ...a, ms: ms.plain }]);
  rows.push(['', compiledName, { ...b, ms: ms.compiled }]);
}
const r = (shape, seed, scale = 0.1) => tf.randomNormal(shape, 0, scale, 'float32', seed);
{
  const split = splitChannels(64, 0.5);
  const high = r([1, 56, 56, split.high], 1);
  const low = r([1, 28, 28, split.low], 2);
  const w = (cin, cout, seed) => ({ filter: r([3, 3, cin, cout], seed) });
  const weights = {
    hh: w(split.high, split.high, 3),
    hl: w(split.high, split.low, 4),
    lh: w(split.low, split.high, 5),
    ll: w(split.low, split.low, 6),
  };
  const compiled = compileOctaveConv2d(weights);
  const bands = (y) => [y.high, y.low];
  await compare(
    'layer 64 ch @ 56², α .5',
    'octaveConv2d',
    () => bands(octaveConv2d({ high, low }, weights)),
    'compileOctaveConv2d',
    () => bands(compiled.apply({ high, low })),
  );
  const block = new OctaveConvBlock({ inChannels: 64, outChannels: 64, random: 1 }).eval();
  const fast = compileForInference(block);
  await compare(
    'block 64 ch @ 56², α .5',
    'block.apply (eval)',
    () => bands(block.apply({ high, low })),
    'compileForInference',
    () => bands(fast.apply({ high, low })),
  );
  const net = new MiniOctNet({ alpha: 0.5, random: 1 }).eval();
  const fastNet = compileForInference(net);
  const x = r([8, 32, 32, 3], 7, 1);
  await compare(
    'MiniOctNet α .5, 8×32²',
    'net.apply (eval)',
    () => net.apply(x),
    'compileForInference',
    () => fastNet.apply(x),
  );
}

console.log(`${backend}: ${JSON.stringify(facts.adapter ?? {})}`);
console.log(
  `| workload | path | kernels | GPU dispatches | intermediate tensors | median ms (${RUNS} runs) |`,
);
console.log('| --- | --- | ---: | ---: | ---: | ---: |');
for (const [what, path, c] of rows) {
  const cells = [what, path, c.kernels, c.dispatches ?? '–', c.intermediates, c.ms.toFixed(1)];
  console.log(`| ${cells.join(' | ')} |`);
}
process.exit(0);
