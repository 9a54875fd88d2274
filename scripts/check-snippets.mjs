#!/usr/bin/env node
// Type-checks every TypeScript snippet of the guide and the READMEs against the built packages,
// as a user would paste them: each ```ts block becomes a module of its own under
// apps/docs/.snippets/ (which resolves every @octconv package and tfjs), strict mode.
// Blocks marked as continuations join the block before; nothing is skipped.
// Usage: node scripts/check-snippets.mjs (after `pnpm build`).

import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const docs = join(root, 'apps', 'docs');
const out = join(docs, '.snippets');

function pages() {
  const list = [join(root, 'README.md')];
  for (const dir of ['packages', 'examples'])
    for (const name of readdirSync(join(root, dir))) list.push(join(root, dir, name, 'README.md'));
  for (const name of readdirSync(join(docs, 'guide')))
    if (name.endsWith('.md')) list.push(join(docs, 'guide', name));
  for (const name of readdirSync(docs)) if (name.endsWith('.md')) list.push(join(docs, name));
  // The Turkish learner's pages carry the same code as the English ones.
  for (const name of readdirSync(join(docs, 'tr', 'guide')))
    if (name.endsWith('.md')) list.push(join(docs, 'tr', 'guide', name));
  return list.filter((path) => {
    try {
      readFileSync(path);
      return true;
    } catch {
      return false;
    }
  });
}

// The HTML comments right above a block: `quickstart-test: append NAME` or `snippet: continues`
// join it to the block before; `snippet-context: CODE` is code the page leaves to the reader (the
// user's own tensors, say), prepended for the check only.
const block = /((?:<!-- [^\n]*? -->\n)*)```ts\n([\s\S]*?)\n```/g;
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const files = [];
for (const page of pages()) {
  const snippets = [];
  for (const [, comments, body] of readFileSync(page, 'utf8').matchAll(block)) {
    const continues = /<!-- (?:quickstart-test: append [\w.-]+|snippet: continues) -->/.test(
      comments,
    );
    const context = [...comments.matchAll(/<!-- snippet-context: (.*?) -->/g)].map((m) => m[1]);
    const code = [...context, body].join('\n');
    if (continues && snippets.length > 0) snippets[snippets.length - 1] += `\n${code}`;
    else snippets.push(code);
  }
  const stem = relative(root, page).replace(/[/.]/g, '_');
  snippets.forEach((code, index) => {
    const name = `${stem}_${index + 1}.ts`;
    // Imports of a continued block move to the top, as one module needs them.
    const lines = code.split('\n');
    const imports = [];
    const body = [];
    let inImport = false;
    for (const line of lines) {
      if (/^import\b/.test(line) || inImport) {
        imports.push(line);
        inImport = !/;\s*$/.test(line);
      } else body.push(line);
    }
    writeFileSync(
      join(out, name),
      `// ${relative(root, page)}\n${imports.join('\n')}\n${body.join('\n')}\nexport {};\n`,
    );
    files.push(name);
  });
}
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: 'ES2022',
      module: 'nodenext',
      moduleResolution: 'nodenext',
      types: ['node'],
      lib: ['ES2022', 'DOM'],
      skipLibCheck: true,
    },
    files,
  }),
);
// Snippets are ES modules with top-level await, as the quick start sets a project up.
writeFileSync(join(out, 'package.json'), JSON.stringify({ type: 'module', private: true }));
try {
  execFileSync(join(docs, 'node_modules', '.bin', 'tsc'), ['-p', out], { stdio: 'inherit' });
  console.log(`✓ ${files.length} TypeScript snippets type-check`);
} catch {
  console.log(`✗ TypeScript snippets do not type-check (the files are in ${relative(root, out)})`);
  process.exitCode = 1;
}
