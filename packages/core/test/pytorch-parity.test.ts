// Parity with PyTorch: fixtures made by fixtures/make_fixtures.py (`pnpm fixtures`, Debian's
// python3-torch) from a module written from the seed notebook. Forward outputs and the gradients
// of L = Σ seed ⊙ merge(Y_H, Y_L) for inputs and every parameter, on every backend.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assertClose, describeEachBackend } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  type OctaveConvWeights,
  octaveConv2d,
  octaveConvOutputShape,
  octaveMerge,
  type PathName,
  type StrideMode,
  splitChannels,
} from '../src/index';

interface Stored {
  shape: number[];
  values: number[];
}
interface Fixture {
  name: string;
  config: {
    batch: number;
    height: number;
    width: number;
    inChannels: number;
    outChannels: number;
    alphaIn: number;
    alphaOut: number;
    kernelSize: number;
    stride: 1 | 2;
    padding: number;
    bias: boolean;
    dilation: number;
    groups: number;
    strideMode: StrideMode;
  };
  split: { inHigh: number; inLow: number; outHigh: number; outLow: number };
  inputs: { high: Stored | null; low: Stored | null };
  parameters: Record<string, Stored & { grad: number[] }>;
  outputs: { high: Stored | null; low: Stored | null };
  lossSeed: Stored;
  inputGrads: { high: number[] | null; low: number[] | null };
}

const fixtures: { torch: string; cases: Fixture[] } = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/octave-conv2d.json', import.meta.url)), 'utf8'),
);

describe('PyTorch fixtures: shapes and channel split', () => {
  it.each(fixtures.cases.map((c) => [c.name, c] as const))('%s', (_name, fixture) => {
    const { config, split } = fixture;
    expect(splitChannels(config.inChannels, config.alphaIn)).toEqual({
      high: split.inHigh,
      low: split.inLow,
    });
    expect(splitChannels(config.outChannels, config.alphaOut)).toEqual({
      high: split.outHigh,
      low: split.outLow,
    });
    const { bias: _bias, ...spec } = config;
    const plan = octaveConvOutputShape(spec);
    expect(plan.output.high).toEqual(fixture.outputs.high?.shape ?? null);
    expect(plan.output.low).toEqual(fixture.outputs.low?.shape ?? null);
  });
});

await describeEachBackend(`PyTorch parity (torch ${fixtures.torch})`, (backend) => {
  it.each(fixtures.cases.map((c) => [c.name, c] as const))('%s', async (_name, fixture) => {
    const before = tf.memory().numTensors;
    const tensors: tf.Tensor[] = [];
    const make = (stored: Stored) => {
      const t = tf.tensor(stored.values, stored.shape, 'float32');
      tensors.push(t);
      return t;
    };
    const high = fixture.inputs.high ? (make(fixture.inputs.high) as tf.Tensor4D) : null;
    const low = fixture.inputs.low ? (make(fixture.inputs.low) as tf.Tensor4D) : null;
    // The seed's state_dict names map one to one onto our weights: hh.weight → weights.hh.filter.
    const parameterNames = Object.keys(fixture.parameters);
    const parameters = parameterNames.map((key) => make(fixture.parameters[key]!));
    const options = {
      stride: fixture.config.stride,
      padding: fixture.config.padding,
      dilation: fixture.config.dilation,
      groups: fixture.config.groups,
      strideMode: fixture.config.strideMode,
    };
    const weightsFrom = (values: tf.Tensor[]): OctaveConvWeights => {
      const weights: OctaveConvWeights = {};
      parameterNames.forEach((key, i) => {
        const [path, kind] = key.split('.') as [PathName, 'weight' | 'bias'];
        const entry = weights[path] ?? { filter: undefined as unknown as tf.Tensor4D };
        if (kind === 'weight') entry.filter = values[i] as tf.Tensor4D;
        else entry.bias = values[i] as tf.Tensor1D;
        weights[path] = entry;
      });
      return weights;
    };

    const y = octaveConv2d({ high, low }, weightsFrom(parameters), options);
    for (const band of ['high', 'low'] as const) {
      const expected = fixture.outputs[band];
      expect(y[band]?.shape ?? null).toEqual(expected?.shape ?? null);
      if (expected)
        assertClose(`${band} output`, await y[band]!.data(), expected.values, backend.tolerance);
    }
    tensors.push(...[y.high, y.low].filter((t): t is tf.Tensor4D => t !== null));

    const sources = [high, low].filter((t): t is tf.Tensor4D => t !== null);
    const dy = make(fixture.lossSeed);
    const grads = tf.grads((...args: tf.Tensor[]) => {
      const inputs = {
        high: high ? (args[0] as tf.Tensor4D) : null,
        low: low ? (args[high ? 1 : 0] as tf.Tensor4D) : null,
      };
      return octaveMerge(octaveConv2d(inputs, weightsFrom(args.slice(sources.length)), options));
    })([...sources, ...parameters], dy);
    tensors.push(...grads);
    const expectedGrads = [
      ...(['high', 'low'] as const).flatMap((band) =>
        fixture.inputGrads[band] ? [[`d x.${band}`, fixture.inputGrads[band]!] as const] : [],
      ),
      ...parameterNames.map((key) => [`d ${key}`, fixture.parameters[key]!.grad] as const),
    ];
    for (let i = 0; i < grads.length; i++) {
      assertClose(
        expectedGrads[i]![0],
        await grads[i]!.data(),
        expectedGrads[i]![1],
        backend.tolerance,
      );
    }
    tf.dispose(tensors);
    expect(tf.memory().numTensors).toBe(before);
  });
});
