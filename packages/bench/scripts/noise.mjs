// How many timed runs does a stable speed-up need on this machine? Runs each case 6 times for
// each run count, in one process, and prints how far the speed-up moved between the 6 (range
// over median). Usage: node packages/bench/scripts/noise.mjs [case-id ...] (build first).
import { runBenchmark, selectCases } from '../dist/index.js';

const ids = process.argv.slice(2);
const cases = ids.length > 0 ? ids : ['layer-c64-s56-a0.5', 'block-c128', 'layer-c256-s14-a0.75'];
const repeats = 6;
console.log(`| case | ${[3, 5, 10, 20, 30].map((runs) => `${runs} runs`).join(' | ')} |`);
console.log(`|---|${'---:|'.repeat(5)}`);
for (const id of cases) {
  const cells = [];
  for (const runs of [3, 5, 10, 20, 30]) {
    const ratios = [];
    for (let repeat = 0; repeat < repeats; repeat++) {
      const result = await runBenchmark({
        cases: selectCases('default', [id]).slice(0, 1),
        backends: ['wasm'],
        warmup: 2,
        runs,
        seed: repeat + 1,
      });
      ratios.push(result.results[0].speedup);
    }
    ratios.sort((a, b) => a - b);
    const median = (ratios[repeats / 2 - 1] + ratios[repeats / 2]) / 2;
    cells.push(
      `${ratios[0].toFixed(2)}–${ratios.at(-1).toFixed(2)}× (±${(((ratios.at(-1) - ratios[0]) / median) * 50).toFixed(0)}%)`,
    );
  }
  console.log(`| ${id} | ${cells.join(' | ')} |`);
}
