// Every rejected call: the right class and code, a message naming the function and the value,
// and not one tensor created or leaked, on every backend.

import { captureError, describeEachBackend, nextTensorId } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  downsample,
  InvalidArgumentError,
  octaveConv2d,
  octaveMerge,
  octaveSplit,
  ShapeMismatchError,
  upsample,
} from '../index';

type ErrorClass = typeof InvalidArgumentError | typeof ShapeMismatchError;

await describeEachBackend('bad input', () => {
  let t: Record<string, tf.Tensor>;
  beforeAll(async () => {
    const disposed = tf.zeros([1, 8, 8, 4]);
    disposed.dispose();
    t = {
      high: tf.zeros([2, 8, 8, 4]),
      low: tf.zeros([2, 4, 4, 4]),
      odd: tf.zeros([2, 7, 7, 4]),
      oddLow: tf.zeros([2, 4, 4, 4]),
      wrongLow: tf.zeros([2, 3, 4, 4]),
      otherBatch: tf.zeros([1, 4, 4, 4]),
      rank3: tf.zeros([8, 8, 4]),
      int: tf.zeros([2, 8, 8, 4], 'int32'),
      f44: tf.zeros([3, 3, 4, 4]),
      f43: tf.zeros([3, 3, 4, 3]),
      f34: tf.zeros([3, 3, 3, 4]),
      f54: tf.zeros([5, 5, 4, 4]),
      f24: tf.zeros([3, 3, 2, 4]),
      f14: tf.zeros([3, 3, 1, 4]),
      rank3Filter: tf.zeros([3, 4, 4]),
      bias3: tf.zeros([3]),
      bias4: tf.zeros([4]),
      empty: tf.zeros([2, 8, 8, 0]),
      disposed,
    };
  });
  afterAll(() => tf.dispose(Object.values(t).filter((x) => !x.isDisposed)));

  const full = () => ({
    hh: { filter: t.f44 as tf.Tensor4D },
    hl: { filter: t.f44 as tf.Tensor4D },
    lh: { filter: t.f44 as tf.Tensor4D },
    ll: { filter: t.f44 as tf.Tensor4D },
  });
  const x = () => ({ high: t.high as tf.Tensor4D, low: t.low as tf.Tensor4D });

  const table: [string, () => unknown, ErrorClass, string, RegExp][] = [
    [
      'α above 1',
      () => octaveSplit(t.high as tf.Tensor4D, 1.5),
      InvalidArgumentError,
      'octaveSplit',
      /alpha .* got 1\.5/,
    ],
    [
      'α NaN',
      () => octaveSplit(t.high as tf.Tensor4D, Number.NaN),
      InvalidArgumentError,
      'octaveSplit',
      /got NaN/,
    ],
    [
      'split of int32',
      () => octaveSplit(t.int as tf.Tensor4D, 0.5),
      ShapeMismatchError,
      'octaveSplit',
      /float32, got int32/,
    ],
    [
      'split of rank 3',
      () => octaveSplit(t.rank3 as tf.Tensor4D, 0.5),
      ShapeMismatchError,
      'octaveSplit',
      /rank 4 .* shape \[8, 8, 4\]/,
    ],
    [
      'merge of nothing',
      () => octaveMerge({ high: null, low: null }),
      InvalidArgumentError,
      'octaveMerge',
      /both null/,
    ],
    [
      'merge with a wrong low size',
      () => octaveMerge({ high: t.high as tf.Tensor4D, low: t.wrongLow as tf.Tensor4D }),
      ShapeMismatchError,
      'octaveMerge',
      /3×4 but must be .* 4×4/,
    ],
    [
      'downsample of a disposed tensor',
      () => downsample(t.disposed as tf.Tensor4D),
      InvalidArgumentError,
      'downsample',
      /disposed/,
    ],
    [
      'upsample to a size it cannot reach',
      () => upsample(t.low as tf.Tensor4D, [10, 8]),
      InvalidArgumentError,
      'upsample',
      /\[10, 8\]/,
    ],
    [
      'both bands null',
      () => octaveConv2d({ high: null, low: null }, full()),
      InvalidArgumentError,
      'octaveConv2d',
      /both null/,
    ],
    [
      'not an octave tensor',
      () => octaveConv2d(t.high as never, full()),
      InvalidArgumentError,
      'octaveConv2d',
      /must be an octave tensor/,
    ],
    [
      'band channels that do not match the filters',
      () =>
        octaveConv2d(x(), {
          ...full(),
          hh: { filter: t.f34 as tf.Tensor4D },
          hl: { filter: t.f34 as tf.Tensor4D },
        }),
      ShapeMismatchError,
      'octaveConv2d',
      /weights\.hh\.filter \[3, 3, 3, 4\] expects 3 high input channels, but x\.high has 4/,
    ],
    [
      'paths that disagree on output channels',
      () => octaveConv2d(x(), { ...full(), lh: { filter: t.f43 as tf.Tensor4D } }),
      ShapeMismatchError,
      'octaveConv2d',
      /lh and weights\.hh .* 3 and 4 output channels/,
    ],
    [
      'low band not ceil(h/2)',
      () => octaveConv2d({ high: t.high as tf.Tensor4D, low: t.wrongLow as tf.Tensor4D }, full()),
      ShapeMismatchError,
      'octaveConv2d',
      /x\.low is 3×4 but must be .* 4×4 of the 8×8 high band/,
    ],
    [
      'odd low band too small',
      () => octaveConv2d({ high: t.odd as tf.Tensor4D, low: t.wrongLow as tf.Tensor4D }, full()),
      ShapeMismatchError,
      'octaveConv2d',
      /4×4 of the 7×7/,
    ],
    [
      'batch differs between bands',
      () => octaveConv2d({ high: t.high as tf.Tensor4D, low: t.otherBatch as tf.Tensor4D }, full()),
      ShapeMismatchError,
      'octaveConv2d',
      /batch 2 .* batch 1/,
    ],
    [
      'input rank 3',
      () =>
        octaveConv2d(
          { high: t.rank3 as tf.Tensor4D, low: null },
          { hh: { filter: t.f44 as tf.Tensor4D } },
        ),
      ShapeMismatchError,
      'octaveConv2d',
      /x\.high must have rank 4/,
    ],
    [
      'int32 input',
      () =>
        octaveConv2d(
          { high: t.int as tf.Tensor4D, low: null },
          { hh: { filter: t.f44 as tf.Tensor4D } },
        ),
      ShapeMismatchError,
      'octaveConv2d',
      /x\.high must be float32, got int32/,
    ],
    [
      'disposed input',
      () =>
        octaveConv2d(
          { high: t.disposed as tf.Tensor4D, low: null },
          { hh: { filter: t.f44 as tf.Tensor4D } },
        ),
      InvalidArgumentError,
      'octaveConv2d',
      /x\.high has been disposed/,
    ],
    [
      'stride 3',
      () => octaveConv2d(x(), full(), { stride: 3 as 2 }),
      InvalidArgumentError,
      'octaveConv2d',
      /options\.stride must be 1 or 2, got 3/,
    ],
    [
      'stride 1.5',
      () => octaveConv2d(x(), full(), { stride: 1.5 as 2 }),
      InvalidArgumentError,
      'octaveConv2d',
      /got 1\.5/,
    ],
    [
      'groups that do not divide the channels',
      () => octaveConv2d(x(), full(), { groups: 3 }),
      InvalidArgumentError,
      'octaveConv2d',
      /groups 3 must divide both channel counts of path hh \(4 in, 4 out\)/,
    ],
    [
      'filter of rank 3',
      () => octaveConv2d(x(), { ...full(), hh: { filter: t.rank3Filter as tf.Tensor4D } }),
      ShapeMismatchError,
      'octaveConv2d',
      /weights\.hh\.filter must have rank 4 .* \[3, 4, 4\]/,
    ],
    [
      'bias of the wrong length',
      () =>
        octaveConv2d(x(), {
          ...full(),
          ll: { filter: t.f44 as tf.Tensor4D, bias: t.bias3 as tf.Tensor1D },
        }),
      ShapeMismatchError,
      'octaveConv2d',
      /weights\.ll\.bias has 3 values .* 4 output channels/,
    ],
    [
      'kernels that differ between paths',
      () => octaveConv2d(x(), { ...full(), ll: { filter: t.f54 as tf.Tensor4D } }),
      ShapeMismatchError,
      'octaveConv2d',
      /5×5 kernel but weights\.hh\.filter has 3×3/,
    ],
    [
      'unknown option',
      () => octaveConv2d(x(), full(), { strides: 2 } as never),
      InvalidArgumentError,
      'octaveConv2d',
      /unknown option "strides"/,
    ],
    [
      'negative padding',
      () => octaveConv2d(x(), full(), { padding: -1 }),
      InvalidArgumentError,
      'octaveConv2d',
      /options\.padding .* got -1/,
    ],
    [
      'padding that breaks the octave',
      () => octaveConv2d(x(), full(), { padding: 0 }),
      InvalidArgumentError,
      'octaveConv2d',
      /padding 0 .* 8×8 high band to 6×6 and the low band to 2×2/,
    ],
    [
      'dilation 0',
      () => octaveConv2d(x(), full(), { dilation: 0 }),
      InvalidArgumentError,
      'octaveConv2d',
      /options\.dilation .* got 0/,
    ],
    [
      'unknown stride mode',
      () => octaveConv2d(x(), full(), { strideMode: 'avg' as 'pool' }),
      InvalidArgumentError,
      'octaveConv2d',
      /strideMode must be 'pool' or 'conv', got "avg"/,
    ],
    [
      'weights for a band that is null',
      () => octaveConv2d({ high: t.high as tf.Tensor4D, low: null }, full()),
      ShapeMismatchError,
      'octaveConv2d',
      /path lh \(low→high\) has weights, but the low input band has no channels/,
    ],
    [
      'a band that no path uses',
      () => octaveConv2d(x(), { hh: { filter: t.f44 as tf.Tensor4D } }),
      ShapeMismatchError,
      'octaveConv2d',
      /low input band has 4 channels but no path uses it/,
    ],
    [
      'no weights at all',
      () => octaveConv2d(x(), {}),
      InvalidArgumentError,
      'octaveConv2d',
      /no path/,
    ],
    [
      'unknown path',
      () => octaveConv2d(x(), { hx: { filter: t.f44 } } as never),
      InvalidArgumentError,
      'octaveConv2d',
      /unknown path "hx"/,
    ],
    [
      'depthwise with cross-band weights',
      () =>
        octaveConv2d(
          x(),
          {
            hh: { filter: t.f14 as tf.Tensor4D },
            hl: { filter: t.f14 as tf.Tensor4D },
            ll: { filter: t.f14 as tf.Tensor4D },
          },
          { groups: 8 },
        ),
      ShapeMismatchError,
      'octaveConv2d',
      /path hl \(high→low\) has weights, but a depthwise OctConv/,
    ],
    [
      'a depthwise filter without groups',
      () =>
        octaveConv2d(x(), {
          hh: { filter: t.f14 as tf.Tensor4D },
          ll: { filter: t.f14 as tf.Tensor4D },
        }),
      ShapeMismatchError,
      'octaveConv2d',
      /pass options\.groups = 8/,
    ],
    [
      'a zero-channel band instead of null',
      () => octaveConv2d({ high: t.empty as tf.Tensor4D, low: t.low as tf.Tensor4D }, full()),
      ShapeMismatchError,
      'octaveConv2d',
      /x\.high has an empty dimension, shape \[2, 8, 8, 0\]/,
    ],
    [
      'split of a zero-channel map',
      () => octaveSplit(t.empty as tf.Tensor4D, 0.5),
      ShapeMismatchError,
      'octaveSplit',
      /x has an empty dimension/,
    ],
    [
      'a misspelt bias',
      () => octaveConv2d(x(), { ...full(), hh: { filter: t.f44, biass: t.bias4 } as never }),
      InvalidArgumentError,
      'octaveConv2d',
      /unknown field "biass"; expected one of filter, bias/,
    ],
    [
      'a misspelt band',
      () => octaveConv2d({ ...x(), lwo: t.low } as never, full()),
      InvalidArgumentError,
      'octaveConv2d',
      /unknown band "lwo"/,
    ],
    [
      'dilated strided conv mode',
      () => octaveConv2d(x(), full(), { stride: 2, strideMode: 'conv', dilation: 2 }),
      InvalidArgumentError,
      'octaveConv2d',
      /use strideMode 'pool'/,
    ],
  ];

  it.each(table)('%s', (_name, call, errorClass, functionName, message) => {
    const before = tf.memory().numTensors;
    const firstId = nextTensorId();
    const error = captureError(call);
    expect(error, 'expected a throw').toBeDefined();
    expect(errorClass.isInstance(error), String(error)).toBe(true);
    const e = error as InvalidArgumentError | ShapeMismatchError;
    expect(e.code).toBe(
      errorClass === InvalidArgumentError
        ? 'ERR_OCTCONV_INVALID_ARGUMENT'
        : 'ERR_OCTCONV_SHAPE_MISMATCH',
    );
    expect(e.functionName).toBe(functionName);
    expect(e.message.startsWith(`${functionName}: `)).toBe(true);
    expect(e.message).toMatch(message);
    expect(nextTensorId(), 'a tensor was created before the error').toBe(firstId + 1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a valid call next to them creates exactly its outputs', () => {
    const before = tf.memory().numTensors;
    const y = octaveConv2d(x(), full());
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([y.high!, y.low!]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
