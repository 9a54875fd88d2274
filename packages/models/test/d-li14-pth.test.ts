// d-li14's checkpoints as torch.save writes them, loaded with loadTorchCheckpoint: a bare state
// dict in the zip format, a legacy-format training checkpoint ({epoch, arch, state_dict with
// 'module.' keys, best_acc1, optimizer}, as d-li14 published its Oct-ResNet-50), and, when torch
// is present, an Oct-ResNet-50 zip file written live. The logits must be PyTorch's.
//
// These need the `.pth` reader of issue 14 (section 1). The fixtures are the same weights as
// d-li14-resnet26.safetensors, whose parity d-li14.test.ts proves through the safetensors path.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertClose, describeEachBackend, read, setupBackend } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileForInference, loadTorchCheckpoint, octResNet } from '../src/index';
import {
  committedDescription,
  committedFile,
  type DLi14Description,
  dLi14Image,
  generateLive,
  torchMissing,
} from './d-li14';

const description = committedDescription();
const missing = torchMissing();

const LOGITS = {
  cpu: { atol: 2e-4, rtol: 2e-4 },
  wasm: { atol: 2e-4, rtol: 2e-4 },
  webgpu: { atol: 2e-3, rtol: 1e-3 },
} as const;

async function expectLogits(
  label: string,
  apply: (x: tf.Tensor4D) => tf.Tensor2D,
  entry: DLi14Description['cases'][number],
  tolerance: { atol: number; rtol: number },
): Promise<void> {
  const x = dLi14Image(entry.batch, entry.size);
  const y = apply(x);
  try {
    expect(y.shape).toEqual(entry.logits.shape);
    assertClose(label, await read(y), entry.logits.data, tolerance);
  } finally {
    tf.dispose([x, y]);
  }
}

const at64 = description.cases.find((entry) => entry.size === 64)!;

await describeEachBackend("loadTorchCheckpoint: d-li14's .pth files", ({ name: backend }) => {
  for (const [label, suffix] of [
    ['a bare state dict, zip format', '.pth'],
    ["a legacy-format training checkpoint with 'module.' keys", '-train.pth'],
  ] as const) {
    it(`loads ${label} into octResNet({ variant: 'd-li14' }) and gives PyTorch's logits`, async () => {
      const net = octResNet({
        depth: 26,
        alpha: 0.5,
        numClasses: 10,
        variant: 'd-li14',
        random: 1,
      });
      const tensors = tf.memory().numTensors;
      loadTorchCheckpoint(net, committedFile(suffix));
      expect(tf.memory().numTensors).toBe(tensors);
      net.eval();
      await expectLogits(`${suffix} module`, (x) => net.apply(x), at64, LOGITS[backend]);
      const compiled = compileForInference(net);
      await expectLogits(`${suffix} compiled`, (x) => compiled.apply(x), at64, LOGITS[backend]);
      compiled.dispose();
      net.dispose();
    });
  }
});

describe.skipIf(missing !== null)('Oct-ResNet-50 d-li14 .pth live from PyTorch [wasm]', () => {
  let directory = '';
  let live: DLi14Description;
  beforeAll(async () => {
    await setupBackend('wasm');
    directory = mkdtempSync(join(tmpdir(), 'octconv-d-li14-pth-'));
    live = generateLive(directory, { depth: 50, numClasses: 1000, sizes: [224] });
  }, 300_000);
  afterAll(() => {
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it('loads torch.save(state_dict) of Oct-ResNet-50 (zip) and gives its logits at 224²', async () => {
    const net = octResNet({ depth: 50, alpha: 0.5, variant: 'd-li14', random: 1 });
    const started = performance.now();
    loadTorchCheckpoint(net, new Uint8Array(readFileSync(join(directory, 'd-li14-resnet50.pth'))));
    console.log(
      `[octconv] Oct-ResNet-50 .pth (zip) loaded in ${(performance.now() - started).toFixed(0)} ms`,
    );
    await expectLogits('module', (x) => net.eval().apply(x), live.cases[0]!, LOGITS.wasm);
    net.dispose();
  });

  it('loads the legacy training checkpoint of Oct-ResNet-50 and gives its logits at 224²', async () => {
    const net = octResNet({ depth: 50, alpha: 0.5, variant: 'd-li14', random: 1 });
    loadTorchCheckpoint(
      net,
      new Uint8Array(readFileSync(join(directory, 'd-li14-resnet50-train.pth'))),
    );
    await expectLogits('module', (x) => net.eval().apply(x), live.cases[0]!, LOGITS.wasm);
    net.dispose();
  });
});
