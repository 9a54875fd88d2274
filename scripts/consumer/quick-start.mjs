// The guide's quick start, done exactly as a new user does it: every block the page marks with
// `<!-- quickstart-test: … -->` runs in order in a fresh `npm init -y` project, unchanged: `run`
// blocks are shell steps (their `npm install @octconv/x` installs from the registry that the
// caller's npm config names for the `@octconv` scope); `file NAME` and `append NAME` blocks are
// saved as the page says and run with `npx tsx NAME`; `python NAME` runs with Debian's torch.

import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installWarnings, run } from './run.mjs';

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
 * Runs the page's steps under `work` with the environment `env` (its npm config routes
 * `@octconv` to the registry under test). Returns the list of problems (empty when every step
 * worked).
 */
export async function runQuickStart({ page, work, env, log }) {
  const problems = [];
  const blocks = markedBlocks(readFileSync(page, 'utf8'));
  if (blocks.length < 8) problems.push(`only ${blocks.length} marked blocks in ${page}`);
  let cwd = work;
  mkdirSync(cwd, { recursive: true });
  const outputs = new Map();
  // Hang guards: an install or a first tsx run takes well under a minute on an idle machine.
  const step = async (label, command, args, timeoutS = 600) => {
    const result = await run(command, args, { cwd, env, timeoutS });
    if (result.ok) {
      log(`✓ quick start: ${label} (${result.seconds.toFixed(1)} s)`);
      return `${result.stdout}${result.stderr}`;
    }
    const why = result.timedOut ? ` (killed after ${timeoutS} s)` : '';
    problems.push(`${label}${why}: ${result.stdout}${result.stderr}`);
    log(`✗ quick start: ${label}${why}\n${result.stdout}${result.stderr}`);
    return null;
  };
  let pending = null;
  const flush = async () => {
    if (pending === null) return;
    const name = pending;
    pending = null;
    const output = await step(`npx tsx ${name}`, 'npx', ['tsx', name]);
    if (output !== null) outputs.set(name, output);
  };
  for (const block of blocks) {
    if (!(block.action === 'append' && block.name === pending)) await flush();
    if (block.action === 'run') {
      const marker = join(work, '.cwd');
      const ok = await step(`$ ${block.code.split('\n').join(' ; ')}`, 'bash', [
        '-e',
        '-c',
        `${block.code}\npwd > ${JSON.stringify(marker)}`,
      ]);
      if (ok === null) break;
      const { bad } = installWarnings(ok);
      if (bad.length > 0) problems.push(`$ ${block.code}: npm warned\n${bad.join('\n')}`);
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
      const output = await step(`python3 ${block.name}`, '/usr/bin/python3', [block.name]);
      if (output !== null) outputs.set(block.name, output);
    } else problems.push(`unknown quickstart-test action ${block.action}`);
  }
  await flush();
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
