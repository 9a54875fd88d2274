// Compiled Oct-ResNet-50 in Chromium (Debian's, through playwright-core) on wasm with 1 and with 2
// threads, inside one cross-origin-isolated page: per round and thread count, α 0 and the other
// α's interleaved (medians). The page reports 4 logical cores (so that tfjs's own halving would
// allow 2 as well). Two rounds: each number comes as a range.
// With --onnx DIR (what scripts/export_onnx.py wrote), each round and thread count also times
// ONNX Runtime Web (its wasm backend, numThreads the same) on the same graphs, interleaved the
// same way, in a Chromium of its own (in one process, the pool of the runtime that ran last
// keeps spinning and slows the other), and prints ours against it.
// Usage: node packages/bench/scripts/threads-browser.mjs [--alphas 0,0.5,0.75] [--runs 10]
//   [--rounds 2] [--threads 1,2] [--onnx DIR]   (build the packages first). Wants a quiet machine.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundle, launchChromium, openPage, serve } from '@octconv/test-utils/chromium';

const { values } = parseArgs({
  options: {
    alphas: { type: 'string', default: '0,0.5,0.75' },
    threads: { type: 'string', default: '1,2' },
    runs: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    // Also a per-kernel tf.profile table of this α at each thread count (averaged over 3 calls).
    profile: { type: 'string' },
    onnx: { type: 'string' },
  },
});
const alphas = values.alphas.split(',').map(Number);
const threadCounts = values.threads.split(',').map(Number);
const here = import.meta.dirname;
// Our page (threads-page.ts) and ONNX Runtime Web's (ort-page.ts), which loads ONNX Runtime
// from /ort/ and the α's graphs from /onnx/.
const pages = await bundle(
  {
    page: join(here, '..', 'test', 'browser', 'threads-page.ts'),
    ort: join(here, '..', 'test', 'browser', 'ort-page.ts'),
  },
  { external: ['/ort/*'] },
);
const require = createRequire(import.meta.url);
const server = await serve({
  files: {
    '/page.js': pages.page,
    '/ort.js': pages.ort,
    '/ort.html':
      '<!doctype html><html><body><script type="module" src="/ort.js"></script></body></html>',
  },
  folders: {
    '/wasm/': join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist'),
    '/ort/': dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm')),
    ...(values.onnx && { '/onnx/': values.onnx }),
  },
});
/** A page of `browser` at `path` that reports 4 logical cores, once it says it is ready. */
async function open(browser, path) {
  return (await openPage(browser, `${server.origin}${path}`, { cores: 4 })).page;
}
/** ONNX Runtime Web's medians at `threads`, in a Chromium of its own. */
async function timeOrt(threads) {
  const ortBrowser = await launchChromium();
  try {
    const page = await open(ortBrowser, '/ort.html');
    const result = await page.evaluate(
      ([t, a, r]) => window.ortTime(t, a, r),
      [threads, alphas, Number(values.runs)],
    );
    if (!result.isolated) throw new Error('the ONNX Runtime page is not cross-origin isolated');
    return result;
  } finally {
    await ortBrowser.close();
  }
}
const browser = await launchChromium();
try {
  const page = await open(browser, '/');
  const results = new Map(threadCounts.map((t) => [t, alphas.map(() => [])]));
  const ortResults = new Map(threadCounts.map((t) => [t, alphas.map(() => [])]));
  let ortVersion = '';
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const threads of threadCounts) {
      const { threadCount, medians } = await page.evaluate(
        ([t, a, r]) => window.octconvThreads.timeResNets(t, a, r),
        [threads, alphas, Number(values.runs)],
      );
      if (threadCount !== threads) throw new Error(`asked ${threads} threads, ran ${threadCount}`);
      medians.forEach((m, i) => {
        results.get(threads)[i].push(m);
      });
      console.error(
        `round ${round + 1}, ${threads} thread(s): ${medians.map((m) => m.toFixed(0)).join(', ')} ms`,
      );
      if (values.onnx) {
        const ort = await timeOrt(threads);
        ortVersion = ort.version ?? '';
        ort.medians.forEach((m, i) => {
          ortResults.get(threads)[i].push(m);
        });
        console.error(
          `round ${round + 1}, ${threads} thread(s), ONNX Runtime Web: ${ort.medians.map((m) => m.toFixed(0)).join(', ')} ms`,
        );
      }
    }
  }
  const range = (xs) => {
    const [lo, hi] = [Math.min(...xs), Math.max(...xs)].map((x) => x.toFixed(0));
    return lo === hi ? lo : `${lo}–${hi}`;
  };
  const mid = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  console.log(
    `\nChromium ${browser.version()}, compiled Oct-ResNet-50, 224², batch 1, ${values.runs} runs × ${values.rounds} rounds\n`,
  );
  console.log(
    `| threads | ${alphas.map((a) => `α ${a} ms`).join(' | ')} | ${alphas
      .slice(1)
      .map((a) => `α ${a} speed-up over α 0`)
      .join(' | ')} |`,
  );
  console.log(
    `|---|${alphas.map(() => '---').join('|')}|${alphas
      .slice(1)
      .map(() => '---')
      .join('|')}|`,
  );
  for (const [threads, rows] of results) {
    const ratios = rows.slice(1).map((r) => {
      const pairs = r.map((m, k) => rows[0][k] / m);
      return `${Math.min(...pairs).toFixed(2)}–${Math.max(...pairs).toFixed(2)}×`;
    });
    console.log(`| ${threads} | ${rows.map(range).join(' | ')} | ${ratios.join(' | ')} |`);
  }
  if (values.onnx) {
    console.log(
      `\nAgainst ONNX Runtime Web ${ortVersion} (wasm, numThreads as ours), same graphs, same ranges:\n\n| threads | α | ours ms | ONNX Runtime Web ms | ours faster by |\n|---|---|---|---|---|`,
    );
    for (const threads of threadCounts)
      alphas.forEach((alpha, i) => {
        const ours = results.get(threads)[i];
        const theirs = ortResults.get(threads)[i];
        console.log(
          `| ${threads} | ${alpha} | ${range(ours)} | ${range(theirs)} | ${(mid(theirs) / mid(ours)).toFixed(2)}× |`,
        );
      });
  }
  if (threadCounts.length >= 2) {
    const [a, b] = threadCounts;
    console.log(
      `\n${a}→${b} threads gain: ${alphas.map((alpha, i) => `α ${alpha} ${(mid(results.get(a)[i]) / mid(results.get(b)[i])).toFixed(2)}×`).join(', ')}`,
    );
  }
  if (values.profile !== undefined) {
    const alpha = Number(values.profile);
    const tables = [];
    for (const threads of threadCounts)
      tables.push(
        (
          await page.evaluate(
            ([t, a]) => window.octconvThreads.profileResNet(t, a, 3),
            [threads, alpha],
          )
        ).table,
      );
    const total = (t) =>
      Object.entries(t).reduce((s, [n, k]) => s + (n.includes(' ') ? 0 : k.ms), 0);
    const names = Object.keys(tables[0]).sort((a, b) => tables[0][b].ms - tables[0][a].ms);
    const ordered = [
      ...names.filter((n) => !n.includes(' ')),
      ...names.filter((n) => n.includes(' ')).slice(0, 12),
    ];
    console.log(
      `\nα ${alpha} in Chromium, per kernel (tf.profile, ms per forward):\n\n| kernel | calls | ${threadCounts.map((t) => `${t} thread(s) ms | share`).join(' | ')} | gain |\n|---|---:|${threadCounts.map(() => '---:|---:').join('|')}|---:|`,
    );
    for (const name of ordered) {
      const cells = tables.map((t) =>
        t[name]
          ? `${t[name].ms.toFixed(1)} | ${((100 * t[name].ms) / total(t)).toFixed(0)}%`
          : '— | —',
      );
      const gain =
        tables[0][name] && tables[1]?.[name]
          ? `${(tables[0][name].ms / tables[1][name].ms).toFixed(2)}×`
          : '—';
      console.log(
        `| ${name} | ${Math.round(tables[0][name].calls)} | ${cells.join(' | ')} | ${gain} |`,
      );
    }
    console.log(
      `| **total** | | ${tables.map((t) => `${total(t).toFixed(1)} |`).join(' | ')} | ${tables[1] ? `${(total(tables[0]) / total(tables[1])).toFixed(2)}×` : '—'} |`,
    );
  }
} finally {
  await browser.close();
  await server.close();
}
