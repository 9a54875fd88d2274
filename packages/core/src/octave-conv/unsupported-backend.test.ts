import { captureError, nextTensorId, setupBackend, setupPartialBackend } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { octaveConv2d, octaveMerge, UnsupportedBackendError } from '../index';

/** Runs `call` and returns its error, checking that no tensor was made before it was thrown. */
function errorWithoutTensors(call: () => unknown): UnsupportedBackendError {
  const firstId = nextTensorId();
  const error = captureError(call);
  expect(nextTensorId(), 'a tensor was created before the error').toBe(firstId + 1);
  expect(UnsupportedBackendError.isInstance(error), String(error)).toBe(true);
  return error as UnsupportedBackendError;
}

describe('backends without the kernels we need', () => {
  afterAll(() => setupBackend('cpu'));

  it('no kernels at all: a typed error naming the backend and the kernels, before any work', async () => {
    await setupPartialBackend('octconv-bare', 'all');
    const x = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
    const filter = tf.zeros([3, 3, 2, 2]) as tf.Tensor4D;
    const error = errorWithoutTensors(() =>
      octaveConv2d({ high: x, low: null }, { hh: { filter } }),
    );
    expect(error.code).toBe('ERR_OCTCONV_UNSUPPORTED_BACKEND');
    expect(error.backend).toBe('octconv-bare');
    expect(error.message).toBe(
      'octaveConv2d: backend "octconv-bare" has no Conv2D, FusedConv2D kernels',
    );
    tf.dispose([x, filter]);
  });

  it('one kernel missing: only the ops that need it fail, and they name it', async () => {
    await setupPartialBackend('octconv-no-resize', ['ResizeNearestNeighbor']);
    const high = tf.ones([1, 4, 4, 2]) as tf.Tensor4D;
    const low = tf.ones([1, 2, 2, 2]) as tf.Tensor4D;
    const f = tf.ones([3, 3, 2, 2]) as tf.Tensor4D;
    // No upsampling (first layer): runs.
    const first = octaveConv2d({ high, low: null }, { hh: { filter: f }, hl: { filter: f } });
    expect(first.low!.shape).toEqual([1, 2, 2, 2]);
    // L→H needs Up: refused before any tensor is made.
    const error = errorWithoutTensors(() =>
      octaveConv2d({ high, low }, { hh: { filter: f }, lh: { filter: f } }),
    );
    expect(error.message).toBe(
      'octaveConv2d: backend "octconv-no-resize" has no ResizeNearestNeighbor kernel',
    );
    expect(() => octaveMerge({ high, low })).toThrow(/^octaveMerge: .* no ResizeNearestNeighbor/);
    tf.dispose([high, low, f, first.high, first.low].filter((t) => t != null));
  });
});
