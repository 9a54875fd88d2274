import { setupBackend, setupBareBackend } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { octaveConv2d, UnsupportedBackendError } from '../index';

describe('a backend without the kernels we need', () => {
  afterAll(() => setupBackend('cpu'));

  it('gets a typed error naming the backend and the kernel, and nothing leaks', async () => {
    await setupBareBackend();
    const x = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
    const filter = tf.zeros([3, 3, 2, 2]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    let error: unknown;
    try {
      octaveConv2d({ high: x, low: null }, { hh: { filter } });
    } catch (e) {
      error = e;
    }
    expect(UnsupportedBackendError.isInstance(error)).toBe(true);
    const e = error as UnsupportedBackendError;
    expect(e.code).toBe('ERR_OCTCONV_UNSUPPORTED_BACKEND');
    expect(e.backend).toBe('octconv-bare');
    expect(e.message).toMatch(
      /^octaveConv2d: backend "octconv-bare" has no Conv2D, FusedConv2D kernel/,
    );
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, filter]);
  });
});
