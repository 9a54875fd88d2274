// The gradients are our own (tfjs-core registers none), lazy (a gradient nobody asked for is not
// computed), and use only forward kernels that every backend has.

import { describeEachBackend } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { octaveConv2d } from '../index';

async function kernelsOf(fn: () => tf.Tensor[]): Promise<string[]> {
  let out: tf.Tensor[] = [];
  const info = await tf.profile(() => {
    out = fn();
    return out;
  });
  tf.dispose(out);
  return info.kernels.map((kernel) => kernel.name);
}

await describeEachBackend('gradient kernels', () => {
  it('tfjs-core alone has no gradient for Conv2D; ours is registered under Octconv* names', () => {
    expect(tf.getGradient('Conv2D')).toBeUndefined();
    const x = tf.ones([1, 4, 4, 2]) as tf.Tensor4D;
    const f = tf.ones([3, 3, 2, 2]) as tf.Tensor4D;
    const y = octaveConv2d({ high: x, low: null }, { hh: { filter: f } });
    expect(tf.getGradient('OctconvConv2D')).toBeDefined();
    tf.dispose([x, f, y.high!]);
  });

  it('computes the input gradient only when it is asked for', async () => {
    const x = tf.randomUniform([1, 6, 6, 4]) as tf.Tensor4D;
    const f = tf.randomUniform([3, 3, 4, 4]) as tf.Tensor4D;
    const dy = tf.ones([1, 6, 6, 4]);
    const layer = (input: tf.Tensor, filter: tf.Tensor) =>
      octaveConv2d(
        { high: input as tf.Tensor4D, low: null },
        { hh: { filter: filter as tf.Tensor4D } },
      ).high!;
    const filterOnly = await kernelsOf(() =>
      tf.grads((filter: tf.Tensor) => layer(x, filter))([f], dy),
    );
    const both = await kernelsOf(() =>
      tf.grads((input: tf.Tensor, filter: tf.Tensor) => layer(input, filter))([x, f], dy),
    );
    const convs = (names: string[]) => names.filter((n) => n === 'Conv2D').length;
    expect(convs(filterOnly)).toBe(1); // dW as one forward convolution
    expect(convs(both)).toBe(2); // plus dx
    for (const names of [filterOnly, both]) {
      expect(names).not.toContain('Conv2DBackpropFilter');
      expect(names).not.toContain('Conv2DBackpropInput');
    }
    tf.dispose([x, f, dy]);
  });
});
