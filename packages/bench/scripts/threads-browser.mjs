// Compiled Oct-ResNet-50 in Chromium (Debian's, through playwright-core) on wasm with 1 and with 2
// threads, inside one cross-origin-isolated page: per round and thread count, α 0 and the other
// α's interleaved (medians). The page reports 4 logical cores (so that tfjs's own halving would
// allow 2 as well). Two rounds: each number comes as a range.
// Usage: node packages/bench/scripts/threads-browser.mjs [--alphas 0,0.5,0.75] [--runs 10]
//   [--rounds 2] [--threads 1,2]   (build the packages first). Wants a quiet machine.
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
const browser = await chromium.launch({
  executablePath: process.env.OCTCONV_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => 4 });
  });
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForFunction(() => document.body.dataset.ready === 'yes');
  const results = new Map(threadCounts.map((t) => [t, alphas.map(() => [])]));
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
