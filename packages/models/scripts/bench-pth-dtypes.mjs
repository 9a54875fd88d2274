// Load time of one network's weights stored as float32, float16 and bfloat16, in a .pth (zip)
// and a safetensors file, through loadTorchCheckpoint on the wasm backend in Node: the float16 /
// bfloat16 decode must stay within a small factor of the float32 load. The files are generated
// here (the state written by saveTorchCheckpoint, cast and saved by Debian's python3-torch) and
// never committed.
//
//   pnpm --filter @octconv/models build
//   node packages/models/scripts/bench-pth-dtypes.mjs [--runs 7] [--depth 26] [--alpha 0.5]

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const runs = option('runs', 7);
const depth = option('depth', 26);
const alpha = option('alpha', 0.5);

const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-backend-wasm');
const models = await import(join(packageDir, 'dist', 'index.js'));
await tf.setBackend('wasm');
await tf.ready();

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const work = mkdtempSync(join(tmpdir(), 'octconv-dtype-bench-'));
try {
  const source = models.octResNet({ depth, alpha, random: 1 });
  const safetensors = join(work, 'f32.safetensors');
  writeFileSync(safetensors, await models.saveTorchCheckpoint(source));
  source.dispose();
  const python = [
    'import sys, torch',
    `sys.path.insert(0, ${JSON.stringify(join(packageDir, 'fixtures'))})`,
    'from safetensors_io import load_file, save_file',
    'state = load_file(sys.argv[1])',
    'out = sys.argv[2]',
    "for name, dtype in (('float32', torch.float32), ('float16', torch.float16), ('bfloat16', torch.bfloat16)):",
    '    cast = {k: (v.to(dtype) if v.is_floating_point() else v) for k, v in state.items()}',
    "    torch.save(cast, f'{out}/{name}.pth')",
    "    save_file(cast, f'{out}/{name}.safetensors')",
  ].join('\n');
  const made = spawnSync('/usr/bin/python3', ['-c', python, safetensors, work], {
    encoding: 'utf8',
  });
  if (made.status !== 0) throw new Error(`python3-torch could not write the files: ${made.stderr}`);

  const target = models.octResNet({ depth, alpha, random: 2 });
  const rows = [];
  for (const format of ['pth', 'safetensors']) {
    const times = {};
    for (const dtype of ['float32', 'float16', 'bfloat16']) {
      const bytes = new Uint8Array(readFileSync(join(work, `${dtype}.${format}`)));
      models.loadTorchCheckpoint(target, bytes); // warm-up
      const samples = [];
      for (let r = 0; r < runs; r++) {
        const start = performance.now();
        models.loadTorchCheckpoint(target, bytes);
        samples.push(performance.now() - start);
      }
      times[dtype] = median(samples);
    }
    for (const dtype of ['float32', 'float16', 'bfloat16']) {
      rows.push({
        file: `${dtype}.${format}`,
        ms: times[dtype].toFixed(1),
        vsFloat32: (times[dtype] / times.float32).toFixed(2),
      });
    }
  }
  target.dispose();
  console.log(`Oct-ResNet-${depth} (α = ${alpha}), loadTorchCheckpoint, wasm, median of ${runs}:`);
  console.table(rows);
} finally {
  rmSync(work, { recursive: true, force: true });
}
