import * as tf from '@tensorflow/tfjs-core';
import { requireKernelAliases } from '../autograd/kernel-alias';
import { UPSAMPLE_ALIASES, upsampleUnchecked } from '../resample/upsample';
import { CONCAT_CHANNELS, concatChannels, IDENTITY, identity } from '../tensor/differentiable';
import { checkOctaveTensor, type OctaveTensor } from './octave-tensor';

/**
 * Merges octave bands back into one feature map, as the seed's `merge_hl`:
 * `concat([high, Up(low)])` along channels, with Up the nearest ×2 cropped to the high band's
 * size (so odd sizes round-trip). Without a high band the result is `2h × 2w` of the low band.
 * Differentiable on every backend.
 *
 * @returns `[batch, height, width, highChannels + lowChannels]`.
 */
export function octaveMerge(x: OctaveTensor): tf.Tensor4D {
  const fn = 'octaveMerge';
  const info = checkOctaveTensor(fn, 'x', x);
  requireKernelAliases(fn, [IDENTITY, CONCAT_CHANNELS, ...UPSAMPLE_ALIASES]);
  return tf.tidy(() => {
    if (x.low == null) return identity(x.high!, fn);
    const up = upsampleUnchecked(x.low, info.size, fn);
    return x.high == null ? up : concatChannels([x.high, up], fn);
  });
}
