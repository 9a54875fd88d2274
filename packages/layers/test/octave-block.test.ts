// OctaveBlock2D, PerBand and OctaveConv2D's activation on every backend: a tf.sequential of
// octaveBlock2D fits, saves and reloads (the body is test/shared/sequential-round-trip.ts, which a
// browser page can call as well); the block equals split → octaveConv2d → batch norm → ReLU →
// merge written with @octconv/core; perBand's batch norm, dropout and ReLU train and round-trip;
// a one-band OctaveConv2D equals tf.layers.conv2d, forward and gradients, at strides 1 and 2.

import { InvalidArgumentError, octaveConv2d, octaveMerge, octaveSplit } from '@octconv/core';
import { assertClose, describeEachBackend, read, setupBackend } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { OctaveBlock2D, OctaveConv2D, layers as oct, PerBand } from '../src/index';
import {
  brightHalves,
  problemsOf,
  reload,
  sequentialRoundTrip,
} from './shared/sequential-round-trip';

/** model.fit on WebGPU in Node is SwiftShader on the CPU: minutes on a busy machine. */
const SLOW = 400_000;

async function expectClose(
  label: string,
  actual: tf.Tensor,
  expected: tf.Tensor | ArrayLike<number>,
  tolerance: { atol: number; rtol: number },
) {
  if (expected instanceof tf.Tensor) expect(actual.shape, label).toEqual(expected.shape);
  assertClose(
    label,
    await read(actual),
    expected instanceof tf.Tensor ? await read(expected) : expected,
    tolerance,
  );
}

await describeEachBackend('@octconv/layers blocks', (backend) => {
  it(
    'a tf.sequential of octaveBlock2D and tfjs layers fits, saves, reloads and predicts the same',
    async () => {
      const result = await sequentialRoundTrip();
      expect(result.backend).toBe(backend.name);
      expect(problemsOf(result)).toEqual([]);
    },
    SLOW,
  );

  it('OctaveBlock2D equals split → octaveConv2d → batch norm → ReLU per band → merge (inference)', async () => {
    const block = new OctaveBlock2D({
      inputShape: [9, 9, 8],
      filters: [6, 4],
      kernelSize: 3,
      alpha: 0.25,
      strides: 2,
      batchNorm: { momentum: 0.9, epsilon: 1e-5 },
      activation: 'relu',
      kernelInitializer: 'heNormal',
    });
    const x = tf.randomNormal([2, 9, 9, 8], 0, 1, 'float32', 21) as tf.Tensor4D;
    const model = tfl.sequential({ layers: [block] });
    // Batch-norm statistics other than the initial ones, so the check sees them.
    const norms = block.weights.filter((w) => /moving_|gamma|beta/.test(w.originalName));
    expect(norms).toHaveLength(16);
    for (const [i, w] of norms.entries()) {
      const value = /variance|gamma/.test(w.originalName)
        ? tf.randomUniform(w.shape as number[], 0.5, 2, 'float32', 60 + i)
        : tf.randomNormal(w.shape as number[], 0, 0.5, 'float32', 60 + i);
      w.write(value);
      value.dispose();
    }
    const y = model.predict(x) as tf.Tensor4D;
    expect(y.shape).toEqual(block.computeOutputShape([2, 9, 9, 8]));
    expect(y.shape).toEqual([2, 5, 5, 4]);

    const named = new Map(
      block.weights.map((w) => [w.originalName.split('/').slice(1).join('/'), w.read()]),
    );
    const expected = tf.tidy(() => {
      let bands = octaveSplit(x, 0.25);
      for (const [i, stride] of [2, 1].entries()) {
        const weights = Object.fromEntries(
          (['hh', 'hl', 'lh', 'll'] as const).map((p) => [
            p,
            { filter: named.get(`conv_${i}/${p}_kernel`) as tf.Tensor4D, bias: null },
          ]),
        );
        const out = octaveConv2d(bands, weights, { stride: stride as 1 | 2, padding: 'same' });
        const norm = (t: tf.Tensor4D, band: string) => {
          const w = (k: string) => named.get(`bn_${i}/bn_${i}_${band}/${k}`)!;
          const scaled = tf.div(
            tf.sub(t, w('moving_mean')),
            tf.sqrt(tf.add(w('moving_variance'), 1e-5)),
          );
          return tf.relu(tf.add(tf.mul(scaled, w('gamma')), w('beta'))) as tf.Tensor4D;
        };
        bands = { high: norm(out.high!, 'high'), low: norm(out.low!, 'low') };
      }
      return octaveMerge(bands);
    });
    await expectClose('block', y, expected, backend.tolerance);
    tf.dispose([x, y, expected]);
    model.dispose();
  });

  it(
    'perBand batch norm, dropout and ReLU train per band and round-trip through save and load',
    async () => {
      const input = tfl.input({ shape: [8, 8, 4] });
      let bands = oct
        .octaveConv2d({ filters: 8, kernelSize: 3, alphaOut: 0.5, useBias: false })
        .apply(input) as tfl.SymbolicTensor[];
      const norm = oct.perBand(() => tfl.layers.batchNormalization({ momentum: 0.5 }));
      bands = norm.apply(bands) as tfl.SymbolicTensor[];
      bands = oct
        .perBand(() => tfl.layers.dropout({ rate: 0.2 }))
        .apply(bands) as tfl.SymbolicTensor[];
      bands = oct.perBand(() => tfl.layers.reLU()).apply(bands) as tfl.SymbolicTensor[];
      const merged = oct.octaveMerge().apply(bands) as tfl.SymbolicTensor;
      const pooled = tfl.layers.globalAveragePooling2d({}).apply(merged) as tfl.SymbolicTensor;
      const logits = tfl.layers.dense({ units: 2 }).apply(pooled) as tfl.SymbolicTensor;
      const model = tfl.model({ inputs: input, outputs: logits });
      expect(bands[0]!.shape).toEqual([null, 8, 8, 4]);
      expect(bands[1]!.shape).toEqual([null, 4, 4, 4]);
      // Each band its own batch norm: [gamma, beta] × 2 trainable, the moving statistics not.
      expect(norm.trainableWeights.map((w) => w.shape)).toEqual([[4], [4], [4], [4]]);
      expect(norm.nonTrainableWeights).toHaveLength(4);
      model.compile({
        optimizer: tf.train.adam(0.03),
        loss: (y: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, p),
      });
      const { xs, ys } = brightHalves(16, 8, 4, 5);
      const movingBefore = await read(norm.nonTrainableWeights[2]!.read());
      const history = await model.fit(xs, ys, { epochs: 8, batchSize: 8, shuffle: false });
      const losses = history.history.loss as number[];
      expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.8);
      // fit ran the batch norms in training mode: the low band's moving mean moved.
      const movingAfter = await read(norm.nonTrainableWeights[2]!.read());
      expect(Array.from(movingAfter)).not.toEqual(Array.from(movingBefore));

      const before = model.predict(xs) as tf.Tensor;
      const { loaded, json } = await reload(model);
      expect(json).toContain('"class_name":"PerBand"');
      const after = loaded.predict(xs) as tf.Tensor;
      expect(Array.from(await read(after))).toEqual(Array.from(await read(before)));

      // Frozen, it keeps its weights out of training.
      norm.trainable = false;
      expect(norm.trainableWeights).toEqual([]);
      expect(norm.nonTrainableWeights).toHaveLength(8);
      tf.dispose([xs, ys, before, after]);
      model.dispose();
      loaded.dispose();
    },
    SLOW,
  );

  it('activation on OctaveConv2D applies to each band, as tf.layers.conv2d names it', async () => {
    const x = [
      tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 1) as tf.Tensor4D,
      tf.randomNormal([2, 3, 3, 3], 0, 1, 'float32', 2) as tf.Tensor4D,
    ];
    for (const [name, fn] of [
      ['relu', tf.relu],
      ['relu6', tf.relu6],
      ['tanh', tf.tanh],
    ] as const) {
      const layer = new OctaveConv2D({
        filters: 8,
        kernelSize: 3,
        activation: name,
        biasInitializer: 'randomNormal',
      });
      const [high, low] = layer.apply(x) as tf.Tensor4D[];
      const reference = octaveConv2d({ high: x[0]!, low: x[1]! }, layer.octaveWeights(), {
        padding: 'same',
      });
      const expectedHigh = fn(reference.high!);
      const expectedLow = fn(reference.low!);
      await expectClose(`${name} high`, high!, expectedHigh, backend.tolerance);
      await expectClose(`${name} low`, low!, expectedLow, backend.tolerance);
      expect(layer.getConfig().activation).toBe(name);
      tf.dispose([high!, low!, reference.high!, reference.low!, expectedHigh, expectedLow]);
      layer.dispose();
    }
    tf.dispose(x);
  });

  // The reference is tf.layers.conv2d on the cpu backend (tfjs-backend-wasm 4.22 has no
  // Conv2DBackpropFilter kernel, so conv2d's own gradients do not run there).
  it.each([
    { strides: 1, size: 7, padding: 'same' },
    { strides: 2, size: 8, padding: 'same' },
    { strides: 2, size: 9, padding: 'same' },
    { strides: 2, size: 9, padding: 'valid' },
  ] as const)(
    'alphaIn 0, alphaOut 0 equals tf.layers.conv2d, forward and gradients: stride $strides, $size×$size, $padding',
    async ({ strides, size, padding }) => {
      const make = () => ({
        x: tf.randomNormal([2, size, size, 3], 0, 1, 'float32', 8) as tf.Tensor4D,
        kernel: tf.randomNormal([3, 3, 3, 5], 0, 0.5, 'float32', 9) as tf.Tensor4D,
        bias: tf.randomNormal([5], 0, 0.5, 'float32', 10) as tf.Tensor1D,
        cotangent: null as tf.Tensor | null,
      });
      const run = (layer: tfl.layers.Layer, values: ReturnType<typeof make>) => {
        layer.build(values.x.shape);
        layer.setWeights([values.kernel, values.bias]);
        const y = layer.apply(values.x) as tf.Tensor4D;
        const cotangent = tf.randomNormal(y.shape, 0, 1, 'float32', 11);
        const [w, b] = layer.trainableWeights.map((v) => v.read() as tf.Variable);
        const { grads } = tf.variableGrads(
          () => tf.sum(tf.mul(layer.apply(values.x) as tf.Tensor, cotangent)) as tf.Scalar,
          [w!, b!],
        );
        const dx = tf.grad((input: tf.Tensor) =>
          tf.sum(tf.mul(layer.apply(input) as tf.Tensor, cotangent)),
        )(values.x);
        const out = [y, grads[w!.name]!, grads[b!.name]!, dx];
        tf.dispose([cotangent, values.x, values.kernel, values.bias]);
        return out;
      };
      await setupBackend('cpu');
      const reference = await Promise.all(
        run(tfl.layers.conv2d({ filters: 5, kernelSize: 3, strides, padding }), make()).map(
          async (t) => {
            const values = { shape: t.shape, data: await read(t) };
            t.dispose();
            return values;
          },
        ),
      );
      await setupBackend(backend.name);
      const layer = new OctaveConv2D({
        filters: 5,
        kernelSize: 3,
        alphaIn: 0,
        alphaOut: 0,
        strides,
        padding,
      });
      const actual = run(layer, make());
      for (const [i, label] of ['output', 'd/dkernel', 'd/dbias', 'd/dx'].entries()) {
        expect(actual[i]!.shape, label).toEqual(reference[i]!.shape);
        await expectClose(label, actual[i]!, reference[i]!.data, backend.tolerance);
      }
      expect(layer.getConfig().strideMode).toBeNull();
      tf.dispose(actual);
    },
  );

  it('an int32 input is an InvalidArgumentError naming the layer', async () => {
    const layer = new OctaveConv2D({ name: 'first_oct', filters: 4, kernelSize: 3 });
    const image = tf.zeros([1, 4, 4, 3], 'int32');
    const before = tf.memory().numTensors;
    let caught: unknown;
    try {
      layer.apply(image);
    } catch (error) {
      caught = error;
    }
    expect(InvalidArgumentError.isInstance(caught)).toBe(true);
    expect((caught as Error).message).toMatch(/"first_oct" takes float32 inputs, got int32/);
    // The weights built on the way are the layer's; nothing else is left.
    expect(tf.memory().numTensors - before).toBe(layer.weights.length);
    const block = oct.octaveBlock2D({ name: 'blk', filters: [4], kernelSize: 3 });
    expect(() => block.apply(tf.zeros([1, 4, 4, 4], 'int32'))).toThrow(
      /"blk" takes float32 inputs/,
    );
    tf.dispose(image);
    layer.dispose();
  });
});

// Config-level behaviour (no tensors), once.
it('PerBand and OctaveBlock2D refuse what they cannot do, with typed errors', () => {
  const shared = tfl.layers.reLU();
  const errors = [
    () => oct.perBand(() => shared),
    () => new PerBand({ layer: 'relu' as never }),
    () => oct.octaveBlock2D({ filters: [], kernelSize: 3 }),
    () => oct.octaveBlock2D({ filters: [4, 2.5], kernelSize: 3 }),
    () => oct.octaveBlock2D({ filters: [4], kernelSize: 3, batchNorm: 'yes' as never }),
    () => oct.octaveBlock2D({ filters: [4], kernelSize: 3, activation: 'rleu' as never }),
    () => new OctaveConv2D({ filters: 4, kernelSize: 3, activation: 'rleu' as never }),
  ];
  const messages = errors.map((make) => {
    try {
      make();
    } catch (error) {
      expect(InvalidArgumentError.isInstance(error), String(error)).toBe(true);
      return (error as Error).message;
    }
    return 'no error';
  });
  expect(messages[0]).toMatch(/same layer for both bands/);
  expect(messages[1]).toMatch(/args.layer must be a function/);
  expect(messages[2]).toMatch(/args.filters must be a non-empty array/);
  expect(messages[3]).toMatch(/args.filters\[1\] must be an integer ≥ 1, got 2.5/);
  expect(messages[4]).toMatch(/args.batchNorm must be true, false/);
  expect(messages[5]).toMatch(/args.activation must be an activation/);
  expect(messages[6]).toMatch(/args.activation must be an activation/);

  // padding 'valid' with a 3×3 kernel breaks the bands' sizes; the error says 'valid'.
  const valid = new OctaveConv2D({ filters: 4, kernelSize: 3, padding: 'valid' });
  expect(() => valid.computeOutputShape([1, 8, 8, 3])).toThrow(
    /padding 'valid' works in an octave layer only with a 1×1 kernel \(got 3×3\)/,
  );
});
