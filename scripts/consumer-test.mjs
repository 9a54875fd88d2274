#!/usr/bin/env node
// The consumer's view: pack every public package, install the tarballs with npm into a fresh
// project outside the workspace, and check that Node ESM and CommonJS run an OctConv forward on
// wasm, that a strict TypeScript consumer typechecks against the public types with `nodenext`
// and `bundler` resolution, and that the installed bench CLI runs a tiny case.

import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runQuickStart } from './consumer/quick-start.mjs';
import { PUBLIC_PACKAGES } from './public-packages.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const here = join(root, 'scripts', 'consumer');
const work = mkdtempSync(join(tmpdir(), 'octconv-consumer-'));
const keep = process.env.OCTCONV_KEEP_CONSUMER === '1';
let failures = 0;

function sh(label, command, args, cwd, env = process.env) {
  const start = Date.now();
  try {
    const output = execFileSync(command, args, {
      cwd,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 << 20,
    });
    console.log(`✓ ${label} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
    return output;
  } catch (error) {
    failures += 1;
    console.log(`✗ ${label}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    return null;
  }
}

function expectJson(label, output, check) {
  if (output === null) return;
  const line = output
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  const value = line ? JSON.parse(line) : null;
  const problem = value ? check(value) : 'no JSON line in the output';
  if (problem) {
    failures += 1;
    console.log(`✗ ${label}: ${problem}\n${output}`);
  } else {
    console.log(`✓ ${label}: ${line}`);
  }
}

try {
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  for (const name of PUBLIC_PACKAGES) {
    sh(
      `pack @octconv/${name}`,
      'npx',
      ['-y', 'pnpm@12.4.2', 'pack', '--pack-destination', tarballs],
      join(root, 'packages', name),
    );
  }
  const files = readdirSync(tarballs).map((file) => join(tarballs, file));

  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'octconv-consumer', private: true, type: 'module' }, null, 2),
  );
  const installed = sh(
    'npm install the tarballs into a fresh project',
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...files,
      '@tensorflow/tfjs-core@4.22.0',
      '@tensorflow/tfjs-backend-wasm@4.22.0',
      '@tensorflow/tfjs@4.22.0',
      'typescript@5.9.3',
      '@types/node@20',
      'vite@8.3.8',
      'playwright-core@1.65.1',
    ],
    app,
  );
  if (installed === null) throw new Error('install failed');
  for (const file of [
    'esm.mjs',
    'cjs.cjs',
    'layers.mjs',
    'layers.cjs',
    'typed.ts',
    'typed-layers.ts',
    'long-shim.d.ts',
    'browser.mjs',
  ])
    copyFileSync(join(here, file), join(app, file));

  expectJson(
    'Node ESM import runs OctConv on wasm',
    sh('node esm.mjs', 'node', ['esm.mjs'], app),
    (v) =>
      v.backend === 'wasm' &&
      String(v.high) === '1,8,8,2' &&
      String(v.logits) === '1,10' &&
      v.params === 224842
        ? null
        : 'unexpected result',
  );
  expectJson(
    'Node CommonJS require runs OctConv on wasm',
    sh('node cjs.cjs', 'node', ['cjs.cjs'], app),
    (v) =>
      v.backend === 'wasm' && String(v.high) === '1,8,8,2' && String(v.block) === '1,8,8,2'
        ? null
        : 'unexpected result',
  );

  expectJson(
    'Node ESM: @octconv/layers with @tensorflow/tfjs fits, saves and reloads on wasm',
    sh('node layers.mjs', 'node', ['layers.mjs'], app),
    (v) =>
      v.backend === 'wasm' && v.loss && v.same && String(v.layers) === 'OctaveConv2D,OctaveMerge'
        ? null
        : 'unexpected result',
  );
  expectJson(
    'Node CommonJS: @octconv/layers runs OctaveConv2D and OctaveSplit on wasm',
    sh('node layers.cjs', 'node', ['layers.cjs'], app),
    (v) =>
      v.backend === 'wasm' &&
      String(v.high) === '1,8,8,4' &&
      String(v.low) === '1,4,4,4' &&
      String(v.split) === '1,8,8,3,1,4,4,1'
        ? null
        : 'unexpected result',
  );

  const compilerOptions = {
    strict: true,
    noEmit: true,
    target: 'ES2022',
    skipLibCheck: false,
    types: ['node'],
    lib: ['ES2022', 'DOM'],
  };
  for (const [resolution, module] of [
    ['nodenext', 'nodenext'],
    ['bundler', 'esnext'],
  ]) {
    const config = `tsconfig.${resolution}.json`;
    writeFileSync(
      join(app, config),
      JSON.stringify({
        compilerOptions: { ...compilerOptions, module, moduleResolution: resolution },
        files: ['typed.ts', 'long-shim.d.ts'],
      }),
    );
    sh(
      `TypeScript strict, moduleResolution ${resolution}`,
      join(app, 'node_modules', '.bin', 'tsc'),
      ['-p', config],
      app,
    );
    // @tensorflow/tfjs-layers 4.22's declarations fail skipLibCheck: false on their own, so
    // @octconv/layers's consumer is checked strictly with library checks skipped.
    const layersConfig = `tsconfig.layers.${resolution}.json`;
    writeFileSync(
      join(app, layersConfig),
      JSON.stringify({
        compilerOptions: {
          ...compilerOptions,
          skipLibCheck: true,
          module,
          moduleResolution: resolution,
        },
        files: ['typed-layers.ts', 'long-shim.d.ts'],
      }),
    );
    sh(
      `TypeScript strict, @octconv/layers, moduleResolution ${resolution} (skipLibCheck)`,
      join(app, 'node_modules', '.bin', 'tsc'),
      ['-p', layersConfig],
      app,
    );
  }

  const site = join(app, 'site');
  mkdirSync(site);
  for (const file of ['index.html', 'main.ts', 'vite.config.mjs'])
    copyFileSync(join(here, 'vite-app', file), join(site, file));
  const chromiumPath = process.env.OCTCONV_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(chromiumPath)) {
    if (process.env.OCTCONV_REQUIRE_BROWSER === '1')
      throw new Error(`no Chromium at ${chromiumPath} (apt-get install -y chromium)`);
    console.log(
      `! skipping the browser check: no Chromium at ${chromiumPath} (apt-get install -y chromium; .ci/run requires it)`,
    );
  }
  const built = !existsSync(chromiumPath)
    ? null
    : sh(
        'Vite builds a browser app importing @octconv/models and @octconv/layers',
        join(app, 'node_modules', '.bin', 'vite'),
        ['build', '--config', 'vite.config.mjs'],
        site,
      );
  if (built !== null) {
    expectJson(
      'the Vite app runs MiniOctNet and its layers form on wasm in Chromium',
      sh('Chromium (playwright-core)', 'node', ['browser.mjs', join(site, 'dist')], app),
      (v) =>
        v.backend === 'wasm' &&
        String(v.shape) === '2,10' &&
        v.finite &&
        v.params === 224842 &&
        v.layersParams === 224842 &&
        v.layersSame === true &&
        v.consoleErrors.length === 0
          ? null
          : `unexpected result${v.error ? `: ${v.error}` : ''}`,
    );
  }

  const bench = sh(
    'npx octconv-bench from the installed package',
    'npx',
    [
      'octconv-bench',
      '--backends',
      'wasm',
      '--cases',
      'layer-c256-s14-a0.5',
      '--warmup',
      '0',
      '--runs',
      '1',
      '--json',
      'bench.json',
      '--html',
      'bench.html',
    ],
    app,
  );
  // Dawn (`webgpu`, 132 MB) is an optional peer of the bench: npm leaves it out, the wasm bench
  // above ran without it, and asking for WebGPU says what to install.
  if (existsSync(join(app, 'node_modules', 'webgpu'))) {
    failures += 1;
    console.log('✗ npm installed the optional peer `webgpu` with @octconv/bench');
  } else console.log('✓ @octconv/bench installed without Dawn (`webgpu`)');
  // Only an unavailable backend asked for: exit 1, with the command that installs it.
  const noDawn = spawnSync(
    'npx',
    ['octconv-bench', '--backends', 'webgpu', '--cases', 'layer-c256-s14-a0.5', '--runs', '1'],
    { cwd: app, encoding: 'utf8' },
  );
  if (noDawn.status !== 1 || !noDawn.stderr.includes('npm install webgpu@0.6.2')) {
    failures += 1;
    console.log(
      `✗ the bench did not say how to get WebGPU in Node (exit ${noDawn.status}):\n${noDawn.stdout}${noDawn.stderr}`,
    );
  } else console.log('✓ octconv-bench --backends webgpu without Dawn says what to install');
  if (bench !== null) {
    const result = JSON.parse(readFileSync(join(app, 'bench.json'), 'utf8'));
    const ok =
      result.schema === 'octconv-bench/1' &&
      result.results.length === 1 &&
      readFileSync(join(app, 'bench.html'), 'utf8').includes('<canvas');
    if (!ok) failures += 1;
    console.log(`${ok ? '✓' : '✗'} the bench wrote a valid result and report`);
  }

  // The guide's quick start, step by step, in a fresh `npm init -y` project.
  const byName = new Map(
    files.map((file) => [
      `@octconv/${/^octconv-(.+)-\d+\.\d+\.\d+[^/]*\.tgz$/.exec(basename(file))[1]}`,
      file,
    ]),
  );
  const quickStart = runQuickStart({
    page: join(root, 'apps', 'docs', 'guide', 'quick-start.md'),
    work: join(work, 'quick-start'),
    tarballs: byName,
    log: console.log,
  });
  failures += quickStart.length;
  if (quickStart.length > 0) console.log(`✗ the quick start:\n${quickStart.join('\n')}`);

  // `@octconv/analysis` is pure TypeScript: installed alone, it brings no tfjs at all.
  const lone = join(work, 'analysis-alone');
  mkdirSync(lone);
  writeFileSync(join(lone, 'package.json'), JSON.stringify({ name: 'lone', private: true }));
  const analysisTarball = files.find((file) => /octconv-analysis-[^/]*\.tgz$/.test(file));
  if (
    sh(
      'npm install @octconv/analysis alone',
      'npm',
      ['install', '--no-audit', '--no-fund', '--loglevel=error', analysisTarball],
      lone,
    ) !== null
  ) {
    const extra = readdirSync(join(lone, 'node_modules')).filter(
      (entry) => !entry.startsWith('.') && entry !== '@octconv',
    );
    const octconv = readdirSync(join(lone, 'node_modules', '@octconv'));
    if (extra.length > 0 || String(octconv) !== 'analysis') {
      failures += 1;
      console.log(
        `✗ @octconv/analysis pulled in dependencies: ${[...extra, ...octconv.map((n) => `@octconv/${n}`)].join(', ')}`,
      );
    } else console.log('✓ @octconv/analysis installs alone: no @tensorflow, no other package');
    const analyzed = sh(
      'npx octconv-analyze --model oct-resnet50 --alpha 0.5 --json analysis.json',
      'npx',
      ['octconv-analyze', '--model', 'oct-resnet50', '--alpha', '0.5', '--json', 'analysis.json'],
      lone,
    );
    if (analyzed !== null) {
      const row = JSON.parse(readFileSync(join(lone, 'analysis.json'), 'utf8')).rows[0];
      const { params, convMacs } = row.analysis.totals;
      const ok = params === 25_557_032 && Math.abs(convMacs / 1e9 - 2.367) < 0.0005;
      if (!ok) failures += 1;
      console.log(
        `${ok ? '✓' : '✗'} the lone analysis gives Oct-ResNet-50 α .5: ${params} params, ${convMacs} conv MACs`,
      );
    }
  }
} catch (error) {
  failures += 1;
  console.log(`✗ ${error.message}`);
} finally {
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
console.log(failures === 0 ? 'consumer test passed' : `consumer test: ${failures} failure(s)`);
process.exit(failures === 0 ? 0 : 1);
