// The guide's quick start, done exactly as a new user does it: every block the page marks with
// `<!-- quickstart-test: … -->` runs in order in a fresh `npm init -y` project. `run` blocks are
// shell steps (the one change: `npm install @octconv/x` installs the packed tarball, since the
// packages under test are not on the registry); `file NAME` and `append NAME` blocks are saved as
// the page says and run with `npx tsx NAME`; `python NAME` runs with Debian's torch.

import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The marked blocks of a Markdown page: `{ action, name, language, code }` in page order. */
export function markedBlocks(markdown) {
  const pattern = /<!-- quickstart-test: (\w+)(?: ([\w.-]+))? -->\n```(\w+)\n([\s\S]*?)\n```/g;
  return [...markdown.matchAll(pattern)].map(([, action, name, language, code]) => ({
    action,
    name,
    language,
    code,
  }));
}

/**
 * Runs the page's steps under `work`. `tarballs` maps a package name (`@octconv/core`) to its
 * packed file. Returns the list of problems (empty when every step worked).
 */
export function runQuickStart({ page, work, tarballs, log }) {
  const problems = [];
  const blocks = markedBlocks(readFileSync(page, 'utf8'));
  if (blocks.length < 8) problems.push(`only ${blocks.length} marked blocks in ${page}`);
  let cwd = work;
  mkdirSync(cwd, { recursive: true });
  const outputs = new Map();
  const step = (label, command, args, options = {}) => {
    const start = Date.now();
    try {
      const output = execFileSync(command, args, {
        cwd,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 64 << 20,
        ...options,
      });
      log(`✓ quick start: ${label} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
      return output;
    } catch (error) {
      problems.push(`${label}: ${error.stdout ?? ''}${error.stderr ?? error.message}`);
      log(`✗ quick start: ${label}\n${error.stdout ?? ''}${error.stderr ?? error.message}`);
      return null;
    }
  };
  let pending = null;
  const flush = () => {
    if (pending === null) return;
    const name = pending;
    pending = null;
    const output = step(`npx tsx ${name}`, 'npx', ['tsx', name]);
    if (output !== null) outputs.set(name, output);
  };
  for (const block of blocks) {
    if (!(block.action === 'append' && block.name === pending)) flush();
    if (block.action === 'run') {
      const script = block.code.replace(
        /@octconv\/([a-z-]+)/g,
        (name) => tarballs.get(name) ?? name,
      );
      const marker = join(work, '.cwd');
      const ok = step(`$ ${block.code.split('\n').join(' ; ')}`, 'bash', [
        '-e',
        '-c',
        `${script}\npwd > ${JSON.stringify(marker)}`,
      ]);
      if (ok === null) break;
      cwd = readFileSync(marker, 'utf8').trim();
    } else if (block.action === 'file' || block.action === 'append') {
      const path = join(cwd, block.name);
      if (block.action === 'file') writeFileSync(path, `${block.code}\n`);
      else if (!existsSync(path)) problems.push(`append ${block.name}: no such file yet`);
      else appendFileSync(path, `\n${block.code}\n`);
      pending = block.name;
    } else if (block.action === 'python') {
      writeFileSync(join(cwd, block.name), `${block.code}\n`);
      const hasTorch =
        existsSync('/usr/bin/python3') &&
        spawnSync('/usr/bin/python3', ['-c', 'import torch']).status === 0;
      if (!hasTorch) {
        if (process.env.OCTCONV_REQUIRE_TORCH === '1')
          problems.push('no torch for the quick start Python step (apt-get install python3-torch)');
        else log(`! quick start: skipping ${block.name}: no torch in /usr/bin/python3`);
        continue;
      }
      const output = step(`python3 ${block.name}`, '/usr/bin/python3', [block.name]);
      if (output !== null) outputs.set(block.name, output);
    } else problems.push(`unknown quickstart-test action ${block.action}`);
  }
  flush();
  const expect = (name, text) => {
    if (!outputs.get(name)?.includes(text))
      problems.push(`${name} did not print ${JSON.stringify(text)}:\n${outputs.get(name) ?? ''}`);
  };
  expect('core.ts', '[ 1, 56, 56, 32 ] [ 1, 28, 28, 32 ]');
  expect('models.ts', 'same logits: true');
  expect('save.ts', '');
  expect('layers.ts', 'parameters, output ,10');
  expect('analysis.ts', '0.4375 0.625');
  expect('bench.ts', 'layer-c64-s56-a0.5');
  if (process.env.OCTCONV_REQUIRE_TORCH === '1' || outputs.has('safetensors_lite.py'))
    expect('safetensors_lite.py', '36 tensors; fc.weight (4, 128)');
  return problems;
}
