import type { WinogradTile } from './winograd';

/** A 3×3 stride-1 convolution, as the choice rule sees it. */
export interface WinogradLayer {
  inChannels: number;
  outChannels: number;
  /** Output height and width. */
  height: number;
  width: number;
  batch: number;
}

/**
 * @internal Which algorithm runs a 3×3, stride-1, dilation-1 dense convolution in the compiled
 * wasm path: 0 for XNNPACK's direct convolution, 2 for F(2×2,3×3), 4 for F(4×4,3×3). Measured
 * (packages/bench/scripts/winograd-rule.mjs) and written down in the design page with its table.
 */
export function winogradTileFor(layer: WinogradLayer, threads: number): 0 | WinogradTile {
  const { inChannels, outChannels, height, width, batch } = layer;
  const tiles4 = batch * Math.ceil(height / 4) * Math.ceil(width / 4);
  void threads;
  if (inChannels < 32 || outChannels < 32 || tiles4 < 4) return 0;
  return 4;
}
