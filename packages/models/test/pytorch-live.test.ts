// Live round trips with PyTorch (Debian python3-torch, fixtures/check_checkpoint.py): a module
// trained here is saved with saveTorchCheckpoint and loaded by PyTorch with
// load_state_dict(strict=True), and gives the same logits; a PyTorch-trained module loads here
// and gives PyTorch's logits. CI sets OCTCONV_REQUIRE_TORCH=1, so a missing torch fails there
// instead of skipping.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertClose, read, setupBackend } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadTorchCheckpoint,
  MiniOctNet,
  octResNet,
  saveTorchCheckpoint,
  shapesAndTextures,
  trainStep,
} from '../src/index';
import { FIXTURES } from './fixtures';

const PYTHON = '/usr/bin/python3';
const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
const torchMissing =
  probe.status !== 0 ? `${PYTHON} cannot import torch (apt-get install -y python3-torch)` : null;
if (torchMissing && process.env.OCTCONV_REQUIRE_TORCH === '1') {
  throw new Error(`OCTCONV_REQUIRE_TORCH=1 but ${torchMissing}`);
}
if (torchMissing) console.warn(`[octconv] skipping the live PyTorch tests: ${torchMissing}`);

const TOLERANCE = { atol: 1e-4, rtol: 1e-4 };

function python(args: string[]): string {
  const result = spawnSync(PYTHON, [join(FIXTURES, 'check_checkpoint.py'), ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0)
    throw new Error(`check_checkpoint.py ${args[0]} failed: ${result.stderr}`);
  return result.stdout;
}

/** An NHWC tensor as the NCHW JSON the script reads. */
async function nchwJson(x: tf.Tensor4D): Promise<string> {
  const nchw = tf.transpose(x, [0, 3, 1, 2]);
  const data = Array.from(await nchw.data());
  const shape = nchw.shape;
  nchw.dispose();
  return JSON.stringify({ shape, data });
}

describe.skipIf(torchMissing !== null)('PyTorch round trips [wasm]', () => {
  let directory = '';
  beforeAll(async () => {
    await setupBackend('wasm');
    directory = mkdtempSync(join(tmpdir(), 'octconv-live-'));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('a MiniOctNet trained here loads in PyTorch and gives the same logits', async () => {
    const data = shapesAndTextures({ count: 8, size: 12, seed: 11 });
    const images = tf.tensor4d(data.images, [8, 12, 12, 3]);
    const net = new MiniOctNet({ numClasses: 4, random: 12 });
    const optimizer = tf.train.adam(1e-2);
    for (let step = 0; step < 3; step++) tf.dispose(trainStep(net, optimizer, images, data.labels));
    const checkpoint = join(directory, 'mini.safetensors');
    writeFileSync(checkpoint, await saveTorchCheckpoint(net));
    writeFileSync(join(directory, 'x.json'), await nchwJson(images));
    const ours = net.eval().apply(images);
    const theirs = JSON.parse(
      python([
        'mini',
        '--checkpoint',
        checkpoint,
        '--input',
        join(directory, 'x.json'),
        '--num-classes',
        '4',
      ]),
    ).logits;
    expect(theirs.shape).toEqual([8, 4]);
    assertClose('logits', await read(ours), theirs.data, TOLERANCE);
    tf.dispose([images, ours]);
    net.dispose();
    optimizer.dispose();
  });

  it('a MiniOctNet trained in PyTorch loads here and gives PyTorch’s logits', async () => {
    const checkpoint = join(directory, 'torch-mini.safetensors');
    const input = join(directory, 'torch-x.json');
    const logits = join(directory, 'torch-logits.json');
    python([
      'make-mini',
      '--out',
      checkpoint,
      '--input-out',
      input,
      '--logits-out',
      logits,
      '--seed',
      '5',
      '--alpha',
      '0.25',
      '--size',
      '12',
    ]);
    const net = new MiniOctNet({ alpha: 0.25, random: 1 });
    loadTorchCheckpoint(net, new Uint8Array(readFileSync(checkpoint)));
    const x = JSON.parse(readFileSync(input, 'utf8')) as { shape: number[]; data: number[] };
    const image = tf.tidy(() =>
      tf.transpose(tf.tensor4d(x.data, x.shape as [number, number, number, number]), [0, 2, 3, 1]),
    ) as tf.Tensor4D;
    const ours = net.eval().apply(image);
    assertClose(
      'logits',
      await read(ours),
      JSON.parse(readFileSync(logits, 'utf8')).logits.data,
      TOLERANCE,
    );
    tf.dispose([image, ours]);
    net.dispose();
  });

  for (const [alpha, size] of [
    [0.5, 35],
    [0, 32],
  ] as const) {
    it(`Oct-ResNet-26 (α ${alpha}, ${size}²) saved here gives the reference PyTorch Oct-ResNet's logits`, async () => {
      const net = octResNet({ depth: 26, alpha, numClasses: 10, random: 21 });
      // One training-mode forward moves every running statistic off its default.
      const warm = tf.randomNormal([2, size, size, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      tf.dispose(net.train().apply(warm));
      const checkpoint = join(directory, `resnet-${alpha}.safetensors`);
      writeFileSync(checkpoint, await saveTorchCheckpoint(net));
      const x = tf.randomNormal([1, size, size, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
      writeFileSync(join(directory, 'r.json'), await nchwJson(x));
      const ours = net.eval().apply(x);
      const theirs = JSON.parse(
        python([
          'resnet',
          '--checkpoint',
          checkpoint,
          '--input',
          join(directory, 'r.json'),
          '--depth',
          '26',
          '--alpha',
          String(alpha),
          '--num-classes',
          '10',
        ]),
      ).logits;
      assertClose('logits', await read(ours), theirs.data, { atol: 2e-4, rtol: 2e-3 });
      tf.dispose([warm, x, ours]);
      net.dispose();
    });
  }
});
