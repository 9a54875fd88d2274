import { expect, it } from 'vitest';
import { channelsFirstHint } from './channels-first';

it('hints at NCHW only when the expected channels sit on axis 1 and not on axis 3', () => {
  expect(channelsFirstHint([2, 3, 16, 16], 3)).toBe(
    "; [2, 3, 16, 16] looks channels-first (NCHW, PyTorch's layout: 2 × 3 channels × 16 × 16), but tfjs and @octconv are channels-last (NHWC, [batch, height, width, channels]): convert with tf.transpose(x, [0, 2, 3, 1]) to [2, 16, 16, 3]",
  );
  expect(channelsFirstHint([2, 16, 16, 3], 3)).toBe(''); // NHWC, right channels
  expect(channelsFirstHint([2, 16, 16, 4], 3)).toBe(''); // wrong channels, not NCHW either
  expect(channelsFirstHint([3, 3, 3, 3], 3)).toBe(''); // axis 3 already matches
  expect(channelsFirstHint([3, 16, 16], 3)).toBe(''); // not a batch
});
