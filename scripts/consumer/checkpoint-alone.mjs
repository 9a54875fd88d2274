#!/usr/bin/env node
// Checks a project where `@octconv/checkpoint` was installed alone (npm, pnpm or yarn, from the
// registry or a packed tarball): no `@tensorflow` package came with it, and the installed package
// lists a .pth file's keys, through `import` and through `require`.
//
//   node scripts/consumer/checkpoint-alone.mjs <project-dir> [file.pth]
//
// The file defaults to the committed packages/models/fixtures/pth/mini-oct-net.zip.pth, whose
// keys must include stem.0.weight and fc.bias. Exits 1 with the reason on any failure.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [projectArg, fileArg] = process.argv.slice(2);
if (!projectArg) {
  console.error('usage: node scripts/consumer/checkpoint-alone.mjs <project-dir> [file.pth]');
  process.exit(2);
}
const project = resolve(projectArg);
const file = resolve(fileArg ?? join(root, 'packages/models/fixtures/pth/mini-oct-net.zip.pth'));
const expectedKeys = fileArg ? [] : ['stem.0.weight', 'fc.bias'];
const fail = (message) => {
  console.error(`✗ @octconv/checkpoint alone: ${message}`);
  process.exit(1);
};

const modules = join(project, 'node_modules');
if (!existsSync(join(modules, '@octconv', 'checkpoint', 'package.json'))) {
  fail(`${modules} has no @octconv/checkpoint: install it there first`);
}
// npm and yarn hoist into node_modules/@tensorflow; pnpm keeps packages in node_modules/.pnpm.
const tensorflow = [join(modules, '@tensorflow')];
const pnpmStore = join(modules, '.pnpm');
if (existsSync(pnpmStore)) {
  for (const name of readdirSync(pnpmStore)) {
    if (name.startsWith('@tensorflow+')) tensorflow.push(join(pnpmStore, name));
  }
}
const found = tensorflow.filter((path) => existsSync(path));
if (found.length > 0) fail(`installing it brought tfjs: ${found.join(', ')}`);
const octconv = readdirSync(join(modules, '@octconv'));
if (octconv.some((name) => name !== 'checkpoint')) {
  fail(`installing it brought other @octconv packages: ${octconv.join(', ')}`);
}

const esm = join(project, 'octconv-checkpoint-alone.mjs');
const cjs = join(project, 'octconv-checkpoint-alone.cjs');
const body = (load) => `${load}
const { readFileSync } = require_('node:fs');
const state = readTorchStateDict(new Uint8Array(readFileSync(${JSON.stringify(file)})));
console.log(JSON.stringify([...state].map(([name, entry]) => [name, entry.dtype, entry.shape])));
`;
writeFileSync(
  esm,
  body(
    "import { readTorchStateDict } from '@octconv/checkpoint';\nimport { createRequire } from 'node:module';\nconst require_ = createRequire(import.meta.url);",
  ),
);
writeFileSync(
  cjs,
  body("const { readTorchStateDict } = require('@octconv/checkpoint');\nconst require_ = require;"),
);
try {
  for (const script of [esm, cjs]) {
    let output;
    try {
      output = execFileSync(process.execPath, [script], { cwd: project, encoding: 'utf8' });
    } catch (error) {
      fail(`${script} failed: ${error.stderr ?? error.message}`);
    }
    const keys = JSON.parse(output);
    if (keys.length === 0) fail(`${script} listed no keys of ${file}`);
    const names = keys.map(([name]) => name);
    const missing = expectedKeys.filter((key) => !names.includes(key));
    if (missing.length > 0) fail(`${script} did not list ${missing.join(', ')}`);
    if (script === esm) {
      for (const [name, dtype, shape] of keys)
        console.log(`  ${name} ${dtype} [${shape.join(', ')}]`);
    }
  }
} finally {
  rmSync(esm, { force: true });
  rmSync(cjs, { force: true });
}
console.log(
  `✓ @octconv/checkpoint alone: no @tensorflow in ${modules}; listed the keys of ${file} (import and require)`,
);
