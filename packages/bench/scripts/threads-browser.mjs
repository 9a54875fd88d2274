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
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

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
const bundled = await build({
  entryPoints: [join(here, '..', 'test', 'browser', 'threads-page.ts')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  write: false,
  logLevel: 'silent',
});
const require = createRequire(import.meta.url);
const wasmDir = join(
  dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')),
  'dist',
);
const ortDir = dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
// ONNX Runtime Web's page: the α's sessions from /onnx/, interleaved like ours (threads-page.ts).
const ortPage = `<!doctype html><body><script type="module">
import * as ort from '/ort/ort.wasm.min.mjs';
window.ortTime = async (threads, alphas, runs) => {
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.wasmPaths = '/ort/';
  const sessions = [];
  for (const alpha of alphas) {
    const bytes = await (await fetch('/onnx/oct-resnet50-a' + alpha + '.onnx')).arrayBuffer();
    sessions.push(await ort.InferenceSession.create(new Uint8Array(bytes), {
      executionProviders: ['wasm'], graphOptimizationLevel: 'all' }));
  }
  const input = new ort.Tensor('float32', new Float32Array(3 * 224 * 224).map(Math.random), [1, 3, 224, 224]);
  const once = async (i) => {
    const start = performance.now();
    const out = await sessions[i].run({ x: input });
    for (const t of Object.values(out)) t.dispose?.();
    return performance.now() - start;
  };
  for (let w = 0; w < 2; w++) for (let i = 0; i < sessions.length; i++) await once(i);
  const times = sessions.map(() => []);
  for (let r = 0; r < runs; r++)
    for (let k = 0; k < sessions.length; k++) {
      const i = (k + r) % sessions.length;
      times[i].push(await once(i));
    }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  return { version: ort.env.versions?.web, isolated: crossOriginIsolated, medians: times.map(median) };
};
document.body.dataset.ready = 'yes';
</script></body>`;
const headers = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
const server = createServer((request, response) => {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (path === '/') {
    response.writeHead(200, { ...headers, 'Content-Type': 'text/html' });
    response.end('<!doctype html><body><script type="module" src="/page.js"></script></body>');
  } else if (path === '/ort.html') {
    response.writeHead(200, { ...headers, 'Content-Type': 'text/html' });
    response.end(ortPage);
  } else if (/^\/ort\/[\w.-]+\.(mjs|wasm)$/.test(path)) {
    const type = path.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
    response.writeHead(200, { ...headers, 'Content-Type': type });
    response.end(readFileSync(join(ortDir, path.slice(5))));
  } else if (values.onnx && /^\/onnx\/[\w.-]+\.onnx$/.test(path)) {
    response.writeHead(200, { ...headers, 'Content-Type': 'application/octet-stream' });
    response.end(readFileSync(join(values.onnx, path.slice(6))));
  } else if (path === '/page.js') {
    response.writeHead(200, { ...headers, 'Content-Type': 'text/javascript' });
    response.end(bundled.outputFiles[0].contents);
  } else if (/^\/wasm\/[\w-]+\.wasm$/.test(path)) {
    response.writeHead(200, { ...headers, 'Content-Type': 'application/wasm' });
    response.end(readFileSync(join(wasmDir, path.slice(6))));
  } else {
    response.writeHead(404, headers);
    response.end();
  }
});
await new Promise((done) => server.listen(0, '127.0.0.1', done));
const launch = () =>
  chromium.launch({
    executablePath: process.env.OCTCONV_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--no-first-run'],
  });
/** A page of `browser` at `path` that reports 4 logical cores, once it says it is ready. */
async function openPage(browser, path) {
  const page = await browser.newPage();
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => 4 });
  });
  await page.goto(`http://127.0.0.1:${server.address().port}${path}`);
  await page.waitForFunction(() => document.body.dataset.ready === 'yes');
  return page;
}
/** ONNX Runtime Web's medians at `threads`, in a Chromium of its own. */
async function timeOrt(threads) {
  const ortBrowser = await launch();
  try {
    const page = await openPage(ortBrowser, '/ort.html');
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
const browser = await launch();
try {
  const page = await openPage(browser, '/');
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
  server.close();
}
