// Module behaviour: names, shapes (describe() against real forwards, property-based), modes,
// initialisation, disposal, and typed errors that leave the module unchanged.

import { InvalidArgumentError, ShapeMismatchError } from '@octconv/core';
import {
  captureError,
  countNewTensors,
  describeEachBackend,
  nextTensorId,
  read,
} from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import {
  BatchNorm2d,
  FirstOctaveConv,
  LastOctaveConv,
  Linear,
  MiniOctNet,
  OctaveConv2d,
  OctaveConvBlock,
} from '../src/index';
import { featureMapMismatch } from '../src/module/module';

function randomInput(shape: number[] | null, seed: number): tf.Tensor4D | null {
  return shape
    ? tf.randomNormal(shape as [number, number, number, number], 0, 1, 'float32', seed)
    : null;
}

await describeEachBackend('modules', () => {
  it('OctConv variants hold exactly the paths their bands allow, under the seed names', () => {
    const middle = new OctaveConv2d({
      inChannels: 6,
      outChannels: 10,
      alphaIn: 0.25,
      alphaOut: 0.25,
      bias: true,
      random: 1,
    });
    expect([...middle.namedParameters().keys()]).toEqual(
      ['hh', 'hl', 'lh', 'll'].flatMap((path) => [`${path}.weight`, `${path}.bias`]),
    );
    // 6 · .25 = 1.5 → 2 low (ties to even), 10 · .25 = 2.5 → 2 low.
    expect(middle.channels).toEqual({ in: { high: 4, low: 2 }, out: { high: 8, low: 2 } });
    expect(middle.namedParameters().get('lh.weight')!.shape).toEqual([3, 3, 2, 8]);
    const first = new FirstOctaveConv({ inChannels: 3, outChannels: 8, random: 1 });
    expect([...first.namedParameters().keys()]).toEqual(['hh.weight', 'hl.weight']);
    const last = new LastOctaveConv({
      inChannels: 8,
      outChannels: 5,
      kernelSize: 1,
      padding: 0,
      random: 1,
    });
    expect([...last.namedParameters().keys()]).toEqual(['hh.weight', 'lh.weight']);
    const depthwise = new OctaveConv2d({ inChannels: 8, outChannels: 8, groups: 8, random: 1 });
    expect([...depthwise.namedParameters().keys()]).toEqual(['hh.weight', 'll.weight']);
    for (const m of [middle, first, last, depthwise]) m.dispose();
  });

  it('initialises like PyTorch (U(±1/√fanIn)) and reproducibly from a seed', async () => {
    const a = new OctaveConv2d({ inChannels: 16, outChannels: 16, bias: true, random: 42 });
    const b = new OctaveConv2d({ inChannels: 16, outChannels: 16, bias: true, random: 42 });
    const c = new OctaveConv2d({ inChannels: 16, outChannels: 16, bias: true, random: 43 });
    const weight = await read(a.namedParameters().get('hl.weight')!);
    // hl: 8 input channels · 3 · 3 → bound 1/√72.
    const bound = 1 / Math.sqrt(72);
    expect(Math.max(...weight.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...weight.map(Math.abs))).toBeGreaterThan(bound * 0.9);
    expect(Array.from(await read(b.namedParameters().get('hl.weight')!))).toEqual(
      Array.from(weight),
    );
    expect(Array.from(await read(c.namedParameters().get('hl.weight')!))).not.toEqual(
      Array.from(weight),
    );
    for (const m of [a, b, c]) m.dispose();
  });

  it('describe() gives the shapes apply() produces, for random layers, sizes and stride modes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          inChannels: fc.integer({ min: 1, max: 6 }),
          outChannels: fc.integer({ min: 1, max: 6 }),
          alphaIn: fc.constantFrom(0, 0.25, 0.5, 0.75, 1),
          alphaOut: fc.constantFrom(0, 0.25, 0.5, 0.75, 1),
          kernelSize: fc.constantFrom(1, 3, 5),
          stride: fc.constantFrom(1 as const, 2 as const),
          strideMode: fc.constantFrom('pool' as const, 'conv' as const),
          height: fc.integer({ min: 5, max: 13 }),
          width: fc.integer({ min: 5, max: 13 }),
          batch: fc.integer({ min: 1, max: 2 }),
        }),
        async (c) => {
          let layer: OctaveConv2d;
          try {
            layer = new OctaveConv2d({ ...c, padding: (c.kernelSize - 1) / 2, random: 1 });
          } catch (error) {
            // Both output bands empty or a path with no channels: refused up front, typed.
            expect(
              InvalidArgumentError.isInstance(error) || ShapeMismatchError.isInstance(error),
            ).toBe(true);
            return;
          }
          const description = layer.describe({ batch: c.batch, height: c.height, width: c.width });
          const x = {
            high: randomInput(description.input.high, 1),
            low: randomInput(description.input.low, 2),
          };
          const y = layer.apply(x);
          expect(y.high?.shape ?? null).toEqual(description.output.high);
          expect(y.low?.shape ?? null).toEqual(description.output.low);
          expect(description.layers).toHaveLength(1);
          tf.dispose([x.high, x.low, y.high, y.low].filter((t) => t !== null));
          layer.dispose();
        },
      ),
      { numRuns: 40, seed: 20261125 },
    );
  });

  it('MiniOctNet describes every layer in order, with shapes equal to the real forward', () => {
    const net = new MiniOctNet({ random: 1 });
    const description = net.describe({ batch: 2, height: 15, width: 17 });
    expect(description.layers.map((layer) => `${layer.kind} ${layer.name}`)).toEqual([
      'conv2d stem.0',
      'batch-norm stem.1',
      'relu stem.2',
      'octave-split split',
      'octave-conv b1.oct',
      'batch-norm b1.bn_h',
      'batch-norm b1.bn_l',
      'relu b1.act',
      'octave-conv b2.oct',
      'batch-norm b2.bn_h',
      'batch-norm b2.bn_l',
      'relu b2.act',
      'octave-merge merge',
      'global-avg-pool pool',
      'linear fc',
    ]);
    expect(description.layers[4]!.output).toEqual({ high: [2, 15, 17, 64], low: [2, 8, 9, 64] });
    const x = tf.randomNormal([2, 15, 17, 3]) as tf.Tensor4D;
    const y = net.apply(x);
    expect(y.shape).toEqual(description.output.high);
    tf.dispose([x, y]);
    net.dispose();
  });

  it('batch norm updates its running statistics in train mode only', async () => {
    const bn = new BatchNorm2d({ numFeatures: 2, momentum: 0.5 });
    const x = tf.tensor4d([1, 10, 3, 30], [2, 1, 1, 2]);
    tf.dispose(bn.eval().apply(x));
    expect(Array.from(await read(bn.runningMean))).toEqual([0, 0]);
    expect(bn.numBatchesTracked).toBe(0);
    tf.dispose(bn.train().apply(x));
    // mean [2, 20], unbiased variance [2, 200]; running = .5 · old + .5 · batch.
    expect(Array.from(await read(bn.runningMean))).toEqual([1, 10]);
    expect(Array.from(await read(bn.runningVar))).toEqual([1.5, 100.5]);
    expect(bn.numBatchesTracked).toBe(1);
    expect(Array.from(await bn.numBatchesTrackedVariable.data())).toEqual([1]);
    x.dispose();
    bn.dispose();
  });

  it('rejects a bad input before touching any tensor or statistic', async () => {
    const net = new MiniOctNet({ random: 1 });
    // Batch 1 at 2×2: the stem's batch norm sees 4 values, but b1's low band (1×1) only one.
    const tiny = tf.zeros([1, 2, 2, 3]) as tf.Tensor4D;
    const stemMean = await read(net.stemBn.runningMean);
    const start = nextTensorId();
    const error = captureError(() => net.apply(tiny)) as ShapeMismatchError;
    expect(nextTensorId()).toBe(start + 1);
    expect(ShapeMismatchError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(
      /^MiniOctNet\.apply: b1\.bn_l: expected more than 1 value per channel/,
    );
    expect(Array.from(await read(net.stemBn.runningMean))).toEqual(Array.from(stemMean));
    expect(net.stemBn.numBatchesTracked).toBe(0);
    const wrong = tf.zeros([1, 8, 8, 4]) as tf.Tensor4D;
    expect(String(captureError(() => net.apply(wrong)))).toContain(
      'MiniOctNet.apply: stem.0: expects [batch, height, width, 3], got [1, 8, 8, 4]',
    );
    // A PyTorch-layout batch: said plainly, with the transpose that fixes it, and no bands.
    const nchw = tf.zeros([2, 3, 16, 16]) as tf.Tensor4D;
    const channelsFirst = String(captureError(() => net.apply(nchw)));
    expect(channelsFirst).toContain(
      'MiniOctNet.apply: stem.0: expects [batch, height, width, 3], got [2, 3, 16, 16]; [2, 3, 16, 16] looks channels-first (NCHW',
    );
    expect(channelsFirst).toContain('tf.transpose(x, [0, 2, 3, 1]) to [2, 16, 16, 3]');
    expect(channelsFirst).not.toMatch(/high|low/);
    const first = new FirstOctaveConv({ inChannels: 3, outChannels: 8, random: 1 });
    expect(String(captureError(() => first.apply(nchw)))).toMatch(
      /^ShapeMismatchError: FirstOctaveConv\.apply: \(α_in 0\) expects \[batch, height, width, 3\], got \[2, 3, 16, 16\]; .* looks channels-first/,
    );
    // Inside a network, a plain layer handed both bands says what to do.
    expect(featureMapMismatch(4, { high: [1, 8, 8, 4], low: [1, 4, 4, 4] })).toBe(
      'expects one feature map [batch, height, width, 4], got an octave tensor (high [1, 8, 8, 4], low [1, 4, 4, 4]): merge its bands first (octaveMerge), or use an octave layer',
    );
    expect(featureMapMismatch(4, { high: [1, 8, 8, 3], low: null })).toBe(
      'expects [batch, height, width, 4], got [1, 8, 8, 3]',
    );
    first.dispose();
    nchw.dispose();
    const block = new OctaveConvBlock({ inChannels: 8, outChannels: 8, random: 1 });
    const high = tf.zeros([1, 8, 8, 4]) as tf.Tensor4D;
    const low = tf.zeros([1, 3, 3, 4]) as tf.Tensor4D;
    const bad = captureError(() => block.apply({ high, low })) as ShapeMismatchError;
    expect(bad.message).toContain(
      'OctaveConvBlock.apply: x.low is 3×3 but must be ceil(h/2)×ceil(w/2) = 4×4',
    );
    tf.dispose([tiny, wrong, high, low]);
    net.dispose();
    block.dispose();
  });

  it('rejects bad options with typed errors naming the constructor and the value', () => {
    const start = nextTensorId();
    const cases: [() => unknown, string][] = [
      [
        () => new OctaveConv2d({ inChannels: 0, outChannels: 4 }),
        'OctaveConv2d: options.inChannels must be an integer ≥ 1, got 0',
      ],
      [
        () => new OctaveConv2d({ inChannels: 4, outChannels: 4, alphaIn: 1.5 }),
        'OctaveConv2d: options.alphaIn must be a number in [0, 1], got 1.5',
      ],
      [
        () => new OctaveConv2d({ inChannels: 4, outChannels: 4, stride: 3 as 2 }),
        'OctaveConv2d: options.stride must be 1 or 2, got 3',
      ],
      [
        () => new OctaveConv2d({ inChannels: 4, outChannels: 4, strides: 2 } as never),
        'OctaveConv2d: unknown option "strides"',
      ],
      [
        () => new OctaveConv2d({ inChannels: 6, outChannels: 6, groups: 4 }),
        'OctaveConv2d: groups 4 must divide',
      ],
      [
        () => new OctaveConv2d({ inChannels: 4, outChannels: 4, kernelSize: 3, padding: 0 }),
        'OctaveConv2d:',
      ],
      [
        () => new FirstOctaveConv({ inChannels: 4, outChannels: 4, alphaIn: 0.5 } as never),
        'FirstOctaveConv: unknown option "alphaIn"',
      ],
      [
        () => new BatchNorm2d({ numFeatures: 4, momentum: 2 }),
        'BatchNorm2d: options.momentum must be in (0, 1], got 2',
      ],
      [() => new Linear({ inFeatures: 4 } as never), 'Linear: options.outFeatures is required'],
      [
        () => new MiniOctNet({ alpha: -1 }),
        'MiniOctNet: options.alpha must be a number in [0, 1], got -1',
      ],
    ];
    for (const [make, message] of cases) {
      const error = captureError(make) as InvalidArgumentError;
      expect(InvalidArgumentError.isInstance(error), message).toBe(true);
      expect(error.message).toContain(message);
    }
    expect(nextTensorId()).toBe(start + 1);
  });

  it('dispose() frees every variable; a disposed module refuses to run', async () => {
    const before = tf.memory().numTensors;
    const net = new MiniOctNet({ random: 1 });
    expect(tf.memory().numTensors - before).toBe(21 + 15);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const x = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
    expect(String(captureError(() => net.apply(x)))).toContain(
      'MiniOctNet.apply: the module has been disposed',
    );
    const { leaked } = await countNewTensors(() => captureError(() => net.apply(x)));
    expect(leaked).toBe(0);
    x.dispose();
  });
});
