// Oct-ResNet: parameter counts (α = 0 is ResNet's), torchvision names, describe() shapes at
// even and odd sizes, and real forwards.

import { describeEachBackend } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { octResNet } from '../src/index';

await describeEachBackend('Oct-ResNet', ({ name: backend }) => {
  it('has ResNet’s parameter count at every α (25,557,032 for ResNet-50, 15,995,176 for -26)', () => {
    for (const [depth, count] of [
      [50, 25_557_032],
      [26, 15_995_176],
    ] as const) {
      for (const alpha of [0, 0.5]) {
        const net = octResNet({ depth, alpha, random: 1 });
        expect(net.parameterCount(), `depth ${depth}, α ${alpha}`).toBe(count);
        net.dispose();
      }
    }
  });

  it('names parameters like torchvision, with the band inserted', () => {
    const plain = octResNet({ depth: 26, alpha: 0, numClasses: 10, random: 1 });
    const names = [...plain.namedParameters().keys()];
    expect(names.slice(0, 5)).toEqual([
      'conv1.weight',
      'bn1.weight',
      'bn1.bias',
      'layer1.0.conv1.hh.weight',
      'layer1.0.bn1.bn_h.weight',
    ]);
    expect(names).toContain('layer2.0.downsample.0.hh.weight');
    expect(names).toContain('layer2.0.downsample.1.bn_h.bias');
    expect(names.filter((name) => /\.(hl|lh|ll|bn_l)\./.test(name))).toEqual([]);
    plain.dispose();
    const octave = octResNet({ depth: 26, alpha: 0.5, numClasses: 10, random: 1 });
    const paths = (prefix: string) =>
      [...octave.namedParameters().keys()]
        .filter((name) => name.startsWith(prefix))
        .map((name) => name.slice(prefix.length));
    expect(paths('layer1.0.conv1.')).toEqual(['hh.weight', 'hl.weight']);
    expect(paths('layer1.0.conv2.')).toEqual(['hh.weight', 'hl.weight', 'lh.weight', 'll.weight']);
    expect(paths('layer4.0.conv1.')).toEqual(['hh.weight', 'lh.weight']);
    expect(paths('layer4.0.downsample.0.')).toEqual(['hh.weight', 'lh.weight']);
    expect(paths('layer4.0.conv2.')).toEqual(['hh.weight']);
    octave.dispose();
  });

  it('describes 224² and odd 225² inputs down to [1, 1000] logits', () => {
    const net = octResNet({ depth: 50, alpha: 0.5, random: 1 });
    for (const [size, high, low] of [
      [224, [1, 56, 56, 128], [1, 28, 28, 128]],
      [225, [1, 57, 57, 128], [1, 29, 29, 128]],
    ] as const) {
      const description = net.describe({ height: size, width: size });
      expect(description.output.high).toEqual([1, 1000]);
      const block = description.layers.find((layer) => layer.name === 'layer1.0.conv3')!;
      expect(block.output).toEqual({ high, low });
      const last = description.layers.find((layer) => layer.name === 'layer4.2.conv3')!;
      expect(last.output.low).toBeNull();
    }
    net.dispose();
  });

  it('runs a forward at an odd size with the shapes it describes, leaking nothing', () => {
    const net = octResNet({ depth: 26, alpha: 0.5, numClasses: 10, random: 1 }).eval();
    const x = tf.randomNormal([2, 33, 33, 3]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const y = net.apply(x);
    expect(y.shape).toEqual(net.describe({ batch: 2, height: 33, width: 33 }).output.high);
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([x, y]);
    net.dispose();
  });

  // Full-size forwards cost seconds on the JS and SwiftShader backends; wasm is the one users run.
  it.runIf(backend === 'wasm')(
    'runs Oct-ResNet-50 at 224² and Oct-ResNet-26 at 225² to [1, 1000]',
    () => {
      for (const [depth, size] of [
        [50, 224],
        [26, 225],
      ] as const) {
        const net = octResNet({ depth, alpha: 0.5, random: 1 }).eval();
        const x = tf.randomNormal([1, size, size, 3]) as tf.Tensor4D;
        const y = net.apply(x);
        expect(y.shape).toEqual([1, 1000]);
        tf.dispose([x, y]);
        net.dispose();
      }
    },
  );
});
