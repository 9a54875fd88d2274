// One table, every public function of @octconv/core that takes input: a bad argument gives the
// documented error class with its stable code, and a message that starts with the function's
// name and shows the offending value. Nothing is created by a rejected call.

import { nextTensorId, setupBackend } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  add,
  batchNorm,
  batchNormTraining,
  checkOctaveTensor,
  checkTensor,
  conv2d,
  diagnoseNonFinite,
  downsample,
  globalAvgPool,
  InvalidArgumentError,
  linear,
  maxPool2d,
  type OctaveTensor,
  octaveConv2d,
  octaveConvOutputShape,
  octaveMerge,
  octaveSplit,
  relu,
  ShapeMismatchError,
  softmaxCrossEntropy,
  splitChannels,
  upsample,
} from '../src/index';

type Row = [
  fn: string,
  call: () => unknown,
  kind: typeof InvalidArgumentError | typeof ShapeMismatchError,
  shows: string,
];

describe('invalid arguments of @octconv/core [cpu]', () => {
  beforeAll(() => setupBackend('cpu'));

  it('every row throws its class, code, function name and value, creating nothing', async () => {
    const x = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
    const ints = tf.zeros([1, 4, 4, 2], 'int32') as tf.Tensor4D;
    const filter = tf.zeros([3, 3, 2, 2]) as tf.Tensor4D;
    const vector = tf.zeros([2]) as tf.Tensor1D;
    const matrix = tf.zeros([1, 2]) as tf.Tensor2D;
    const bands: OctaveTensor = { high: x, low: tf.zeros([1, 2, 2, 2]) as tf.Tensor4D };
    const w = { filter };
    const three = tf.zeros([3]) as tf.Tensor1D;
    const wideFilter = tf.zeros([3, 3, 5, 2]) as tf.Tensor4D;
    const tallWeight = tf.zeros([3, 2]) as tf.Tensor2D;
    const rows: Row[] = [
      ['splitChannels', () => splitChannels(10, 1.5), InvalidArgumentError, '1.5'],
      ['splitChannels', () => splitChannels(2.5, 0.5), InvalidArgumentError, '2.5'],
      ['octaveSplit', () => octaveSplit(x, -0.1), InvalidArgumentError, '-0.1'],
      ['octaveSplit', () => octaveSplit(ints, 0.5), ShapeMismatchError, 'int32'],
      ['octaveMerge', () => octaveMerge({ high: x, low: x }), ShapeMismatchError, '4×4'],
      ['downsample', () => downsample('x' as unknown as tf.Tensor4D), InvalidArgumentError, '"x"'],
      ['upsample', () => upsample(x, [9, 9]), InvalidArgumentError, '9'],
      [
        'octaveConv2d',
        () => octaveConv2d(bands, { hh: w }, { stride: 3 as 2 }),
        InvalidArgumentError,
        '3',
      ],
      [
        'octaveConv2d',
        () => octaveConv2d({ high: x, low: null }, { hh: { filter: wideFilter } }),
        ShapeMismatchError,
        '5',
      ],
      [
        'octaveConvOutputShape',
        () => octaveConvOutputShape({ height: 8, width: 8, inChannels: 0, outChannels: 4 }),
        InvalidArgumentError,
        '0',
      ],
      ['conv2d', () => conv2d(x, filter, { padding: -1 }), InvalidArgumentError, '-1'],
      ['relu', () => relu(ints), ShapeMismatchError, 'int32'],
      ['add', () => add(x, matrix as unknown as tf.Tensor4D), ShapeMismatchError, '[1, 2]'],
      [
        'batchNorm',
        () =>
          batchNorm(x, {
            mean: vector,
            variance: vector,
            scale: vector,
            offset: vector,
            epsilon: 0,
          }),
        InvalidArgumentError,
        '0',
      ],
      [
        'batchNormTraining',
        () => batchNormTraining(x, { scale: three, offset: vector }),
        ShapeMismatchError,
        '3',
      ],
      ['maxPool2d', () => maxPool2d(x, { kernelSize: 0 }), InvalidArgumentError, '0'],
      [
        'globalAvgPool',
        () => globalAvgPool(matrix as unknown as tf.Tensor4D),
        ShapeMismatchError,
        '[1, 2]',
      ],
      ['linear', () => linear(matrix, tallWeight), ShapeMismatchError, '3'],
      [
        'softmaxCrossEntropy',
        () => softmaxCrossEntropy(matrix, [1.5]),
        InvalidArgumentError,
        '1.5',
      ],
      [
        'checkTensor',
        () => checkTensor('checkTensor', 'value', 42, 1, '[n]'),
        InvalidArgumentError,
        '42',
      ],
      ['myOp', () => checkOctaveTensor('myOp', 'x', x), InvalidArgumentError, 'octave tensor'],
    ];
    for (const [fn, call, kind, shows] of rows) {
      const start = nextTensorId();
      let error: unknown;
      try {
        call();
      } catch (caught) {
        error = caught;
      }
      const label = `${fn}: ${String(error)}`;
      expect(kind.isInstance(error), label).toBe(true);
      expect((error as InvalidArgumentError).code, label).toBe(
        kind === InvalidArgumentError
          ? 'ERR_OCTCONV_INVALID_ARGUMENT'
          : 'ERR_OCTCONV_SHAPE_MISMATCH',
      );
      expect((error as Error).message.startsWith(`${fn}: `), label).toBe(true);
      expect((error as Error).message, label).toContain(shows);
      expect(nextTensorId(), label).toBe(start + 1);
    }
    const asyncError = await diagnoseNonFinite(bands, { hh: w }, { dilation: 0 }).catch(
      (e: unknown) => e,
    );
    expect(InvalidArgumentError.isInstance(asyncError)).toBe(true);
    expect(String(asyncError)).toContain('diagnoseNonFinite: options.dilation');
    tf.dispose([x, ints, filter, vector, matrix, bands.low!, three, wideFilter, tallWeight]);
  });
});
