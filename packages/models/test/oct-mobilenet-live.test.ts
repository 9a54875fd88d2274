// Live checkpoint round trips of the Oct-MobileNets with PyTorch (Debian python3-torch,
// fixtures/check_mobilenet.py on the reference of fixtures/oct_mobilenet.py): a network whose
// running statistics moved here is saved with saveTorchCheckpoint, loaded by PyTorch with
// load_state_dict(strict=True), and gives our eval-mode logits. CI sets OCTCONV_REQUIRE_TORCH=1,
// so a missing torch fails there instead of skipping.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertClose, read, setupBackend } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { octMobileNetV1, octMobileNetV2, saveTorchCheckpoint } from '../src/index';
import { FIXTURES } from './fixtures';

const PYTHON = '/usr/bin/python3';
const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
const torchMissing =
  probe.status !== 0 ? `${PYTHON} cannot import torch (apt-get install -y python3-torch)` : null;
if (torchMissing && process.env.OCTCONV_REQUIRE_TORCH === '1') {
  throw new Error(`OCTCONV_REQUIRE_TORCH=1 but ${torchMissing}`);
}
if (torchMissing) console.warn(`[octconv] skipping the live Oct-MobileNet tests: ${torchMissing}`);

function python(args: string[]): { shape: number[]; data: number[] } {
  const result = spawnSync(PYTHON, [join(FIXTURES, 'check_mobilenet.py'), ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`check_mobilenet.py failed: ${result.stderr}`);
  return JSON.parse(result.stdout).logits;
}

describe.skipIf(torchMissing !== null)('Oct-MobileNet checkpoints in PyTorch [wasm]', () => {
  let directory = '';
  beforeAll(async () => {
    await setupBackend('wasm');
    directory = mkdtempSync(join(tmpdir(), 'octconv-mobilenet-'));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  for (const [version, width, alpha, size] of [
    [1, 0.25, 0.5, 35],
    [1, 0.25, 0, 32],
    [2, 0.25, 0.375, 35],
    [2, 0.5, 0, 32],
  ] as const) {
    it(`v${version} ${width} α ${alpha} (${size}²) saved here loads strictly in PyTorch with our logits`, async () => {
      const make = version === 1 ? octMobileNetV1 : octMobileNetV2;
      const net = make({ widthMultiplier: width, alpha, numClasses: 10, random: 31 });
      const warm = tf.randomNormal([2, size, size, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      tf.dispose(net.train().apply(warm));
      const checkpoint = join(directory, `v${version}-${alpha}.safetensors`);
      writeFileSync(checkpoint, await saveTorchCheckpoint(net));
      const x = tf.randomNormal([2, size, size, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
      const nchw = tf.transpose(x, [0, 3, 1, 2]);
      writeFileSync(
        join(directory, 'x.json'),
        JSON.stringify({ shape: nchw.shape, data: Array.from(await nchw.data()) }),
      );
      const ours = net.eval().apply(x);
      const theirs = python([
        '--version',
        String(version),
        '--checkpoint',
        checkpoint,
        '--input',
        join(directory, 'x.json'),
        '--width',
        String(width),
        '--alpha',
        String(alpha),
        '--num-classes',
        '10',
      ]);
      expect(theirs.shape).toEqual([2, 10]);
      assertClose('logits', await read(ours), theirs.data, { atol: 2e-4, rtol: 2e-3 });
      tf.dispose([warm, x, nchw, ours]);
      net.dispose();
    }, 60_000);
  }

  it('a checkpoint of another width fails PyTorch’s strict load', async () => {
    const net = octMobileNetV1({ widthMultiplier: 0.25, numClasses: 10, random: 1 });
    const checkpoint = join(directory, 'narrow.safetensors');
    writeFileSync(checkpoint, await saveTorchCheckpoint(net));
    writeFileSync(
      join(directory, 'y.json'),
      JSON.stringify({ shape: [1, 3, 8, 8], data: new Array(192).fill(0) }),
    );
    expect(() =>
      python([
        '--version',
        '1',
        '--checkpoint',
        checkpoint,
        '--input',
        join(directory, 'y.json'),
        '--width',
        '0.5',
        '--num-classes',
        '10',
      ]),
    ).toThrow(/size mismatch/);
    net.dispose();
  });
});
