// octResNet({ variant: 'd-li14' }): d-li14/octconv.pytorch's names and semantics. Logits against
// the PyTorch reference (fixtures/d_li14_resnet.py, checked against that code), loaded through the
// safetensors path; Oct-ResNet-50 at 224² is generated live when torch is present.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSafetensors } from '@octconv/checkpoint/internal';
import { CheckpointError, InvalidArgumentError } from '@octconv/core';
import {
  assertClose,
  captureError,
  describeEachBackend,
  read,
  setupBackend,
} from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compileForInference,
  loadTorchCheckpoint,
  octResNet,
  saveTorchCheckpoint,
} from '../src/index';
import {
  committedDescription,
  committedFile,
  type DLi14Description,
  dLi14Image,
  generateLive,
  PYTHON,
  torchMissing,
} from './d-li14';
import { FIXTURES } from './fixtures';

const description = committedDescription();
const safetensors = committedFile('.safetensors');
const missing = torchMissing();

/**
 * Float32 through 26–50 layers against PyTorch's float32, logits of order 10: wasm measured
 * 4e-6 at most on the committed Oct-ResNet-26 (2026-11-30).
 */
const LOGITS = {
  cpu: { atol: 2e-4, rtol: 2e-4 },
  wasm: { atol: 2e-4, rtol: 2e-4 },
  webgpu: { atol: 2e-3, rtol: 1e-3 },
} as const;

function loaded(depth: 26 | 50, numClasses: number, bytes: Uint8Array) {
  const net = octResNet({ depth, alpha: 0.5, numClasses, variant: 'd-li14', random: 1 });
  loadTorchCheckpoint(net, bytes);
  return net.eval();
}

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

const sizeCase = (size: number) => description.cases.find((entry) => entry.size === size)!;

await describeEachBackend("octResNet variant 'd-li14'", ({ name: backend }) => {
  it('has ResNet-50’s 25,557,032 parameters under d-li14’s names, in its state-dict order', () => {
    const net = octResNet({ depth: 50, alpha: 0.5, variant: 'd-li14', random: 1 });
    expect(net.variant).toBe('d-li14');
    expect(net.parameterCount()).toBe(25_557_032);
    const names = [...net.namedParameters().keys()];
    expect(names.slice(0, 8)).toEqual([
      'conv1.weight',
      'bn1.weight',
      'bn1.bias',
      'layer1.0.conv1.conv.conv_h2l.weight',
      'layer1.0.conv1.conv.conv_h2h.weight',
      'layer1.0.conv1.bn_h.weight',
      'layer1.0.conv1.bn_h.bias',
      'layer1.0.conv1.bn_l.weight',
    ]);
    const paths = (prefix: string) =>
      names.filter((name) => name.startsWith(prefix)).map((name) => name.slice(prefix.length));
    expect(paths('layer2.1.conv2.conv.')).toEqual([
      'conv_l2l.weight',
      'conv_l2h.weight',
      'conv_h2l.weight',
      'conv_h2h.weight',
    ]);
    expect(paths('layer4.0.conv1.conv.')).toEqual(['conv_l2h.weight', 'conv_h2h.weight']);
    expect(paths('layer4.0.downsample.0.conv.')).toEqual(['conv_l2h.weight', 'conv_h2h.weight']);
    expect(paths('layer4.0.conv2.conv.')).toEqual(['conv_h2h.weight']);
    expect(names).toContain('layer1.0.downsample.0.conv.conv_h2l.weight');
    expect(names).toContain('layer3.0.downsample.0.bn_l.bias');
    expect([...net.namedBuffers().keys()]).toContain('layer1.0.conv1.bn_h.running_mean');
    net.dispose();
  });

  it('has exactly the keys and shapes of the PyTorch state dict', () => {
    const file = parseSafetensors('test', safetensors);
    const net = octResNet({ depth: 26, alpha: 0.5, numClasses: 10, variant: 'd-li14', random: 1 });
    const ours = new Map(
      [...net.namedParameters(), ...net.namedBuffers()].map(([name, v]) => [name, v.shape]),
    );
    expect([...ours.keys()].sort()).toEqual([...file.tensors.keys()].sort());
    expect(ours.size).toBe(description.state_dict_keys);
    expect(net.parameterCount()).toBe(description.parameter_count);
    const torchShape = (shape: number[]) =>
      shape.length === 4
        ? [shape[3], shape[2], shape[0], shape[1]]
        : shape.length === 2
          ? [shape[1], shape[0]]
          : shape;
    for (const [name, shape] of ours) {
      expect(torchShape(shape), name).toEqual(file.tensors.get(name)!.shape);
    }
    net.dispose();
  });

  it('pools before the single-band 3×3 that opens stage 4, where the default variant strides', () => {
    const dli = octResNet({ depth: 26, alpha: 0.5, numClasses: 10, variant: 'd-li14', random: 1 });
    const ours = octResNet({ depth: 26, alpha: 0.5, numClasses: 10, random: 1 });
    const layer = (net: typeof dli, name: string) =>
      net.describe({ height: 224, width: 224 }).layers.find((entry) => entry.name === name);
    const pooled = layer(dli, 'layer4.0.conv2.conv');
    const strided = layer(ours, 'layer4.0.conv2');
    expect(pooled?.kind === 'octave-conv' && pooled.spec.strideMode).toBe('pool');
    expect(strided?.kind === 'octave-conv' && strided.spec.strideMode).toBe('conv');
    expect(pooled?.output).toEqual(strided?.output);
    expect(dli.blocks[6]!.conv2.strideMode).toBe('pool');
    dli.dispose();
    ours.dispose();
  });

  it('refuses the α that code cannot build and unknown variants, before allocating anything', () => {
    const before = tf.memory().numTensors;
    for (const [options, argument] of [
      [{ depth: 50, alpha: 0.3, variant: 'd-li14' }, 'options.alpha'],
      [{ depth: 50, alpha: 0.01, variant: 'd-li14' }, 'options.alpha'],
      [{ depth: 50, alpha: 0.5, variant: 'torchvision' }, 'options.alpha'],
      [{ depth: 50, alpha: 0.5, variant: 'li14' }, 'options.variant'],
    ] as const) {
      const error = captureError(() => octResNet(options as never));
      expect(InvalidArgumentError.isInstance(error), JSON.stringify(options)).toBe(true);
      expect((error as InvalidArgumentError).code).toBe('ERR_OCTCONV_INVALID_ARGUMENT');
      expect((error as InvalidArgumentError).argument).toBe(argument);
      expect((error as Error).message).toMatch(/^OctResNet: /);
    }
    // α = 0.3: int(64 · 0.7) = 44 batch-norm channels against 64 − int(19.2) = 45.
    expect(
      String(captureError(() => octResNet({ depth: 50, alpha: 0.3, variant: 'd-li14' }))),
    ).toMatch(/int\(64 · \(1 − α\)\) = 44 high channels .* 64 − int\(α · 64\) = 45/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("builds a fork's α with that code's int(α · C) split", () => {
    for (const alpha of [0.25, 0.125, 0]) {
      const net = octResNet({ depth: 26, alpha, numClasses: 10, variant: 'd-li14', random: 1 });
      try {
        const conv = net.blocks[0]!.conv2;
        expect(conv.channels.out.low).toBe(Math.trunc(alpha * 64));
        expect(net.blocks[2]!.conv3.channels.out.low).toBe(Math.trunc(alpha * 512));
        expect(net.alpha).toBe(alpha);
      } finally {
        net.dispose();
      }
    }
  });

  it('d-li14 names do not load into the default variant (typed error, module unchanged)', async () => {
    const net = octResNet({ depth: 26, alpha: 0.5, numClasses: 10, random: 1 });
    const before = await read(net.fc.weight);
    const tensors = tf.memory().numTensors;
    const error = captureError(() => loadTorchCheckpoint(net, safetensors));
    expect(CheckpointError.isInstance(error)).toBe(true);
    expect((error as CheckpointError).code).toBe('ERR_OCTCONV_CHECKPOINT');
    expect(Array.from(await read(net.fc.weight))).toEqual(Array.from(before));
    expect(tf.memory().numTensors).toBe(tensors);
    net.dispose();
  });

  it(`loads the PyTorch Oct-ResNet-26 and gives its logits at 64² (module and compiled)`, async () => {
    const net = loaded(26, 10, safetensors);
    const compiled = compileForInference(net);
    const tensors = tf.memory().numTensors;
    await expectLogits('module 64²', (x) => net.apply(x), sizeCase(64), LOGITS[backend]);
    await expectLogits('compiled 64²', (x) => compiled.apply(x), sizeCase(64), LOGITS[backend]);
    expect(tf.memory().numTensors).toBe(tensors);
    compiled.dispose();
    net.dispose();
  });

  // Full-size forwards cost seconds on the JS and SwiftShader backends; wasm is the one users run.
  it.runIf(backend === 'wasm')(
    'gives PyTorch’s logits at 224², and at 240² (where d-li14’s code fails) our ceil/crop ones',
    async () => {
      expect(sizeCase(224).semantics).toBe('d-li14');
      expect(sizeCase(240).semantics).toBe('ceil');
      expect(sizeCase(240).d_li14_error).toMatch(/size of tensor/);
      const net = loaded(26, 10, safetensors);
      const compiled = compileForInference(net);
      for (const size of [224, 240]) {
        await expectLogits(`module ${size}²`, (x) => net.apply(x), sizeCase(size), LOGITS.wasm);
        await expectLogits(
          `compiled ${size}²`,
          (x) => compiled.apply(x),
          sizeCase(size),
          LOGITS.wasm,
        );
      }
      const odd = net.describe({ height: 240, width: 240 });
      const stage3 = odd.layers.find((entry) => entry.name === 'layer3.0.conv3.conv')!;
      expect(stage3.output).toEqual({ high: [1, 15, 15, 512], low: [1, 8, 8, 512] });
      compiled.dispose();
      net.dispose();
    },
  );
  // Winograd F(4×4,3×3) on every 3×3 stride-1 convolution (the rule may choose fewer): the
  // compiled network still gives PyTorch's logits within the parity tolerance.
  it.runIf(backend === 'wasm')(
    "gives PyTorch's logits at 224² with Winograd forced (F(4×4,3×3) and F(2×2,3×3)) and turned off",
    async () => {
      const net = loaded(26, 10, safetensors);
      const entry = sizeCase(224);
      const x = dLi14Image(entry.batch, entry.size);
      for (const winograd of ['4x4', '2x2', false] as const) {
        const compiled = compileForInference(net, { winograd });
        const y = compiled.apply(x);
        const actual = await read(y);
        const expected = entry.logits.data;
        const scale = Math.max(...Array.from(expected, Math.abs));
        const worst = Math.max(...Array.from(actual, (v, i) => Math.abs(v - expected[i]!)));
        // The figure the docs quote (largest |Δ| relative to the largest logit).
        console.info(
          `winograd ${winograd}: max |Δ| / max |logit| = ${(worst / scale).toExponential(2)}`,
        );
        assertClose(`compiled 224², winograd ${winograd}`, actual, expected, LOGITS.wasm);
        tf.dispose(y);
        compiled.dispose();
      }
      x.dispose();
      net.dispose();
    },
  );

  it('rejects a bad winograd option with a typed error, creating nothing', () => {
    const net = octResNet({ depth: 26, alpha: 0.5, numClasses: 10, random: 1 }).eval();
    const before = tf.memory().numTensors;
    for (const options of [{ winograd: 'yes' }, { winograd: true, fast: 1 }]) {
      const error = captureError(() => compileForInference(net, options as never));
      expect(InvalidArgumentError.isInstance(error), JSON.stringify(options)).toBe(true);
      expect((error as Error).message).toMatch(/winograd|unknown option/);
    }
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
  });
});

describe.skipIf(missing !== null)('Oct-ResNet-50 d-li14 live from PyTorch [wasm]', () => {
  let directory = '';
  let live: DLi14Description;
  beforeAll(async () => {
    await setupBackend('wasm');
    directory = mkdtempSync(join(tmpdir(), 'octconv-d-li14-'));
    live = generateLive(directory, { depth: 50, numClasses: 1000, sizes: [224] });
  }, 300_000);
  afterAll(() => {
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it('an Oct-ResNet-26 saved here (after a training-mode forward) loads strictly into the PyTorch d-li14 reference, same logits', async () => {
    const net = octResNet({ depth: 26, alpha: 0.5, numClasses: 10, variant: 'd-li14', random: 5 });
    // One training-mode forward moves every running statistic off its default.
    const warm = tf.randomNormal([2, 64, 64, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    tf.dispose(net.train().apply(warm));
    const checkpoint = join(directory, 'ours.safetensors');
    writeFileSync(checkpoint, await saveTorchCheckpoint(net));
    const x = tf.randomNormal([1, 64, 64, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const nchw = tf.transpose(x, [0, 3, 1, 2]);
    writeFileSync(
      join(directory, 'x.json'),
      JSON.stringify({ shape: nchw.shape, data: Array.from(await nchw.data()) }),
    );
    const result = spawnSync(
      PYTHON,
      [
        join(FIXTURES, 'check_checkpoint.py'),
        'd-li14',
        '--checkpoint',
        checkpoint,
        '--input',
        join(directory, 'x.json'),
        '--depth',
        '26',
        '--num-classes',
        '10',
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    expect(result.status, result.stderr).toBe(0);
    const theirs = JSON.parse(result.stdout).logits as { shape: number[]; data: number[] };
    const ours = net.eval().apply(x);
    expect(theirs.shape).toEqual(ours.shape);
    assertClose('logits', await read(ours), theirs.data, LOGITS.wasm);
    tf.dispose([warm, x, nchw, ours]);
    net.dispose();
  });

  it('loads a PyTorch-written Oct-ResNet-50 (safetensors) and gives its logits at 224²', async () => {
    expect(live.parameter_count).toBe(25_557_032);
    const bytes = new Uint8Array(readFileSync(join(directory, 'd-li14-resnet50.safetensors')));
    const net = loaded(50, 1000, bytes);
    const compiled = compileForInference(net);
    await expectLogits('module', (x) => net.apply(x), live.cases[0]!, LOGITS.wasm);
    await expectLogits('compiled', (x) => compiled.apply(x), live.cases[0]!, LOGITS.wasm);
    compiled.dispose();
    net.dispose();
  });
});
