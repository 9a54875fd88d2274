// Run by the consumer test in a fresh project where `@octconv/analysis` is the only package
// installed: it is pure TypeScript, so it must bring no tfjs and no other package, and its CLI
// must reproduce the paper's Oct-ResNet-50 figures. Prints ✓/✗ lines; exits 1 on a failure.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let failed = false;
const check = (ok, label) => {
  if (!ok) failed = true;
  console.log(`${ok ? '✓' : '✗'} ${label}`);
};

const extra = readdirSync('node_modules').filter(
  (entry) => !entry.startsWith('.') && entry !== '@octconv',
);
const octconv = readdirSync('node_modules/@octconv');
check(
  extra.length === 0 && String(octconv) === 'analysis',
  `@octconv/analysis installs alone (found: ${[...extra, ...octconv.map((n) => `@octconv/${n}`)].join(', ')})`,
);

execFileSync(
  'npx',
  ['octconv-analyze', '--model', 'oct-resnet50', '--alpha', '0.5', '--json', 'analysis.json'],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const { params, convMacs } = JSON.parse(readFileSync('analysis.json', 'utf8')).rows[0].analysis
  .totals;
check(
  params === 25_557_032 && Math.abs(convMacs / 1e9 - 2.367) < 0.0005,
  `npx octconv-analyze gives Oct-ResNet-50 α .5: ${params} params, ${convMacs} conv MACs`,
);
process.exit(failed ? 1 : 0);
