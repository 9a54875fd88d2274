// Quick start: one OctConv layer (64 → 64 channels, 3×3, α = 0.5, 56×56) on the wasm backend
// against tf.conv2d with the same channels: output shapes, multiply-adds, and measured medians.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import {
  type OctaveConvPlan,
  type OctaveConvWeights,
  octaveConv2d,
  octaveConvOutputShape,
  octaveMerge,
} from '@octconv/core';

const CHANNELS = 64;
const SIZE = 56;
const ALPHA = 0.5;
const RUNS = Number(process.env.OCTCONV_RUNS ?? 25);

function macs(plan: OctaveConvPlan): number {
  let total = 0;
  for (const path of Object.values(plan.paths)) {
    if (!path) continue;
    const [kh, kw] = plan.kernel;
    total +=
      plan.batch *
      path.convOutput[0] *
      path.convOutput[1] *
      path.outChannels *
      (path.inChannels / path.groups) *
      kh *
      kw;
  }
  return total;
}

interface Stats {
  median: number;
  p10: number;
  p90: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))]!;
  return { median: at(0.5), p10: at(0.1), p90: at(0.9) };
}

/** Times every task `RUNS` times, interleaved (A B C A B C …) so machine noise hits all alike. */
async function timeInterleaved(
  tasks: Record<string, () => tf.Tensor[]>,
): Promise<Record<string, Stats>> {
  const samples: Record<string, number[]> = Object.fromEntries(
    Object.keys(tasks).map((k) => [k, []]),
  );
  for (let run = -3; run < RUNS; run++) {
    for (const [name, task] of Object.entries(tasks)) {
      const start = performance.now();
      const outputs = task();
      for (const t of outputs) await t.data(); // the result is read back inside the timed region
      const elapsed = performance.now() - start;
      tf.dispose(outputs);
      if (run >= 0) samples[name]!.push(elapsed);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, stats(v)]));
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  console.log(
    `@octconv/core quick start — tfjs ${tf.version_core}, backend ${tf.getBackend()} (SIMD ${simd ? 'on' : 'off'})\n`,
  );

  const plan = octaveConvOutputShape({
    height: SIZE,
    width: SIZE,
    inChannels: CHANNELS,
    outChannels: CHANNELS,
    alphaIn: ALPHA,
    alphaOut: ALPHA,
  });
  const vanillaPlan = octaveConvOutputShape({
    height: SIZE,
    width: SIZE,
    inChannels: CHANNELS,
    outChannels: CHANNELS,
    alphaIn: 0,
    alphaOut: 0,
  });
  const [, , , inHigh] = plan.input.high!;
  const inLow = plan.input.low![3];

  const x = tf.randomNormal([1, SIZE, SIZE, CHANNELS]) as tf.Tensor4D;
  const high = tf.randomNormal(plan.input.high!) as tf.Tensor4D;
  const low = tf.randomNormal(plan.input.low!) as tf.Tensor4D;
  const scale = 1 / Math.sqrt(9 * CHANNELS);
  const filter = (cin: number, cout: number) =>
    tf.mul(tf.randomNormal([3, 3, cin, cout]), scale) as tf.Tensor4D;
  const outHigh = plan.output.high![3];
  const outLow = plan.output.low![3];
  const weights: OctaveConvWeights = {
    hh: { filter: filter(inHigh, outHigh) },
    hl: { filter: filter(inHigh, outLow) },
    lh: { filter: filter(inLow, outHigh) },
    ll: { filter: filter(inLow, outLow) },
  };
  const vanilla = filter(CHANNELS, CHANNELS);

  const y = octaveConv2d({ high, low }, weights);
  console.log(`input   high ${JSON.stringify(high.shape)}  low ${JSON.stringify(low.shape)}`);
  console.log(`output  high ${JSON.stringify(y.high!.shape)}  low ${JSON.stringify(y.low!.shape)}`);
  tf.dispose([y.high!, y.low!]);

  const octaveMacs = macs(plan);
  const vanillaMacs = macs(vanillaPlan);
  const theory = 1 - 0.75 * ALPHA * (2 - ALPHA);
  console.log(
    `\nmultiply-adds  OctConv ${(octaveMacs / 1e6).toFixed(1)} M  vs  conv ${(vanillaMacs / 1e6).toFixed(1)} M  → ratio ${(octaveMacs / vanillaMacs).toFixed(4)} (paper: 1 − ¾α(2 − α) = ${theory})`,
  );

  // Backward: L = Σ dy ⊙ merge(Y) for every input, filter; the vanilla twin is the same op at α = 0.
  const dy = tf.randomNormal([1, SIZE, SIZE, CHANNELS]);
  const sources = [
    high,
    low,
    ...(['hh', 'hl', 'lh', 'll'] as const).map((p) => weights[p]!.filter),
  ];
  const octaveGrad = tf.grads((...a: tf.Tensor[]) =>
    octaveMerge(
      octaveConv2d(
        { high: a[0] as tf.Tensor4D, low: a[1] as tf.Tensor4D },
        {
          hh: { filter: a[2] as tf.Tensor4D },
          hl: { filter: a[3] as tf.Tensor4D },
          lh: { filter: a[4] as tf.Tensor4D },
          ll: { filter: a[5] as tf.Tensor4D },
        },
      ),
    ),
  );
  const vanillaGrad = tf.grads(
    (a: tf.Tensor, f: tf.Tensor) =>
      octaveConv2d({ high: a as tf.Tensor4D, low: null }, { hh: { filter: f as tf.Tensor4D } })
        .high!,
  );

  console.log(
    `\ntiming ${RUNS} interleaved runs each (outputs read back inside the timed region)…`,
  );
  const t = await timeInterleaved({
    'tf.conv2d forward': () => [tf.conv2d(x, vanilla, 1, 'same')],
    'OctConv forward': () => {
      const out = octaveConv2d({ high, low }, weights);
      return [out.high!, out.low!];
    },
    'conv forward+backward (α = 0)': () => vanillaGrad([x, vanilla], dy),
    'OctConv forward+backward': () => octaveGrad(sources, dy),
  });
  const rows = Object.entries(t).map(
    ([name, s]) =>
      `  ${name.padEnd(32)} ${s.median.toFixed(2).padStart(8)} ms   (p10 ${s.p10.toFixed(2)}, p90 ${s.p90.toFixed(2)})`,
  );
  console.log(rows.join('\n'));
  const fwd = t['OctConv forward']!.median;
  console.log(
    `\nforward speed-up vs tf.conv2d ${(t['tf.conv2d forward']!.median / fwd).toFixed(2)}× (theory ${(1 / theory).toFixed(2)}×)`,
  );
  console.log(
    `OctConv backward alone ≈ ${(t['OctConv forward+backward']!.median - fwd).toFixed(2)} ms = ${((t['OctConv forward+backward']!.median - fwd) / fwd).toFixed(2)}× its forward`,
  );

  tf.dispose([x, high, low, vanilla, dy, ...sources]);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
