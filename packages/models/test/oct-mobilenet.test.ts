// Oct-MobileNet v1 / v2: the official parameter counts (α changes none), names, which layers are
// octave, describe() at 224² and odd sizes, forwards without leaks, compileForInference against
// the eval-mode apply at α 0 and α > 0, and typed errors for bad options.

import { InvalidArgumentError } from '@octconv/core';
import {
  assertClose,
  captureError,
  createRandom,
  describeEachBackend,
  type Tolerance,
} from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  compileForInference,
  type Module,
  mobileNetSplit,
  type OctaveInvertedResidual,
  octMobileNetV1,
  octMobileNetV2,
} from '../src/index';

/** Batch norm statistics and 1-D weights far from their initialisation. */
function perturb(module: Module, seed: number): void {
  const random = createRandom(seed);
  const set = (variable: tf.Variable, low: number, high: number) =>
    tf.tidy(() =>
      variable.assign(
        tf.tensor(
          Float32Array.from({ length: variable.size }, () => low + (high - low) * random()),
          variable.shape,
        ),
      ),
    );
  for (const [name, variable] of module.namedBuffers()) {
    if (name.endsWith('running_mean')) set(variable, -0.5, 0.5);
    if (name.endsWith('running_var')) set(variable, 0.3, 2);
  }
  for (const variable of module.namedParameters().values()) {
    if (variable.rank === 1) set(variable, -0.8, 1.2);
  }
}

it('splits channels as the official code: int(ratio · c) low, not round-half-even', () => {
  expect(mobileNetSplit(4, 0.375)).toEqual({ high: 3, low: 1 });
  expect(mobileNetSplit(144, 0.375)).toEqual({ high: 90, low: 54 });
  expect(mobileNetSplit(32, 0)).toEqual({ high: 32, low: 0 });
});

await describeEachBackend('Oct-MobileNets', ({ name: backend, tolerance }) => {
  it('have the official parameter counts at every α (v1 1.0: 4,231,976; v2 1.0: 3,505,960)', () => {
    // Counted by fixtures/oct_mobilenet.py (PyTorch) on the reference networks.
    for (const [make, width, count] of [
      [octMobileNetV1, 1, 4_231_976],
      [octMobileNetV1, 0.75, 2_585_560],
      [octMobileNetV2, 1, 3_505_960],
      [octMobileNetV2, 1.125, 4_243_006],
    ] as const) {
      for (const alpha of [0, 0.375, 0.5]) {
        const net = make({ widthMultiplier: width, alpha, random: 1 });
        expect(net.parameterCount(), `${net.moduleName} ${width} α ${alpha}`).toBe(count);
        net.dispose();
      }
    }
  });

  it('v1: octave where the official lists say, depthwise paths only, plain names at α 0', () => {
    const net = octMobileNetV1({ widthMultiplier: 0.25, alpha: 0.5, numClasses: 10, random: 1 });
    const paths = (prefix: string) =>
      [...net.namedParameters().keys()]
        .filter((name) => name.startsWith(prefix) && name.endsWith('weight'))
        .map((name) => name.slice(prefix.length));
    expect(paths('blocks.0.conv1.')).toEqual(['hh.weight']);
    expect(paths('blocks.0.conv2.')).toEqual(['hh.weight', 'hl.weight']);
    expect(paths('blocks.1.conv1.')).toEqual(['hh.weight', 'll.weight']);
    expect(paths('blocks.1.conv2.')).toEqual(['hh.weight', 'hl.weight', 'lh.weight', 'll.weight']);
    expect(paths('blocks.10.conv1.')).toEqual(['hh.weight', 'll.weight']);
    expect(paths('blocks.10.conv2.')).toEqual(['hh.weight', 'lh.weight']);
    expect(paths('blocks.11.conv1.')).toEqual(['hh.weight']);
    // Depthwise filters: one input channel per group, [kh, kw, 1, C] here, [C, 1, 3, 3] in PyTorch.
    expect(net.namedParameters().get('blocks.1.conv1.ll.weight')!.shape).toEqual([3, 3, 1, 8]);
    expect([...net.namedParameters().keys()].slice(-2)).toEqual([
      'classifier.weight',
      'classifier.bias',
    ]);
    net.dispose();
    const plain = octMobileNetV1({ alpha: 0, numClasses: 10, random: 1 });
    const names = [...plain.namedParameters().keys()];
    expect(names.filter((n) => /\.(hl|lh|ll|bn_l)\./.test(n))).toEqual([]);
    expect(names.slice(0, 4)).toEqual([
      'conv1.weight',
      'bn1.weight',
      'bn1.bias',
      'blocks.0.conv1.hh.weight',
    ]);
    plain.dispose();
  });

  it('v2: only the expanded middle is octave, in blocks 0–12; shortcuts where stride 1 keeps channels', () => {
    const net = octMobileNetV2({ alpha: 0.375, numClasses: 10, random: 1 });
    const paths = (prefix: string) =>
      [...net.namedParameters().keys()]
        .filter((name) => name.startsWith(prefix) && name.endsWith('weight'))
        .map((name) => name.slice(prefix.length));
    expect(paths('blocks.1.conv1.')).toEqual(['hh.weight', 'hl.weight']);
    expect(paths('blocks.1.conv2.')).toEqual(['hh.weight', 'll.weight']);
    expect(paths('blocks.1.conv3.')).toEqual(['hh.weight', 'lh.weight']);
    expect(paths('blocks.12.conv2.')).toEqual(['hh.weight', 'll.weight']);
    expect(paths('blocks.13.conv2.')).toEqual(['hh.weight']);
    // 96 · 6 = 576 expanded channels, int(0.375 · 576) = 216 low.
    expect(net.blocks[12]!.conv2.channels.in).toEqual({ high: 360, low: 216 });
    const shortcuts = net.blocks.map((b) => (b as OctaveInvertedResidual).useShortcut);
    expect(shortcuts.filter(Boolean).length).toBe(10);
    expect(net.tailConv.outChannels).toBe(1280);
    net.dispose();
    const wide = octMobileNetV2({ widthMultiplier: 1.125, alpha: 0.5, random: 1 });
    expect(wide.tailConv.outChannels).toBe(1440);
    wide.dispose();
  });

  it('describes 224² down to 7² and [1, 1000], and odd 225² with ceil-sized low bands', () => {
    const v1 = octMobileNetV1({ random: 1 });
    const d = v1.describe({ height: 224, width: 224 });
    expect(d.output.high).toEqual([1, 1000]);
    expect(d.layers.find((l) => l.name === 'blocks.1.conv2')!.output).toEqual({
      high: [1, 56, 56, 64],
      low: [1, 28, 28, 64],
    });
    expect(d.layers.find((l) => l.name === 'blocks.12.conv2')!.output.high).toEqual([
      1, 7, 7, 1024,
    ]);
    const odd = v1.describe({ height: 225, width: 225 });
    expect(odd.layers.find((l) => l.name === 'blocks.1.conv2')!.output).toEqual({
      high: [1, 57, 57, 64],
      low: [1, 29, 29, 64],
    });
    v1.dispose();
    const v2 = octMobileNetV2({ random: 1 });
    const d2 = v2.describe({ height: 224, width: 224 });
    expect(d2.output.high).toEqual([1, 1000]);
    const relu6 = d2.layers.filter((l) => l.kind === 'relu' && l.max === 6);
    expect(relu6.length).toBe(1 + 2 * 17 + 1);
    v2.dispose();
  });

  it('run a forward at an odd size with the shapes they describe, leaking nothing', () => {
    for (const make of [octMobileNetV1, octMobileNetV2]) {
      const net = make({ widthMultiplier: 0.25, numClasses: 10, random: 1 }).eval();
      const x = tf.randomNormal([2, 37, 37, 3]) as tf.Tensor4D;
      const before = tf.memory().numTensors;
      const y = net.apply(x);
      expect(y.shape).toEqual(net.describe({ batch: 2, height: 37, width: 37 }).output.high);
      expect(tf.memory().numTensors).toBe(before + 1);
      tf.dispose([x, y]);
      net.dispose();
    }
  });

  for (const [label, make, alpha, size] of [
    ['v1 α .5, 35² (odd)', octMobileNetV1, 0.5, 35],
    ['v1 α 0, 32²', octMobileNetV1, 0, 32],
    ['v2 α .375, 35² (odd)', octMobileNetV2, 0.375, 35],
    ['v2 α 0, 32²', octMobileNetV2, 0, 32],
  ] as const) {
    it(`compileForInference equals the eval-mode apply: ${label}`, async () => {
      const before = tf.memory().numTensors;
      const net = make({ widthMultiplier: 0.25, alpha, numClasses: 7, random: 5 });
      perturb(net, 17);
      net.eval();
      const x = tf.randomNormal([2, size, size, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
      const expected = net.apply(x);
      const compiled = compileForInference(net);
      net.dispose();
      const actual = compiled.apply(x);
      // Errors compound over 28–52 layers, as for Oct-ResNet.
      const loose: Tolerance = { atol: tolerance.atol * 10, rtol: tolerance.rtol * 10 };
      assertClose(label, await actual.data(), Float64Array.from(await expected.data()), loose);
      compiled.dispose();
      tf.dispose([x, expected, actual]);
      expect(tf.memory().numTensors).toBe(before);
    }, 120_000);
  }

  it('compiles a single block of each kind', async () => {
    const net = octMobileNetV2({ widthMultiplier: 0.25, numClasses: 3, random: 2 });
    perturb(net, 3);
    net.eval();
    const block = net.blocks[2]!; // stride 1, 6 → 6 channels: a shortcut
    expect(block.useShortcut).toBe(true);
    const x = { high: tf.randomNormal([1, 9, 9, 6]) as tf.Tensor4D, low: null };
    const expected = block.apply(x);
    const compiled = compileForInference(block);
    const actual = compiled.apply(x);
    assertClose(
      'v2 block',
      await actual.high!.data(),
      Float64Array.from(await expected.high!.data()),
      tolerance,
    );
    tf.dispose([x.high, expected.high!, actual.high!]);
    compiled.dispose();
    net.dispose();
  });

  it('rejects bad options with typed errors before allocating anything', () => {
    const before = tf.memory().numTensors;
    for (const [make, options, argument, text] of [
      [octMobileNetV1, { alpha: 1.5 }, 'options.alpha', 'a number in [0, 1]'],
      [octMobileNetV1, { widthMultiplier: 0 }, 'options.widthMultiplier', 'a finite number > 0'],
      [
        octMobileNetV1,
        { widthMultiplier: 0.02 },
        'options.widthMultiplier',
        'leaves a layer of 32 channels with none',
      ],
      [octMobileNetV2, { widthMultiplier: 0.05 }, 'options.widthMultiplier', 'use at least 0.0625'],
      [octMobileNetV2, { numClasses: 0 }, 'options.numClasses', 'an integer ≥ 1'],
      [octMobileNetV2, { depth: 50 }, 'options.depth', 'unknown option'],
    ] as const) {
      const error = captureError(() => make(options as never));
      expect(InvalidArgumentError.isInstance(error), String(error)).toBe(true);
      expect((error as InvalidArgumentError).argument).toBe(argument);
      expect(String(error)).toContain(text);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it.runIf(backend === 'wasm')('runs v1 1.0 and v2 1.125 at 224² to [1, 1000]', () => {
    for (const net of [
      octMobileNetV1({ random: 1 }).eval(),
      octMobileNetV2({ widthMultiplier: 1.125, alpha: 0.5, random: 1 }).eval(),
    ]) {
      const x = tf.randomNormal([1, 224, 224, 3]) as tf.Tensor4D;
      const y = net.apply(x);
      expect(y.shape).toEqual([1, 1000]);
      tf.dispose([x, y]);
      net.dispose();
    }
  });
});
