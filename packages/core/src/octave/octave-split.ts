import type * as tf from '@tensorflow/tfjs-core';
import { requireKernelAliases } from '../autograd/kernel-alias';
import { DOWNSAMPLE, downsampleUnchecked } from '../resample/downsample';
import { checkAlpha, splitChannels } from '../shape/split-channels';
import { checkTensor4D } from '../tensor/check-tensor';
import { IDENTITY, identity, SLICE_CHANNELS, sliceChannels } from '../tensor/differentiable';
import { type OctaveTensor, tidyOctave } from './octave-tensor';

/**
 * Splits a plain feature map into octave bands, as the seed's `split_hl`: the first
 * `high = C − roundHalfEven(C · alpha)` channels stay at full resolution, the rest are average
 * pooled 2×2 (ceil mode) into the low band. Differentiable on every backend.
 *
 * @param x `[batch, height, width, channels]` (channels-last, NHWC), float32. A PyTorch-layout
 *   tensor `[batch, channels, height, width]` cannot be told from a legal NHWC map here (the op
 *   does not know how many channels you meant), so it is split along its last axis: transpose it
 *   first with `tf.transpose(x, [0, 2, 3, 1])`. Layers and modules, which know their channel
 *   count, reject an NCHW input with that advice.
 * @param alpha Fraction of channels in the low band, in [0, 1].
 * @returns `high` `[batch, height, width, high]` (null when alpha rounds every channel low),
 *   `low` `[batch, ceil(height/2), ceil(width/2), low]` (null when alpha rounds to no channel).
 */
export function octaveSplit(x: tf.Tensor4D, alpha: number): OctaveTensor {
  const fn = 'octaveSplit';
  checkTensor4D(fn, 'x', x);
  checkAlpha(fn, 'alpha', alpha);
  const channels = x.shape[3];
  const split = splitChannels(channels, alpha);
  requireKernelAliases(fn, [IDENTITY, SLICE_CHANNELS, DOWNSAMPLE]);
  return tidyOctave(() => {
    if (split.low === 0) return { high: identity(x, fn), low: null };
    const lowChannels =
      split.high === 0 ? identity(x, fn) : sliceChannels(x, split.high, split.low, fn);
    return {
      high: split.high === 0 ? null : sliceChannels(x, 0, split.high, fn),
      low: downsampleUnchecked(lowChannels, fn),
    };
  });
}
