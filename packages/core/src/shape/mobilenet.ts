import type { ChannelSplit } from './split-channels';

// The official Oct-MobileNets' structure (facebookresearch/OctConv, utils/gluon/utils/
// mobilenetv1.py and mobilenetv2.py), in one place for the networks of @octconv/models and the
// tfjs-free descriptions of @octconv/analysis.

/** Depthwise channels, pointwise channels and stride of MobileNet v1's 13 blocks (multiplier 1). */
export const MOBILENET_V1_BLOCKS: readonly (readonly [number, number, 1 | 2])[] = [
  [32, 64, 1],
  [64, 128, 2],
  [128, 128, 1],
  [128, 256, 2],
  [256, 256, 1],
  [256, 512, 2],
  [512, 512, 1],
  [512, 512, 1],
  [512, 512, 1],
  [512, 512, 1],
  [512, 512, 1],
  [512, 1024, 2],
  [1024, 1024, 1],
];

/**
 * Input channels, expansion t, output channels and stride of MobileNet v2's 17 inverted residual
 * blocks (multiplier 1).
 */
export const MOBILENET_V2_BLOCKS: readonly (readonly [number, number, number, 1 | 2])[] = [
  [32, 1, 16, 1],
  [16, 6, 24, 2],
  [24, 6, 24, 1],
  [24, 6, 32, 2],
  [32, 6, 32, 1],
  [32, 6, 32, 1],
  [32, 6, 64, 2],
  [64, 6, 64, 1],
  [64, 6, 64, 1],
  [64, 6, 64, 1],
  [64, 6, 96, 1],
  [96, 6, 96, 1],
  [96, 6, 96, 1],
  [96, 6, 160, 2],
  [160, 6, 160, 1],
  [160, 6, 160, 1],
  [160, 6, 320, 1],
];

// `splitChannels` stays plain text below, not a link: @octconv/models re-exports this function,
// and its API reference does not include splitChannels (typedoc fails the build on that).
/**
 * The official Oct-MobileNets' channel split: `int(ratio · c)` low (truncated, not rounded) and
 * the rest high. For every published model it equals `splitChannels` of `@octconv/core` (which
 * rounds).
 */
export function mobileNetSplit(channels: number, ratio: number): ChannelSplit {
  const low = Math.floor(ratio * channels);
  return { high: channels - low, low };
}

/**
 * The α an OctConv takes to split `channels` as the official Oct-MobileNets do: the exact low
 * fraction of {@link mobileNetSplit}, which {@link splitChannels} maps back to the same split.
 */
export function mobileNetBandAlpha(channels: number, ratio: number): number {
  return mobileNetSplit(channels, ratio).low / channels;
}
