// The guide page "Write your own module", run as written: its PyTorch module (the ```python
// block) is built by Debian's torch, given random weights and statistics, saved with
// torch.save and run; its TypeScript module (the first ```ts block) is imported as the page
// shows it, loads that .pth with loadTorchCheckpoint and must give PyTorch's logits, list
// PyTorch's state_dict() with stateDictShapes, and train, describe and save like a built-in one.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  loadModule,
  loadTorchCheckpoint,
  type Module,
  saveModule,
  stateDictShapes,
  trainStep,
} from '@octconv/models';
import { compareArrays } from '@octconv/test-utils';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON, pythonMissing } from './python';

const PAGE = fileURLToPath(new URL('../guide/custom-modules.md', import.meta.url));
// Inside the docs app (git-ignored), so that the page's imports resolve as in a user's project.
const GENERATED = fileURLToPath(new URL('../test-results/custom-module/', import.meta.url));

const TORCH_MISSING = pythonMissing('torch', 'python3-torch', 'the custom-module guide test');

function blocks(language: string): string[] {
  const page = readFileSync(PAGE, 'utf8');
  return [...page.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\\n\`\`\``, 'g'))].map(
    (match) => match[1]!,
  );
}

/** What the page's PyTorch module gives: the .pth file, its state_dict() and its logits. */
const HARNESS = `
import json, sys
torch.manual_seed(21)
net = TinyOctNet(10)
with torch.no_grad():
    for name, p in net.named_parameters():
        p.copy_(torch.randn(p.shape) * (0.3 if p.dim() > 1 else 0.5))
    net.bn.running_mean.copy_(torch.randn(16) * 0.1)
    net.bn.running_var.copy_(torch.rand(16) + 0.5)
    net.bn.num_batches_tracked.fill_(7)
    net.class_offset.copy_(torch.randn(10) * 0.1)
net.eval()
x = torch.rand(2, 3, 12, 12, generator=torch.Generator().manual_seed(5)) * 2 - 1
with torch.no_grad():
    y = net(x)
torch.save(net.state_dict(), sys.argv[1])
parameters = {k for k, _ in net.named_parameters()}
json.dump({
    'input': x.permute(0, 2, 3, 1).reshape(-1).tolist(),
    'logits': y.reshape(-1).tolist(),
    'state': [{'name': k, 'shape': list(v.shape), 'kind': 'parameter' if k in parameters else 'buffer'}
              for k, v in net.state_dict().items()],
}, open(sys.argv[2], 'w'))
`;

interface Expected {
  input: number[];
  logits: number[];
  state: { name: string; shape: number[]; kind: 'parameter' | 'buffer' }[];
}

type TinyNet = Module<tf.Tensor4D, tf.Tensor2D> & {
  bias: tf.Variable;
  classOffset: tf.Variable;
  bn: { training: boolean };
};

describe.skipIf(TORCH_MISSING !== null)('guide: Write your own module', () => {
  let directory: string;
  let expected: Expected;
  let pth: Uint8Array;
  let TinyOctNet: new (numClasses?: number) => TinyNet;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    directory = mkdtempSync(join(tmpdir(), 'octconv-custom-module-'));
    const [python] = blocks('python');
    const script = join(directory, 'tiny.py');
    writeFileSync(script, `${python}\n${HARNESS}`);
    const result = spawnSync(
      PYTHON,
      [script, join(directory, 'tiny.pth'), join(directory, 'expected.json')],
      { encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`the page's PyTorch module failed: ${result.stderr}`);
    expected = JSON.parse(readFileSync(join(directory, 'expected.json'), 'utf8')) as Expected;
    pth = new Uint8Array(readFileSync(join(directory, 'tiny.pth')));
    const [typescript] = blocks('ts');
    mkdirSync(GENERATED, { recursive: true });
    const modulePath = join(GENERATED, 'tiny-oct-net.ts');
    writeFileSync(modulePath, typescript!);
    ({ TinyOctNet } = (await import(/* @vite-ignore */ modulePath)) as {
      TinyOctNet: new (numClasses?: number) => TinyNet;
    });
  }, 120_000);

  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it("lists PyTorch's state_dict(): names, order, shapes, parameters and buffers", () => {
    const net = new TinyOctNet(10);
    try {
      expect(stateDictShapes(net)).toEqual(expected.state);
      expect([...net.namedParameters().keys()]).toEqual(
        expected.state.filter((e) => e.kind === 'parameter').map((e) => e.name),
      );
    } finally {
      net.dispose();
    }
  });

  it("loads the module's .pth written by torch.save and gives PyTorch's logits", async () => {
    const net = new TinyOctNet(10);
    try {
      loadTorchCheckpoint(net, pth);
      net.eval();
      const x = tf.tensor4d(expected.input, [2, 12, 12, 3]);
      const y = net.apply(x);
      const logits = Array.from(await y.data());
      tf.dispose([x, y]);
      const comparison = compareArrays(logits, expected.logits, { atol: 1e-5, rtol: 1e-4 });
      expect(comparison.ok, JSON.stringify(comparison)).toBe(true);
    } finally {
      net.dispose();
    }
  });

  it('describes itself, trains, and round-trips through saveModule/loadModule', async () => {
    const net = new TinyOctNet(10);
    const copy = new TinyOctNet(10);
    try {
      const description = net.describe({ height: 12, width: 12 });
      expect(description.layers.map((layer) => layer.name)).toEqual([
        'conv',
        'bn',
        'split',
        'merge',
        'linear',
      ]);
      expect(description.output).toEqual({ high: [1, 10], low: null });
      expect(net.training).toBe(true);
      expect(net.eval().training).toBe(false);
      expect(net.bn.training).toBe(false);

      const before = Array.from(await net.bias.data());
      const offset = Array.from(await net.classOffset.data());
      const optimizer = tf.train.sgd(0.1);
      const images = tf.randomUniform([4, 12, 12, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
      const loss = trainStep(net, optimizer, images, [0, 1, 2, 3]);
      expect(Number.isFinite((await loss.data())[0])).toBe(true);
      // The registered parameter trains; the buffer does not.
      expect(Array.from(await net.bias.data())).not.toEqual(before);
      expect(Array.from(await net.classOffset.data())).toEqual(offset);
      tf.dispose([loss, images]);
      optimizer.dispose();

      let artifacts: tf.io.ModelArtifacts | undefined;
      await saveModule(
        net,
        tf.io.withSaveHandler(async (saved) => {
          artifacts = saved;
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        }),
      );
      await loadModule(copy, tf.io.fromMemory(artifacts!));
      for (const [name, variable] of net.namedParameters()) {
        expect(Array.from(await copy.namedParameters().get(name)!.data()), name).toEqual(
          Array.from(await variable.data()),
        );
      }
    } finally {
      net.dispose();
      copy.dispose();
    }
  });
});
