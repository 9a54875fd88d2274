// Where the time of a compiled Oct-MobileNet goes, per kernel kind and per layer, against its
// α = 0 twin compiled the same way, on wasm in Node (THREADS=n in the environment for n threads;
// default 1).
// tf.profile times each kernel on wasm synchronously (its kernelMs is wall time), so the sums are
// per-kernel wall times; forwards of the two twins are interleaved and the medians reported.
// Usage: node packages/bench/scripts/profile-mobilenet.mjs [v1|v2] [width] [alpha] [size] [runs]
// (build the packages first: turbo run build --filter=@octconv/bench...).
import { compileForInference, octMobileNetV1, octMobileNetV2 } from '@octconv/models';
import * as tf from '@tensorflow/tfjs-core';
import { startBackend } from '../dist/index.js';

const [version = 'v1', widthArg = '1', alphaArg = '0.5', sizeArg = '224', runsArg = '9'] =
  process.argv.slice(2);
const widthMultiplier = Number(widthArg);
const alpha = Number(alphaArg);
const size = Number(sizeArg);
const runs = Number(runsArg);
const facts = await startBackend('wasm', { threads: Number(process.env.THREADS ?? 1) });
if (!facts.available) throw new Error(`wasm: ${facts.reason}`);
console.log(`wasm: SIMD ${facts.simd}, ${facts.threadCount} thread(s)`);

const make = version === 'v2' ? octMobileNetV2 : octMobileNetV1;
function compiled(a) {
  const net = make({ widthMultiplier, alpha: a, random: 1 }).eval();
  const model = compileForInference(net);
  net.dispose();
  return model;
}
const models = { octave: compiled(alpha), plain: compiled(0) };
const x = tf.randomNormal([1, size, size, 3], 0, 1, 'float32', 7);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/** Kind of a kernel, for the summary: depthwise, dense convolution, fused step, other. */
function kind(name) {
  if (name === 'FusedDepthwiseConv2D' || name === 'DepthwiseConv2dNative') return 'depthwise 3×3';
  if (name === 'FusedConv2D' || name === 'Conv2D') return 'dense conv (stem, 1×1)';
  if (name.startsWith('Octconv')) return `@octconv kernel (${name.replace('Octconv', '')})`;
  if (name === 'Mean' || name === 'MatMul' || name === 'BatchMatMul' || name === 'Add')
    return 'pool + classifier';
  return `other (${name})`;
}

const totals = { octave: [], plain: [] };
const byKind = { octave: new Map(), plain: new Map() };
const byLayer = { octave: new Map(), plain: new Map() };
for (let run = 0; run < runs + 2; run++) {
  for (const variant of run % 2 === 0 ? ['octave', 'plain'] : ['plain', 'octave']) {
    const start = performance.now();
    const info = await tf.profile(() => {
      const y = models[variant].apply(x);
      y.dataSync();
      return y;
    });
    const wall = performance.now() - start;
    tf.dispose(info.result);
    if (run < 2) continue; // warm-up
    totals[variant].push(wall);
    const kinds = new Map();
    const layers = new Map();
    info.kernels.forEach((k, index) => {
      const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      const label = kind(k.name);
      kinds.set(label, (kinds.get(label) ?? 0) + ms);
      const key = `${String(index).padStart(3, '0')} ${k.name} → [${k.outputShapes[0]}]`;
      layers.set(key, ms);
    });
    for (const [label, ms] of kinds) {
      if (!byKind[variant].has(label)) byKind[variant].set(label, []);
      byKind[variant].get(label).push(ms);
    }
    for (const [key, ms] of layers) {
      if (!byLayer[variant].has(key)) byLayer[variant].set(key, []);
      byLayer[variant].get(key).push(ms);
    }
  }
}

const octaveMs = median(totals.octave);
const plainMs = median(totals.plain);
console.log(
  `\nOct-MobileNet ${version} ${widthMultiplier} α ${alpha} vs α 0, ${size}², batch 1, compiled, ${runs} interleaved runs (medians, profiled)`,
);
console.log(
  `forward: octave ${octaveMs.toFixed(1)} ms, plain ${plainMs.toFixed(1)} ms, speed-up ${(plainMs / octaveMs).toFixed(2)}×`,
);
console.log('\nper kernel kind (median ms per forward)');
const labels = new Set([...byKind.octave.keys(), ...byKind.plain.keys()]);
console.log(`${'kind'.padEnd(42)} ${'α 0'.padStart(8)} ${`α ${alpha}`.padStart(8)}`);
for (const label of labels) {
  const p = byKind.plain.get(label);
  const o = byKind.octave.get(label);
  console.log(
    `${label.padEnd(42)} ${(p ? median(p).toFixed(1) : '-').padStart(8)} ${(o ? median(o).toFixed(1) : '-').padStart(8)}`,
  );
}
for (const variant of ['plain', 'octave']) {
  console.log(`\nslowest kernels, ${variant === 'plain' ? 'α 0' : `α ${alpha}`} (median ms)`);
  const rows = [...byLayer[variant]].map(([key, values]) => [key, median(values)]);
  rows.sort((a, b) => b[1] - a[1]);
  for (const [key, ms] of rows.slice(0, 14)) console.log(`${ms.toFixed(2).padStart(7)}  ${key}`);
}
models.octave.dispose();
models.plain.dispose();
x.dispose();
