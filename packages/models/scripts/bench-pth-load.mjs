// Load time of a ~100 MB PyTorch .pth (Oct-ResNet-50, α = .5: 25.6 M float32 parameters) into
// octResNet with loadTorchCheckpoint, in Node and in Debian's Chromium (playwright-core), on the
// wasm backend. The file is generated here and never committed: the network's state is written by
// saveTorchCheckpoint (safetensors), then Debian's python3-torch saves it with torch.save in the
// zip format and in the legacy format.
//
//   pnpm --filter @octconv/models build
//   node packages/models/scripts/bench-pth-load.mjs [--runs 3] [--no-browser]
//
// Prints one line per measurement and a JSON summary. Needs /usr/bin/python3 with torch, and for
// the browser part /usr/bin/chromium (or OCTCONV_CHROMIUM) and apps/docs' playwright-core.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] || 3) || 3;
const browser = !args.includes('--no-browser');

const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-backend-wasm');
const models = await import(join(packageDir, 'dist', 'index.js'));
await tf.setBackend('wasm');
await tf.ready();

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const work = mkdtempSync(join(tmpdir(), 'octconv-pth-bench-'));
const summary = { runs, node: {}, chromium: {} };
try {
  // 1. The file: our network's state, saved by PyTorch itself.
  const source = models.octResNet({ depth: 50, alpha: 0.5, random: 1 });
  const safetensors = join(work, 'oct-resnet50.safetensors');
  writeFileSync(safetensors, await models.saveTorchCheckpoint(source));
  const python = [
    'import sys, torch',
    `sys.path.insert(0, ${JSON.stringify(join(packageDir, 'fixtures'))})`,
    'from safetensors_io import load_file',
    'state = load_file(sys.argv[1])',
    'torch.save(state, sys.argv[2])',
    'torch.save(state, sys.argv[3], _use_new_zipfile_serialization=False)',
  ].join('\n');
  const files = {
    zip: join(work, 'oct-resnet50.zip.pth'),
    legacy: join(work, 'oct-resnet50.legacy.pth'),
  };
  const made = spawnSync('/usr/bin/python3', ['-c', python, safetensors, files.zip, files.legacy], {
    encoding: 'utf8',
  });
  if (made.status !== 0) throw new Error(`python3-torch could not write the files: ${made.stderr}`);
  const files2 = { ...files, safetensors };

  // 2. Node: read the file, then time loadTorchCheckpoint (parse, convert, create, assign).
  const target = models.octResNet({ depth: 50, alpha: 0.5, random: 2 });
  for (const [format, path] of Object.entries(files2)) {
    const bytes = new Uint8Array(readFileSync(path));
    const times = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      models.loadTorchCheckpoint(target, bytes);
      times.push(performance.now() - start);
    }
    const parse = [];
    if (format !== 'safetensors') {
      for (let i = 0; i < runs; i++) {
        const start = performance.now();
        models.readTorchStateDict(bytes);
        parse.push(performance.now() - start);
      }
    }
    const megabytes = statSync(path).size / 1e6;
    summary.node[format] = {
      megabytes,
      loadMs: median(times),
      ...(parse.length > 0 && { readTorchStateDictMs: median(parse) }),
    };
    console.log(
      `node ${format}: ${megabytes.toFixed(1)} MB, loadTorchCheckpoint ${median(times).toFixed(0)} ms (median of ${runs}: ${times.map((t) => t.toFixed(0)).join(', ')})${parse.length ? `, readTorchStateDict alone ${median(parse).toFixed(0)} ms` : ''}`,
    );
  }
  // The load must be right, not just fast: same logits as the source network.
  const x = tf.randomUniform([1, 64, 64, 3], -1, 1, 'float32', 3);
  const [a, b] = [source.eval().apply(x), target.eval().apply(x)];
  const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
  console.log(`node: max |logit difference| after the last load ${diff}`);
  if (diff !== 0) throw new Error('the loaded network differs from the saved one');
  tf.dispose([x, a, b]);
  source.dispose();
  target.dispose();

  // 3. Chromium: the same load in a page (bundled with esbuild, wasm backend, file fetched from a
  //    local server first: the time excludes the transfer, as a file picked from disk would).
  if (browser) summary.chromium = await inChromium(files);
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(JSON.stringify(summary));

async function inChromium(files) {
  const require = createRequire(join(packageDir, '..', '..', 'apps', 'docs', 'package.json'));
  const { chromium } = require('playwright-core');
  const esbuild = createRequire(join(packageDir, '..', '..', 'package.json'))('esbuild');
  const entry = join(work, 'entry.mjs');
  writeFileSync(
    entry,
    `import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadTorchCheckpoint, octResNet } from ${JSON.stringify(join(packageDir, 'dist', 'index.js'))};
window.bench = async (names, runs) => {
  setWasmPaths('/wasm/');
  await tf.setBackend('wasm');
  await tf.ready();
  const net = octResNet({ depth: 50, alpha: 0.5, random: 2 });
  const out = {};
  for (const name of names) {
    const started = performance.now();
    const bytes = new Uint8Array(await (await fetch('/' + name)).arrayBuffer());
    const fetchMs = performance.now() - started;
    const times = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      loadTorchCheckpoint(net, bytes);
      times.push(performance.now() - start);
    }
    out[name] = { fetchMs, times };
  }
  net.dispose();
  return { out, backend: tf.getBackend(), userAgent: navigator.userAgent };
};
`,
  );
  await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    outfile: join(work, 'bundle.js'),
    nodePaths: [join(packageDir, 'node_modules')],
    logLevel: 'error',
    define: { 'process.env.NODE_ENV': '"production"' },
    external: ['fs', 'path', 'crypto', 'worker_threads', 'perf_hooks', 'os'],
  });
  const wasmDir = join(packageDir, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  const routes = {
    '/': ['text/html', () => '<!doctype html><script type="module" src="/bundle.js"></script>'],
    '/bundle.js': ['text/javascript', () => readFileSync(join(work, 'bundle.js'))],
  };
  const server = createServer((request, response) => {
    const path = new URL(request.url, 'http://x').pathname;
    try {
      if (routes[path]) {
        response.writeHead(200, { 'content-type': routes[path][0] });
        response.end(routes[path][1]());
      } else if (path.startsWith('/wasm/')) {
        response.writeHead(200, { 'content-type': 'application/wasm' });
        response.end(readFileSync(join(wasmDir, path.slice('/wasm/'.length))));
      } else {
        const file = Object.values(files).find((f) => f.endsWith(path.slice(1)));
        if (!file) throw new Error('not found');
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        response.end(readFileSync(file));
      }
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const instance = await chromium.launch({
    executablePath: process.env.OCTCONV_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--no-first-run', '--disable-quic'],
  });
  try {
    const page = await instance.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => typeof window.bench === 'function', null, { timeout: 60_000 });
    const names = Object.values(files).map((f) => f.split('/').pop());
    const result = await page.evaluate(([n, r]) => window.bench(n, r), [names, runs]);
    if (errors.length > 0) throw new Error(errors.join('\n'));
    const summary = { backend: result.backend, userAgent: result.userAgent };
    for (const [name, { fetchMs, times }] of Object.entries(result.out)) {
      summary[name] = { loadMs: median(times), fetchMs };
      console.log(
        `chromium ${name}: loadTorchCheckpoint ${median(times).toFixed(0)} ms (median of ${runs}: ${times.map((t) => t.toFixed(0)).join(', ')}), fetch ${fetchMs.toFixed(0)} ms, ${result.backend}`,
      );
    }
    return summary;
  } finally {
    await instance.close();
    server.close();
  }
}
