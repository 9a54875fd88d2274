// The octave layers against @octconv/core on every backend: outputs and gradients equal
// octaveConv2d's with the layer's own weights, configs round-trip, and a LayersModel built from
// them predicts, trains with model.fit and survives model.save / tf.loadLayersModel.

import { type OctaveConvOptions, octaveConv2d, octaveMerge, octaveSplit } from '@octconv/core';
import { assertClose, describeEachBackend, read } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import {
  OctaveConv2D,
  type OctaveConv2DArgs,
  OctaveMerge,
  OctaveSplit,
  layers as oct,
} from '../src/index';

interface Case {
  label: string;
  args: OctaveConv2DArgs;
  /** Input channels per band; low 0 is a single input. */
  input: { high: number; low: number; size: number };
  core: OctaveConvOptions;
}

const CASES: Case[] = [
  {
    label: 'first layer (one input), odd size, bias',
    args: { filters: 6, kernelSize: 3, alphaOut: 0.5 },
    input: { high: 3, low: 0, size: 7 },
    core: { padding: 'same' },
  },
  {
    label: 'middle layer, padding 1, no bias, heNormal',
    args: {
      filters: 8,
      kernelSize: 3,
      alphaIn: 0.5,
      padding: 1,
      useBias: false,
      kernelInitializer: 'heNormal',
    },
    input: { high: 3, low: 3, size: 8 },
    core: { padding: 1 },
  },
  {
    label: 'last layer (one output), 1×3 kernel',
    args: { filters: 5, kernelSize: [1, 3], alphaOut: 0 },
    input: { high: 2, low: 4, size: 9 },
    core: { padding: 'same' },
  },
  {
    label: "1×1 kernel, padding 'valid'",
    args: { filters: 4, kernelSize: 1, alphaOut: 0.75, padding: 'valid' },
    input: { high: 2, low: 2, size: 6 },
    core: { padding: 0 },
  },
  {
    label: "stride 2 'pool'",
    args: { filters: 6, kernelSize: 3, strides: 2 },
    input: { high: 4, low: 2, size: 10 },
    core: { stride: 2, padding: 'same' },
  },
  {
    label: "stride 2 'conv', dilation 1, groups 2",
    args: {
      filters: 8,
      kernelSize: [3, 3],
      strides: [2, 2],
      strideMode: 'conv',
      groups: 2,
      padding: 1,
    },
    input: { high: 4, low: 4, size: 8 },
    core: { stride: 2, strideMode: 'conv', groups: 2, padding: 1 },
  },
  {
    label: 'depthwise, dilation 2',
    args: { filters: 6, kernelSize: 3, depthwise: true, dilationRate: 2 },
    input: { high: 3, low: 3, size: 9 },
    core: { groups: 6, dilation: 2, padding: 'same' },
  },
];

function inputs(c: Case, seed: number): tf.Tensor4D[] {
  const { high, low, size } = c.input;
  const half = Math.ceil(size / 2);
  const list = [tf.randomNormal([2, size, size, high], 0, 1, 'float32', seed) as tf.Tensor4D];
  if (low > 0)
    list.push(tf.randomNormal([2, half, half, low], 0, 1, 'float32', seed + 1) as tf.Tensor4D);
  return list;
}

async function expectClose(
  label: string,
  actual: tf.Tensor,
  expected: tf.Tensor,
  tolerance: { atol: number; rtol: number },
) {
  expect(actual.shape, label).toEqual(expected.shape);
  assertClose(label, await read(actual), await read(expected), tolerance);
}

await describeEachBackend('@octconv/layers', (backend) => {
  it.each(CASES)('OctaveConv2D equals octaveConv2d, forward and gradients: $label', async (c) => {
    const layer = new OctaveConv2D({ ...c.args, biasInitializer: 'randomNormal' });
    const x = inputs(c, 7);
    const output = layer.apply(x.length === 1 ? x[0]! : x) as tf.Tensor4D | tf.Tensor4D[];
    const bands = { high: x[0]!, low: x[1] ?? null };
    const reference = octaveConv2d(bands, layer.octaveWeights(), c.core);
    const list = Array.isArray(output) ? output : [output];
    const expected = [reference.high, reference.low].filter((t): t is tf.Tensor4D => t !== null);
    expect(list.length).toBe(expected.length);
    for (let i = 0; i < list.length; i++)
      await expectClose(`output ${i}`, list[i]!, expected[i]!, backend.tolerance);
    const computed = layer.computeOutputShape(x.length === 1 ? x[0]!.shape : x.map((t) => t.shape));
    const shapes = Array.isArray(computed[0]) ? computed : [computed];
    expect(shapes).toEqual(expected.map((t) => t.shape));

    // Gradients: a weighted sum of the outputs, through the layer (its LayerVariables, as fit
    // sees them) and through octaveConv2d (its filters and biases).
    const cotangents = expected.map((t, i) => tf.randomNormal(t.shape, 0, 1, 'float32', 40 + i));
    const loss = (outs: tf.Tensor[]) =>
      tf.addN(outs.map((t, i) => tf.sum(tf.mul(t, cotangents[i]!)))) as tf.Scalar;
    const variables = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const viaLayer = tf.variableGrads(() => {
      const out = layer.apply(x.length === 1 ? x[0]! : x) as tf.Tensor | tf.Tensor[];
      return loss(Array.isArray(out) ? out : [out]);
    }, variables);
    const viaCore = tf.variableGrads(() => {
      const out = octaveConv2d(bands, layer.octaveWeights(), c.core);
      return loss([out.high, out.low].filter((t): t is tf.Tensor4D => t !== null));
    }, variables);
    expect(Object.keys(viaLayer.grads).length).toBe(variables.length);
    for (const v of variables) {
      const g = viaLayer.grads[v.name]!;
      expect(g.shape).toEqual(v.shape);
      await expectClose(`d/d${v.name}`, g, viaCore.grads[v.name]!, backend.tolerance);
      expect(Math.max(...(await read(tf.abs(g))))).toBeGreaterThan(0);
    }
    tf.dispose([x, list, expected, cotangents, viaLayer, viaCore]);
    layer.dispose();
  });

  it('OctaveSplit and OctaveMerge equal octaveSplit and octaveMerge (odd size)', async () => {
    const x = tf.randomNormal([2, 7, 7, 10], 0, 1, 'float32', 3) as tf.Tensor4D;
    const [high, low] = new OctaveSplit({ alpha: 0.25 }).apply(x) as tf.Tensor4D[];
    const ref = octaveSplit(x, 0.25);
    expect(high!.shape).toEqual([2, 7, 7, 8]);
    expect(low!.shape).toEqual([2, 4, 4, 2]);
    await expectClose('high', high!, ref.high!, backend.tolerance);
    await expectClose('low', low!, ref.low!, backend.tolerance);
    const merged = new OctaveMerge().apply([high!, low!]) as tf.Tensor4D;
    await expectClose('merged', merged, octaveMerge(ref), backend.tolerance);
    tf.dispose([x, high!, low!, ref.high!, ref.low!, merged]);
  });

  it('a LayersModel predicts, fits with callbacks and validation, and saves and reloads identically', async () => {
    const input = tfl.input({ shape: [8, 8, 3] });
    let bands = oct
      .octaveConv2d({ filters: 8, kernelSize: 3, alphaOut: 0.5, kernelRegularizer: 'l1l2' })
      .apply(input) as tfl.SymbolicTensor[];
    bands = bands.map(
      (band) => tfl.layers.batchNormalization({}).apply(band) as tfl.SymbolicTensor,
    );
    bands = bands.map((band) => tfl.layers.reLU({}).apply(band) as tfl.SymbolicTensor);
    const last = oct
      .octaveConv2d({ filters: 8, kernelSize: 3, alphaOut: 0.25, strides: 2 })
      .apply(bands) as tfl.SymbolicTensor[];
    const merged = oct.octaveMerge().apply(last) as tfl.SymbolicTensor;
    const pooled = tfl.layers.globalAveragePooling2d({}).apply(merged) as tfl.SymbolicTensor;
    const logits = tfl.layers.dense({ units: 2 }).apply(pooled) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: logits });
    model.compile({
      optimizer: tf.train.adam(0.02),
      loss: (y, p) => tf.losses.softmaxCrossEntropy(y, p),
      metrics: ['accuracy'],
    });

    // Two classes: bright top half or bright bottom half, which the low band sees.
    const n = 16;
    const labels = Array.from({ length: n }, (_, i) => i % 2);
    const xs = tf.tidy(() => {
      const noise = tf.randomUniform([n, 8, 8, 3], -0.3, 0.3, 'float32', 5);
      const rows = tf.reshape(tf.tensor1d(labels), [n, 1, 1, 1]);
      const top = tf.concat([tf.ones([1, 4, 8, 3]), tf.zeros([1, 4, 8, 3])], 1);
      return tf.add(noise, tf.add(tf.mul(top, tf.sub(1, rows)), tf.mul(tf.reverse(top, 1), rows)));
    });
    const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 2);
    const seen: { epoch: number; tensors: number; loss: number; valLoss: number }[] = [];
    const history = await model.fit(xs, ys, {
      epochs: 6,
      batchSize: 8,
      validationSplit: 0.25,
      callbacks: {
        onEpochEnd: (epoch, logs) => {
          seen.push({
            epoch,
            tensors: tf.memory().numTensors,
            loss: logs!.loss!,
            valLoss: logs!.val_loss!,
          });
        },
      },
    });
    expect(seen.length).toBe(6);
    expect(history.history.acc).toHaveLength(6);
    expect(seen[5]!.loss).toBeLessThan(seen[0]!.loss);
    for (const s of seen) expect(Number.isFinite(s.valLoss)).toBe(true);
    // No tensor per epoch: after the optimizer's first-epoch state, the count stays put.
    expect(seen[5]!.tensors).toBe(seen[1]!.tensors);

    const before = model.predict(xs) as tf.Tensor;
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const json = JSON.stringify(saved!.modelTopology);
    expect(json).toContain('"class_name":"OctaveConv2D"');
    expect(json).toContain('"class_name":"OctaveMerge"');
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    const after = loaded.predict(xs) as tf.Tensor;
    expect(Array.from(await read(after))).toEqual(Array.from(await read(before)));
    tf.dispose([xs, ys, before, after]);
    model.dispose();
    loaded.dispose();
  });
});
