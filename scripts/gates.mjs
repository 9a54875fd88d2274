#!/usr/bin/env node
// Package gates for every public package: publint --strict, @arethetypeswrong/cli on the packed
// tarball, the bundle-size budget of checkpoint, core, models and layers (minified + gzip, tfjs excluded), and the
// front matter of every pending changeset.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { PUBLIC_PACKAGES } from './public-packages.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
let failed = false;

function run(label, command, args, cwd) {
  try {
    const output = execFileSync(command, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    console.log(`✓ ${label}`);
    return output;
  } catch (error) {
    failed = true;
    console.log(`✗ ${label}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    return '';
  }
}

for (const name of PUBLIC_PACKAGES) {
  const cwd = join(root, 'packages', name);
  run(`publint --strict @octconv/${name}`, bin('publint'), ['--strict', '--pack', 'npm'], cwd);
  // Profile node16: our engines are Node ≥ 20 and every bundler reads `exports`; the legacy
  // node10 resolution cannot see subpath exports (`@octconv/core/shape`, `@octconv/models/node`).
  run(
    `attw @octconv/${name}`,
    bin('attw'),
    ['--pack', '.', '--profile', 'node16', '--format', 'table-flipped'],
    cwd,
  );
}

// Size budget: what an app adds by importing the package (tfjs excluded; models also without
// core). Measured 10.3 KB and 11.3 KB gzip when set (2026-11-25); the budget left ~35% room.
// Issue #6 added core's compiled OctConv, its WebAssembly SIMD module (2.9 KB, shipped as
// base64, which gzip barely shrinks), its WGSL programs and the fused training kernels: +6.6 KB
// gzip, 17.6 KB measured; core's budget went to 20,000 B to keep ~12% room.
// Issue #14 added the PyTorch .pth readers to models (zip reader, restricted unpickler, format
// sniffing, the mismatch summary, the module registry): 13.8 KB → 26.3 KB gzip measured; models'
// budget went to 30,000 B to keep ~12% room. Most of the growth is the error messages.
// Issue #15 then added the Oct-MobileNets (two networks, their blocks and compiled forms: +1.9 KB):
// 29.5 KB gzip measured after both; the budget is 33,000 B (~12% room).
// Issue #17 added @octconv/layers (tfjs-layers and the sibling packages excluded): 5.7 KB gzip
// measured; its budget of 7,000 B leaves ~20% room. It also added fit / evaluate / predict to
// models (+2.7 KB gzip); with issues 14 and 15 models measures 31.9 KB gzip: budget 36,000 B (~12%).
// OctaveBlock2D (a Sequential-ready octave stack), PerBand and per-band activations took
// @octconv/layers to 8.5 KB gzip measured; its budget went to 9,500 B to keep ~12% room.
// The readers then moved to @octconv/checkpoint (no dependencies; core's typed errors bundled):
// 15.6 KB gzip measured, budget 18,000 B (~15% room); models without core and checkpoint measured
// 20.8 KB gzip, budget 26,000 B (room for the module API growing beside it).
// The Winograd convolutions (two SIMD modules as base64, which gzip poorly, and the rule's measured
// table) took core to 24.2 KB gzip: budget 27,000 B (~12%).
const BUDGET = {
  checkpoint: {
    entry: 'packages/checkpoint/dist/index.js',
    external: [],
    gzipBudget: 18_000,
  },
  core: { entry: 'packages/core/dist/index.js', external: ['@tensorflow/*'], gzipBudget: 27_000 },
  models: {
    entry: 'packages/models/dist/index.js',
    external: ['@tensorflow/*', '@octconv/core', '@octconv/checkpoint'],
    gzipBudget: 26_000,
  },
  layers: {
    entry: 'packages/layers/dist/index.js',
    external: ['@tensorflow/*', '@octconv/core', '@octconv/models'],
    gzipBudget: 9_500,
  },
};
for (const [name, { entry, external, gzipBudget }] of Object.entries(BUDGET)) {
  const result = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    external,
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  const gzip = gzipSync(code, { level: 9 }).length;
  const ok = gzip <= gzipBudget;
  if (!ok) failed = true;
  console.log(
    `${ok ? '✓' : '✗'} size @octconv/${name}: ${code.length.toLocaleString('en')} B minified, ${gzip.toLocaleString('en')} B gzip (budget ${gzipBudget.toLocaleString('en')} B gzip)`,
  );
}

// Changesets must keep their front matter (a formatter once turned it into headings and
// `changeset version` failed): '---', one "'@octconv/x': bump" line per package, '---'.
const changesetDir = join(root, '.changeset');
for (const file of readdirSync(changesetDir).filter(
  (f) => f.endsWith('.md') && f !== 'README.md',
)) {
  const text = readFileSync(join(changesetDir, file), 'utf8');
  const match = /^---\n((?:['"]@octconv\/[a-z-]+['"]: (?:major|minor|patch)\n)+)---\n/.exec(text);
  const packages = match ? [...match[1].matchAll(/@octconv\/([a-z-]+)/g)].map((m) => m[1]) : [];
  const ok = match !== null && packages.every((name) => PUBLIC_PACKAGES.includes(name));
  if (!ok) failed = true;
  console.log(
    `${ok ? '✓' : '✗'} changeset ${file}${ok ? '' : ': needs front matter naming public packages and a bump'}`,
  );
}

process.exit(failed ? 1 : 0);
