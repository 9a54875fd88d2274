#!/usr/bin/env node
// The user's view of a release, through a real npm registry. In a temporary copy of the
// repository (its working tree and built `dist`), the pending changesets are versioned as
// `pnpm version-packages` would, and the project's release command, `changeset publish`, publishes
// every public package to a throwaway Verdaccio on 127.0.0.1. Fresh `npm init -y` projects whose
// `.npmrc` sends only the `@octconv` scope there (tfjs comes from the usual registry) install the
// packages by name and version range and run them: Node ESM and CommonJS on wasm, strict
// TypeScript with `nodenext` and `bundler` resolution, a Vite app in Chromium, the bench and
// analysis CLIs, each package that must install alone, and the guide's quick start as written.
// Then a patch release goes the same way (one throwaway changeset, `changeset version`,
// `changeset publish`) and `npm update` must bring it, CHANGELOG entry included. The repository
// itself is never versioned, tagged or published to by this test.
//
// Needs the packages built (`pnpm build`) and the npm registry reachable for tfjs.
// `--release` (what `pnpm release` runs) refuses pending changesets: the release publishes the
// repository's versions as they are, so they must already be versioned.
// OCTCONV_KEEP_CONSUMER=1 keeps the work folder; OCTCONV_REQUIRE_BROWSER=1 fails without Chromium.

import { fork } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runQuickStart } from './consumer/quick-start.mjs';
import { installWarnings, run, stopAll } from './consumer/run.mjs';
import { publicPackages, ROOT } from './public-packages.mjs';

// Packages that a user installs on their own, each in an empty project: the script (in
// scripts/consumer/) runs there with `node` and exits 0 when the package works alone.
const ALONE = [{ name: '@octconv/analysis', script: 'analysis-alone.mjs' }];

const root = ROOT;
const here = join(root, 'scripts', 'consumer');
const work = mkdtempSync(join(tmpdir(), 'octconv-consumer-'));
const keep = process.env.OCTCONV_KEEP_CONSUMER === '1';
const packages = publicPackages(root);
const names = packages.map((p) => p.name);
let failures = 0;
let registryProcess = null;

// Children get the caller's environment without what npm or pnpm put there for the script that
// started this test (a `pnpm test` run sets npm_config_* values); what reaches the network
// (registry, proxy, certificates, cache) is kept.
const KEEP = /^npm_config_(registry|cafile|ca|cache|proxy|https_proxy|noproxy|strict_ssl)$/;
const baseEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([key]) => !/^(npm|pnpm)_/i.test(key) || KEEP.test(key.toLowerCase()),
  ),
);

const pass = (label) => console.log(`✓ ${label}`);
const fail = (label, detail = '') => {
  failures += 1;
  console.log(`✗ ${label}${detail ? `\n${detail.trimEnd()}` : ''}`);
};
const check = (ok, label, detail) => (ok ? pass(label) : fail(label, detail));

/** Runs a step; returns its stdout + stderr, or null (counted as a failure) when it fails. */
async function sh(label, command, args, { cwd, env = baseEnv, timeoutS = 300 } = {}) {
  const result = await run(command, args, { cwd, env, timeoutS });
  if (result.ok) {
    pass(`${label} (${result.seconds.toFixed(1)} s)`);
    return `${result.stdout}${result.stderr}`;
  }
  fail(
    `${label}${result.timedOut ? ` (killed after ${timeoutS} s)` : ''}`,
    `${result.stdout}${result.stderr}`,
  );
  return null;
}

function expectJson(label, output, test) {
  if (output === null) return;
  const line = output
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  const value = line ? JSON.parse(line) : null;
  const problem = value ? test(value) : 'no JSON line in the output';
  if (problem) fail(`${label}: ${problem}`, output);
  else pass(`${label}: ${line}`);
}

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const sameSet = (a, b) => a.length === b.length && a.every((x) => b.includes(x));

/** x.y.z after a changeset bump of `type`. */
function bumped(version, type) {
  const [major, minor, patch] = version.split('.').map(Number);
  if (type === 'major') return `${major + 1}.0.0`;
  if (type === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}
const newer = (a, b) => {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
};

/** The pending changesets of a checkout and the largest bump they ask for. */
function pendingChangesets(repo) {
  const files = readdirSync(join(repo, '.changeset')).filter(
    (file) => file.endsWith('.md') && file !== 'README.md',
  );
  const types = files.flatMap((file) =>
    [
      ...readFileSync(join(repo, '.changeset', file), 'utf8').matchAll(/: (major|minor|patch)\n/g),
    ].map((m) => m[1]),
  );
  const bump = ['major', 'minor', 'patch'].find((type) => types.includes(type)) ?? null;
  return { files, bump };
}

/** Every file a manifest points at (exports, main, module, types, bin), relative to the package. */
function manifestTargets(manifest) {
  const targets = new Set();
  const walk = (value) => {
    if (typeof value === 'string') targets.add(value.replace(/^\.\//, ''));
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(manifest.exports);
  walk(manifest.bin);
  for (const field of ['main', 'module', 'types']) walk(manifest[field]);
  return [...targets];
}

async function startRegistry(folder) {
  mkdirSync(folder);
  const logPath = join(folder, 'verdaccio.log');
  const log = openSync(logPath, 'a');
  registryProcess = fork(join(here, 'registry.mjs'), [folder], {
    stdio: ['ignore', log, log, 'ipc'],
    env: baseEnv,
  });
  const child = registryProcess;
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('Verdaccio did not listen within 120 s')),
      120_000,
    );
    child.once('message', (message) => {
      clearTimeout(timer);
      resolve(message.port);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Verdaccio exited (${code}):\n${readFileSync(logPath, 'utf8')}`));
    });
  });
  return `http://127.0.0.1:${port}/`;
}

function stopRegistry() {
  if (registryProcess && registryProcess.exitCode === null && registryProcess.signalCode === null)
    registryProcess.kill('SIGKILL');
}

function cleanUp() {
  stopAll();
  stopRegistry();
  if (!keep) rmSync(work, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
  process.once(signal, () => {
    console.log(`✗ stopped by ${signal}`);
    cleanUp();
    process.exit(1);
  });
process.once('exit', () => {
  stopAll();
  stopRegistry();
});

/**
 * The repository as a maintainer has it at release time, in `dest`: the working tree (tracked
 * and untracked files git does not ignore), each public package's built `files`, and the
 * workspace links. The root node_modules is a link to this checkout's (read only here); each
 * public package's node_modules is copied with its links, so `workspace:` dependencies resolve to
 * the packages of the copy. A git repository of its own takes the release tags.
 */
async function copyRepository(dest) {
  const listed = await run(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: root, env: baseEnv, timeoutS: 120 },
  );
  if (!listed.ok) throw new Error(`git ls-files failed: ${listed.stderr}`);
  // node_modules comes separately below (a linked one is not ignored by `node_modules/`).
  const files = listed.stdout
    .split('\0')
    .filter((f) => f && !f.split('/').includes('node_modules'));
  for (const file of files) {
    const source = join(root, file);
    if (!existsSync(source)) continue; // deleted in the working tree
    mkdirSync(dirname(join(dest, file)), { recursive: true });
    if (lstatSync(source).isSymbolicLink()) symlinkSync(readlinkSync(source), join(dest, file));
    else copyFileSync(source, join(dest, file));
  }
  for (const { dir, short, manifest } of packages) {
    for (const entry of [...(manifest.files ?? []), 'node_modules']) {
      const source = join(dir, entry);
      const target = join(dest, 'packages', short, entry);
      if (existsSync(source) && !existsSync(target))
        cpSync(source, target, { recursive: true, verbatimSymlinks: true });
    }
  }
  symlinkSync(join(root, 'node_modules'), join(dest, 'node_modules'));
  for (const args of [
    ['init', '-q'],
    ['add', '-A'],
    ['commit', '-qm', 'the working tree'],
  ]) {
    const git = await run(
      'git',
      ['-c', 'user.name=consumer-test', '-c', 'user.email=consumer-test@localhost', ...args],
      { cwd: dest, env: baseEnv, timeoutS: 120 },
    );
    if (!git.ok) throw new Error(`git ${args[0]} in the copy failed: ${git.stderr}`);
  }
}

/** The public packages' versions in a checkout, `@octconv/core@0.1.0` each. */
const versionsOf = (repo) =>
  publicPackages(repo)
    .map((p) => `${p.name}@${p.manifest.version}`)
    .join(', ');

async function changesetVersion(repo, expected, publisherEnv) {
  const out = await sh(
    `changeset version → ${expected}`,
    join(repo, 'node_modules', '.bin', 'changeset'),
    ['version'],
    { cwd: repo, env: publisherEnv, timeoutS: 300 },
  );
  if (out === null) throw new Error('changeset version failed');
  const got = publicPackages(repo);
  check(
    got.every((p) => p.manifest.version === expected),
    `every public package is at ${expected} after changeset version`,
    got.map((p) => `${p.name}@${p.manifest.version}`).join(', '),
  );
  check(
    pendingChangesets(repo).files.length === 0,
    'changeset version used every pending changeset',
  );
  // The version commit must pass the repository's lint: Biome formats Markdown, CHANGELOGs too.
  await sh(
    'the new CHANGELOGs pass biome ci',
    join(repo, 'node_modules', '.bin', 'biome'),
    ['ci', '--error-on-warnings', ...got.map((p) => join('packages', p.short, 'CHANGELOG.md'))],
    { cwd: repo, timeoutS: 120 },
  );
  const commit = await run(
    'git',
    [
      '-c',
      'user.name=consumer-test',
      '-c',
      'user.email=consumer-test@localhost',
      'commit',
      '-qam',
      `version ${expected}`,
    ],
    { cwd: repo, env: baseEnv, timeoutS: 120 },
  );
  if (!commit.ok) throw new Error(`git commit in the copy failed: ${commit.stderr}`);
}

/** `changeset publish` in the copy, then its tags: exactly `@octconv/<name>@<version>` each. */
async function changesetPublish(repo, version, publisherEnv, tagsBefore) {
  const out = await sh(
    `changeset publish ${version} to the registry`,
    join(repo, 'node_modules', '.bin', 'changeset'),
    ['publish'],
    { cwd: repo, env: publisherEnv, timeoutS: 600 },
  );
  if (out === null) throw new Error('changeset publish failed');
  const tags = await run('git', ['tag', '-l'], { cwd: repo, env: baseEnv, timeoutS: 60 });
  const made = tags.stdout.split('\n').filter((t) => t && !tagsBefore.includes(t));
  const wanted = names.map((name) => `${name}@${version}`);
  check(sameSet(made, wanted), `changeset publish tagged ${wanted.join(', ')}`, made.join('\n'));
}

/** What the registry holds for every public package, checked against the repository. */
async function checkRegistry(registry, version, versions, consumerEnv) {
  // As a user asks: `npm view @octconv/core`; every package straight from the registry.
  const asked = names.includes('@octconv/core') ? '@octconv/core' : names[0];
  const view = await run(
    'npm',
    ['view', asked, 'versions', 'dist-tags', '--json', `--registry=${registry}`],
    { cwd: work, env: consumerEnv, timeoutS: 120 },
  );
  check(view.ok, `npm view ${asked} versions dist-tags`, `${view.stdout}${view.stderr}`);
  const viewed = view.ok ? JSON.parse(view.stdout) : null;
  for (const pkg of packages) {
    const response = await fetch(`${registry}${pkg.name.replace('/', '%2f')}`, {
      signal: AbortSignal.timeout(60_000),
    });
    const packument = response.ok ? await response.json() : {};
    const published = Object.keys(packument.versions ?? {});
    const latest = packument['dist-tags']?.latest;
    check(
      sameSet(published, versions) && latest === version,
      `${pkg.name} on the registry: versions ${published.join(', ')}, latest ${latest} (want ${versions.join(', ')}, latest ${version})`,
    );
    if (pkg.name === asked && viewed !== null)
      check(
        sameSet([viewed.versions].flat(), published) && viewed['dist-tags'].latest === latest,
        `npm view ${pkg.name} agrees: ${[viewed.versions].flat().join(', ')}, latest ${viewed['dist-tags'].latest}`,
      );
    const manifest = packument.versions?.[version];
    if (!manifest) {
      fail(`${pkg.name}@${version}: no published manifest`);
      continue;
    }
    // The repository's manifest after versioning, as the publish read it.
    const source = readJson(join(work, 'repo', 'packages', pkg.short, 'package.json'));
    const problems = manifest.version === version ? [] : [`version ${manifest.version}`];
    for (const field of [
      'exports',
      'files',
      'bin',
      'main',
      'module',
      'types',
      'peerDependencies',
      'peerDependenciesMeta',
      'engines',
    ])
      if (JSON.stringify(manifest[field]) !== JSON.stringify(source[field]))
        problems.push(`${field}: published ${JSON.stringify(manifest[field])}`);
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'])
      for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
        if (range.startsWith('workspace:')) problems.push(`${field}.${dep} is ${range}`);
        if (names.includes(dep) && range !== version)
          problems.push(`${field}.${dep} is ${range}, not the group's ${version}`);
      }
    if (
      'devDependencies' in manifest &&
      Object.values(manifest.devDependencies).some((r) => r.startsWith('workspace:'))
    )
      problems.push('devDependencies keep workspace: ranges');
    check(
      problems.length === 0,
      `${pkg.name}@${version} published manifest: version, exports, files, bin, peers as in the repository, no workspace: range`,
      problems.join('\n'),
    );
  }
}

/** Every required peer dependency is named in one of the README's `npm install` commands, and
 * every optional one with a version inside the peer range. */
function checkReadmePeers() {
  for (const pkg of packages) {
    const readme = readFileSync(join(pkg.dir, 'README.md'), 'utf8');
    const installs = [...readme.matchAll(/npm install ([^\n`]+)/g)].map((m) => m[1].split(/\s+/));
    const problems = [];
    for (const [peer, range] of Object.entries(pkg.manifest.peerDependencies ?? {})) {
      const optional = pkg.manifest.peerDependenciesMeta?.[peer]?.optional === true;
      const named = installs.flat().filter((word) => word === peer || word.startsWith(`${peer}@`));
      if (!optional && !installs.some((words) => words.includes(pkg.name) && words.includes(peer)))
        problems.push(`no \`npm install ${pkg.name} … ${peer}\` for the peer ${peer}@${range}`);
      if (optional) {
        const pinned = named.map((word) => word.slice(peer.length + 1)).filter(Boolean);
        const caret = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range);
        const inRange = (v) => {
          const [a, b, c] = v.split('.').map(Number);
          const [x, y, z] = caret.slice(1).map(Number);
          return x > 0 ? a === x && newer(v, range.slice(1)) >= 0 : a === 0 && b === y && c >= z;
        };
        if (!caret) problems.push(`${peer}: range ${range} is not ^x.y.z; extend this check`);
        else if (pinned.length === 0 || !pinned.every(inRange))
          problems.push(
            `optional peer ${peer}@${range}: README says ${named.join(', ') || 'nothing'}`,
          );
      }
    }
    check(
      problems.length === 0,
      `${pkg.name} README names its peer dependencies (${Object.keys(pkg.manifest.peerDependencies ?? {}).join(', ') || 'none'})`,
      problems.join('\n'),
    );
  }
}

/** `npm init -y` in a new folder with an `.npmrc` sending only `@octconv` to the registry. */
async function freshProject(dir, registry, env) {
  mkdirSync(dir, { recursive: true });
  await sh(`npm init -y (${dir.slice(work.length + 1)})`, 'npm', ['init', '-y'], {
    cwd: dir,
    env,
    timeoutS: 120,
  });
  writeFileSync(join(dir, '.npmrc'), `@octconv:registry=${registry}\n`);
}

/** npm install, failing on any warning about peers, a missing file or a workspace: range. */
async function npmInstall(label, dir, specs, env, command = 'install') {
  const out = await sh(
    label,
    'npm',
    [command, '--no-audit', '--no-fund', '--loglevel=warn', ...specs],
    { cwd: dir, env, timeoutS: 900 },
  );
  if (out === null) return false;
  const { bad, other } = installWarnings(out);
  check(
    bad.length === 0,
    `${label}: no warning about peers, missing files or workspace: ranges`,
    bad.join('\n'),
  );
  if (other.length > 0)
    console.log(`  (npm also said, about third-party packages:\n  ${other.join('\n  ')})`);
  const ls = await run('npm', ['ls', '--all'], { cwd: dir, env, timeoutS: 300 });
  check(
    ls.ok,
    `${label}: npm ls --all finds no missing or invalid dependency`,
    `${ls.stdout}${ls.stderr}`,
  );
  return bad.length === 0 && ls.ok;
}

/** Every file the installed manifests point at is there, with README, LICENSE and CHANGELOG. */
function checkInstalledFiles(app, version, which = packages) {
  for (const pkg of which) {
    const dir = join(app, 'node_modules', pkg.name);
    if (!existsSync(dir)) {
      fail(`${pkg.name} is not installed`);
      continue;
    }
    const manifest = readJson(join(dir, 'package.json'));
    const missing = [...manifestTargets(manifest), 'README.md', 'LICENSE', 'CHANGELOG.md'].filter(
      (file) => !existsSync(join(dir, file)),
    );
    check(
      manifest.version === version && missing.length === 0,
      `installed ${pkg.name}@${manifest.version} has every file its manifest names, README, LICENSE and CHANGELOG`,
      `missing: ${missing.join(', ')}`,
    );
  }
}

async function consumerChecks(app) {
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
  const node = (file) => sh(`node ${file}`, 'node', [file], { cwd: app });

  expectJson('Node ESM import runs OctConv on wasm', await node('esm.mjs'), (v) =>
    v.backend === 'wasm' &&
    String(v.high) === '1,8,8,2' &&
    String(v.logits) === '1,10' &&
    v.params === 224842
      ? null
      : 'unexpected result',
  );
  expectJson('Node CommonJS require runs OctConv on wasm', await node('cjs.cjs'), (v) =>
    v.backend === 'wasm' && String(v.high) === '1,8,8,2' && String(v.block) === '1,8,8,2'
      ? null
      : 'unexpected result',
  );
  expectJson(
    'Node ESM: @octconv/layers with @tensorflow/tfjs fits, saves and reloads on wasm',
    await node('layers.mjs'),
    (v) =>
      v.backend === 'wasm' && v.loss && v.same && String(v.layers) === 'OctaveConv2D,OctaveMerge'
        ? null
        : 'unexpected result',
  );
  expectJson(
    'Node CommonJS: @octconv/layers runs OctaveConv2D and OctaveSplit on wasm',
    await node('layers.cjs'),
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
  const tsc = join(app, 'node_modules', '.bin', 'tsc');
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
    await sh(`TypeScript strict, moduleResolution ${resolution}`, tsc, ['-p', config], {
      cwd: app,
    });
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
    await sh(
      `TypeScript strict, @octconv/layers, moduleResolution ${resolution} (skipLibCheck)`,
      tsc,
      ['-p', layersConfig],
      { cwd: app },
    );
  }

  const site = join(app, 'site');
  mkdirSync(site);
  for (const file of ['index.html', 'main.ts', 'vite.config.mjs'])
    copyFileSync(join(here, 'vite-app', file), join(site, file));
  const chromiumPath = process.env.OCTCONV_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(chromiumPath)) {
    if (process.env.OCTCONV_REQUIRE_BROWSER === '1')
      fail(`no Chromium at ${chromiumPath} (apt-get install -y chromium)`);
    else
      console.log(
        `! skipping the browser check: no Chromium at ${chromiumPath} (apt-get install -y chromium; .ci/run requires it)`,
      );
  } else {
    const built = await sh(
      'Vite builds a browser app importing @octconv/models and @octconv/layers',
      join(app, 'node_modules', '.bin', 'vite'),
      ['build', '--config', 'vite.config.mjs'],
      { cwd: site, timeoutS: 600 },
    );
    if (built !== null)
      expectJson(
        'the Vite app runs MiniOctNet and its layers form on wasm in Chromium',
        await sh('Chromium (playwright-core)', 'node', ['browser.mjs', join(site, 'dist')], {
          cwd: app,
        }),
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

  const bench = await sh(
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
    { cwd: app },
  );
  if (bench !== null) {
    const result = readJson(join(app, 'bench.json'));
    check(
      result.schema === 'octconv-bench/1' &&
        result.results.length === 1 &&
        readFileSync(join(app, 'bench.html'), 'utf8').includes('<canvas'),
      'the bench wrote a valid result and report',
    );
  }
  // Dawn (`webgpu`, 132 MB) is an optional peer of the bench: npm leaves it out, the wasm bench
  // above ran without it, and asking for WebGPU says what to install.
  check(
    !existsSync(join(app, 'node_modules', 'webgpu')),
    '@octconv/bench installed without Dawn (`webgpu`, an optional peer)',
  );
  const noDawn = await run(
    'npx',
    ['octconv-bench', '--backends', 'webgpu', '--cases', 'layer-c256-s14-a0.5', '--runs', '1'],
    { cwd: app, env: baseEnv, timeoutS: 300 },
  );
  check(
    noDawn.code === 1 && noDawn.stderr.includes('npm install webgpu@0.6.2'),
    'octconv-bench --backends webgpu without Dawn exits 1 and says what to install',
    `exit ${noDawn.code}:\n${noDawn.stdout}${noDawn.stderr}`,
  );
}

async function main() {
  // The repository: built, one fixed group, READMEs that name the peers.
  const config = readJson(join(root, '.changeset', 'config.json'));
  check(
    config.fixed.length === 1 && sameSet(config.fixed[0], names),
    `the changesets fixed group is every public package (${names.join(', ')})`,
    `fixed: ${JSON.stringify(config.fixed)}`,
  );
  const unbuilt = packages.flatMap((p) =>
    manifestTargets(p.manifest)
      .filter((file) => !existsSync(join(p.dir, file)))
      .map((file) => `${p.name}: ${file}`),
  );
  if (unbuilt.length > 0) throw new Error(`not built (run pnpm build):\n${unbuilt.join('\n')}`);
  checkReadmePeers();
  // The fixed group's version: the highest, as `changeset version` takes it. Without pending
  // changesets the repository's versions are the release, so they must all be that one.
  const repoVersions = versionsOf(root);
  const repoVersion = packages
    .map((p) => p.manifest.version)
    .sort(newer)
    .pop();
  const { files: pendingFiles } = pendingChangesets(root);
  if (process.argv.includes('--release') && pendingFiles.length > 0)
    throw new Error(
      `${pendingFiles.length} pending changeset(s) (${pendingFiles.join(', ')}): run pnpm version-packages and commit the release first`,
    );
  if (pendingFiles.length === 0)
    check(
      packages.every((p) => p.manifest.version === repoVersion),
      `the public packages share one version: ${repoVersions}`,
    );
  const repoTags = (await run('git', ['tag', '-l'], { cwd: root, env: baseEnv })).stdout;

  // The registry and its throwaway user.
  const registry = await startRegistry(join(work, 'registry'));
  pass(`Verdaccio listens at ${registry}`);
  const user = `octconv-release-${process.pid}`;
  const signup = await fetch(`${registry}-/user/org.couchdb.user:${user}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: user, password: `pw-${Math.random().toString(36).slice(2)}` }),
    signal: AbortSignal.timeout(60_000),
  });
  const { token } = await signup.json();
  if (!signup.ok || !token) throw new Error(`could not add the registry user (${signup.status})`);
  const host = registry.replace(/^http:/, '');
  // The maintainer's side, as RELEASING.md says: changesets and npm read the registry from
  // npm_config_registry, pnpm 12 (which publishes) from pnpm_config_registry or an npmrc; the
  // token sits in the user's npm config. That config is a new file, so no real credential is
  // ever in reach of this test. pnpm goes on the PATH, where changesets looks for it.
  writeFileSync(
    join(work, 'publisher.npmrc'),
    `registry=${registry}\n${host}:_authToken=${token}\n`,
  );
  const pnpmBin = await run('npx', ['-y', '-p', 'pnpm@12.4.2', '-c', 'command -v pnpm'], {
    cwd: work,
    env: baseEnv,
    timeoutS: 300,
  });
  if (!pnpmBin.ok) throw new Error(`could not find pnpm 12.4.2: ${pnpmBin.stderr}`);
  const publisherEnv = {
    ...baseEnv,
    PATH: `${dirname(pnpmBin.stdout.trim())}:${baseEnv.PATH}`,
    npm_config_registry: registry,
    pnpm_config_registry: registry,
    npm_config_userconfig: join(work, 'publisher.npmrc'),
  };
  // The user's side: an empty user config; each project's .npmrc routes @octconv.
  writeFileSync(join(work, 'consumer.npmrc'), '');
  const consumerEnv = { ...baseEnv, npm_config_userconfig: join(work, 'consumer.npmrc') };

  // The release: what `pnpm version-packages` and `pnpm release` do, in a copy.
  const repo = join(work, 'repo');
  await copyRepository(repo);
  const copyTags = (await run('git', ['tag', '-l'], { cwd: repo, env: baseEnv })).stdout;
  const pending = pendingChangesets(repo);
  const version = pending.bump ? bumped(repoVersion, pending.bump) : repoVersion;
  if (pending.bump) await changesetVersion(repo, version, publisherEnv);
  else console.log(`  (no pending changesets: the repository's ${version} is the release)`);
  check(newer(version, '0.0.0') > 0, `the release is ${version}, above 0.0.0`);
  for (const pkg of packages) {
    const changelog = join(repo, 'packages', pkg.short, 'CHANGELOG.md');
    check(
      existsSync(changelog) && readFileSync(changelog, 'utf8').includes(`\n## ${version}\n`),
      `${pkg.name} CHANGELOG.md has a ${version} section`,
    );
  }
  await changesetPublish(repo, version, publisherEnv, copyTags.split('\n'));
  await checkRegistry(registry, version, [version], consumerEnv);

  // A user's project: every public package by name and version range, tfjs from npm.
  const app = join(work, 'app');
  await freshProject(app, registry, consumerEnv);
  await sh('npm pkg set type=module', 'npm', ['pkg', 'set', 'type=module'], {
    cwd: app,
    env: consumerEnv,
  });
  const installed = await npmInstall(
    `npm install ${names.map((name) => `${name}@^${version}`).join(' ')} and tfjs`,
    app,
    [
      ...names.map((name) => `${name}@^${version}`),
      '@tensorflow/tfjs-core@4.22.0',
      '@tensorflow/tfjs-backend-wasm@4.22.0',
      '@tensorflow/tfjs@4.22.0',
      'typescript@5.9.3',
      '@types/node@20',
      'vite@8.3.8',
      'playwright-core@1.65.1',
    ],
    consumerEnv,
  );
  if (installed) {
    checkInstalledFiles(app, version);
    await consumerChecks(app);
  } else fail('the consumer project checks: skipped, the install failed');

  for (const { name, script } of ALONE) {
    const dir = join(work, `alone-${name.replace(/\W+/g, '-')}`);
    await freshProject(dir, registry, consumerEnv);
    if (
      await npmInstall(
        `npm install ${name}@^${version} alone`,
        dir,
        [`${name}@^${version}`],
        consumerEnv,
      )
    ) {
      checkInstalledFiles(
        dir,
        version,
        packages.filter((p) => p.name === name),
      );
      copyFileSync(join(here, script), join(dir, script));
      await sh(`${name} alone: node ${script}`, 'node', [script], { cwd: dir, env: consumerEnv });
    }
  }

  // The guide's quick start, as written; the user config routes @octconv to the registry.
  writeFileSync(join(work, 'quick-start.npmrc'), `@octconv:registry=${registry}\n`);
  const quickStart = await runQuickStart({
    page: join(root, 'apps', 'docs', 'guide', 'quick-start.md'),
    work: join(work, 'quick-start'),
    env: { ...baseEnv, npm_config_userconfig: join(work, 'quick-start.npmrc') },
    log: console.log,
  });
  if (quickStart.length > 0) fail('the quick start', quickStart.join('\n'));

  // A patch release end to end: one throwaway changeset on the first package, the group moves.
  const patch = bumped(version, 'patch');
  const first = packages[0];
  const entry = `Throwaway patch note written by the consumer test (${process.pid}).`;
  writeFileSync(
    join(repo, '.changeset', 'consumer-test-patch.md'),
    `---\n'${first.name}': patch\n---\n\n${entry}\n`,
  );
  await changesetVersion(repo, patch, publisherEnv);
  const notes = readFileSync(join(repo, 'packages', first.short, 'CHANGELOG.md'), 'utf8');
  const section = notes.split(`\n## ${patch}\n`)[1]?.split('\n## ')[0] ?? '';
  check(
    section.includes(entry),
    `${first.name} CHANGELOG.md: ${patch} has the throwaway entry`,
    notes.slice(0, 600),
  );
  await changesetPublish(repo, patch, publisherEnv, [
    ...copyTags.split('\n'),
    ...names.map((n) => `${n}@${version}`),
  ]);
  await checkRegistry(registry, patch, [version, patch], consumerEnv);
  if (
    installed &&
    (await npmInstall(`npm update ${names.join(' ')}`, app, names, consumerEnv, 'update'))
  ) {
    checkInstalledFiles(app, patch);
    const installedNotes = join(app, 'node_modules', first.name, 'CHANGELOG.md');
    check(
      existsSync(installedNotes) && readFileSync(installedNotes, 'utf8').includes(entry),
      `the installed ${first.name}@${patch} CHANGELOG.md has the entry`,
    );
    expectJson(
      `Node ESM runs on ${patch}`,
      await sh('node esm.mjs after the update', 'node', ['esm.mjs'], { cwd: app }),
      (v) => (v.backend === 'wasm' && v.params === 224842 ? null : 'unexpected result'),
    );
  } else fail(`npm update to ${patch}: skipped or failed`);

  // The repository itself: not versioned, not tagged.
  check(
    versionsOf(root) === repoVersions &&
      (await run('git', ['tag', '-l'], { cwd: root, env: baseEnv })).stdout === repoTags,
    `the repository stays as it was (${repoVersions}), with no new tag`,
  );
}

try {
  await main();
} catch (error) {
  fail(error.message);
} finally {
  cleanUp();
  if (keep) console.log(`kept ${work}`);
}
console.log(failures === 0 ? 'consumer test passed' : `consumer test: ${failures} failure(s)`);
process.exit(failures === 0 ? 0 : 1);
