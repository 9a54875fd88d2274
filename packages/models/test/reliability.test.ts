// Interleaved use of two models, errors thrown in the middle of a forward, and non-finite
// inputs: no leak, no cross-talk, and NaN/Inf propagate as in PyTorch (no masking).

import { captureError, describeEachBackend, read } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { MiniOctNet, OctaveConv2d } from '../src/index';

await describeEachBackend('reliability', (backend) => {
  it('two models used in turn, with failing calls between, give their solo results and leak nothing', async () => {
    const a = new MiniOctNet({ random: 1 }).eval();
    const b = new MiniOctNet({ random: 2, alpha: 0.25 }).eval();
    const x = tf.randomNormal([2, 12, 12, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const bad = tf.zeros([2, 12, 12, 4]) as tf.Tensor4D;
    const soloA = await read(a.apply(x));
    const soloB = await read(b.apply(x));
    const before = tf.memory().numTensors;
    for (let round = 0; round < 3; round++) {
      const ya = a.apply(x);
      expect(captureError(() => b.apply(bad))).toBeDefined();
      const yb = b.apply(x);
      expect(Array.from(await read(ya))).toEqual(Array.from(soloA));
      expect(Array.from(await read(yb))).toEqual(Array.from(soloB));
      tf.dispose([ya, yb]);
    }
    expect(tf.memory().numTensors).toBe(before);
    // An error in the middle of a forward (a weight disposed under the model): tidy frees what
    // the layers before it made.
    b.b2.oct.namedParameters().get('hh.weight')!.dispose();
    const countAfterDispose = tf.memory().numTensors;
    const error = captureError(() => b.apply(x));
    expect(String(error)).toContain('has been disposed');
    expect(tf.memory().numTensors).toBe(countAfterDispose);
    expect(Array.from(await read(a.apply(x)))).toEqual(Array.from(soloA));
    tf.dispose([x, bad]);
    a.dispose();
    b.dispose();
  });

  it('NaN and Inf in an input stay non-finite through an OctConv (NaN itself except on wasm)', async () => {
    const layer = new OctaveConv2d({ inChannels: 4, outChannels: 4, random: 1 });
    const values = new Float32Array(2 * 8 * 8 * 2).fill(0.5);
    values[0] = Number.NaN; // top-left pixel of the first image, high band
    const high = tf.tensor4d(values, [2, 8, 8, 2]);
    const lowValues = new Float32Array(2 * 4 * 4 * 2).fill(0.25);
    lowValues[lowValues.length - 1] = Number.POSITIVE_INFINITY; // last low pixel, second image
    const low = tf.tensor4d(lowValues, [2, 4, 4, 2]);
    const y = layer.apply({ high, low });
    const yh = await read(y.high!);
    const yl = await read(y.low!);
    // H→H and H→L carry the NaN into both bands of the first image; tfjs-backend-wasm 4.22's
    // XNNPACK convolution and pooling turn NaN into −Infinity (measured), still non-finite.
    const nanOrWasm = (v: number) =>
      backend.name === 'wasm' ? !Number.isFinite(v) : Number.isNaN(v);
    expect(nanOrWasm(yh[0]!), `high ${yh[0]}`).toBe(true);
    expect(nanOrWasm(yl[0]!), `low ${yl[0]}`).toBe(true);
    // The second image sees only the +Inf, in its bottom-right corner; its top-left stays finite.
    const perImage = yh.length / 2;
    expect(yh.subarray(perImage, perImage + 8).every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(yh[yh.length - 1]!)).toBe(false);
    tf.dispose([high, low, y.high!, y.low!]);
    layer.dispose();
  });
});
