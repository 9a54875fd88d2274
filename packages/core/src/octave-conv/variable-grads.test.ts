// Training through octaveConv2d with tfjs-core alone: tf.Variable filters and biases,
// tf.variableGrads, and a tfjs optimizer step. The scalar loss is a tf.customGrad, which needs no
// registered gradients (tfjs-core has none for Sum or Multiply).

import { assertClose, createRandom, describeEachBackend, refOctaveConv } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  BASE_CASE,
  buildCase,
  caseOptions,
  casePaths,
  type OctaveCase,
} from '../../test/octave-case';
import { type OctaveConvWeights, octaveConv2d, octaveMerge } from '../index';

const weightedSum = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [y, r, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([y, r]); // intermediates of the forward are disposed before the backward runs
  return {
    value: tf.sum(tf.mul(y, r)),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(dy, saved[1]!), tf.mul(dy, saved[0]!)],
  };
});

const layer: OctaveCase = {
  ...BASE_CASE,
  height: 7,
  width: 6,
  channelsIn: { high: 3, low: 3 },
  bias: true,
  seed: 42,
};

await describeEachBackend('tf.variableGrads and optimizers', (backend) => {
  it('variable gradients equal the reference, and an Adam step leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const built = buildCase(layer);
    const options = caseOptions(layer);
    const ref = built.graph;
    const refOut = refOctaveConv(ref, built.refInputs, built.refWeights, options);
    const merged = ref.concatChannels(refOut.high!, ref.up(refOut.low!, layer.height, layer.width));
    const random = createRandom(7);
    const seed = Float32Array.from(merged.data, () => random() * 2 - 1);
    ref.backward([[merged, seed]]);

    // Variables named after the seed's state_dict keys.
    const variables = new Map<string, tf.Variable>();
    const weights: OctaveConvWeights = {};
    const refGrads = new Map<string, Float64Array>();
    let k = built.inputs.high ? 1 : 0;
    k += built.inputs.low ? 1 : 0;
    for (const path of casePaths(layer)) {
      const filter = tf.variable(built.sources[k]!, true, `${path.name}.weight`);
      refGrads.set(filter.name, built.refSources[k++]!.grad);
      const bias = tf.variable(built.sources[k]!, true, `${path.name}.bias`);
      refGrads.set(bias.name, built.refSources[k++]!.grad);
      variables.set(filter.name, filter).set(bias.name, bias);
      weights[path.name] = {
        filter: filter as tf.Variable<tf.Rank.R4>,
        bias: bias as tf.Variable<tf.Rank.R1>,
      };
    }
    const r = tf.tensor(seed, merged.shape);
    const loss = () =>
      weightedSum(octaveMerge(octaveConv2d(built.inputs, weights, options)), r) as tf.Scalar;

    const { value, grads } = tf.variableGrads(loss);
    expect(Object.keys(grads).sort()).toEqual([...variables.keys()].sort());
    for (const [name, grad] of Object.entries(grads)) {
      assertClose(name, await grad.data(), refGrads.get(name)!, backend.tolerance);
    }
    tf.dispose([value, ...Object.values(grads)]);

    const optimizer = tf.train.adam(0.01);
    const snapshot = await variables.get('hh.weight')!.data();
    const first = optimizer.minimize(loss, true);
    for (let step = 0; step < 3; step++) tf.dispose(optimizer.minimize(loss, true) ?? []);
    expect(Array.from(await variables.get('hh.weight')!.data())).not.toEqual(Array.from(snapshot));
    tf.dispose(first ?? []);
    optimizer.dispose();
    tf.dispose([r, ...variables.values()]);
    built.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
