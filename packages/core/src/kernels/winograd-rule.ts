import type { WinogradTile } from './winograd';
import { WINOGRAD_TABLE } from './winograd-table';

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
 * How much faster than the direct convolution a Winograd tile must have measured to be chosen:
 * the table's medians come from a shared 2-core machine, so a cell that is only marginally
 * faster stays direct.
 */
export const WINOGRAD_MARGIN = 1.1;

type Row = (typeof WINOGRAD_TABLE)[number];

/**
 * @internal What the table says for one measured cell: 0 (direct), 2 or 4; F(4×4,3×3) only
 * when `f4` allows it.
 */
export function tableChoice(row: Row, f4Allowed: boolean): 0 | WinogradTile {
  const [, , , , direct, f2, f4] = row;
  const tile: WinogradTile = f4Allowed && f4 <= f2 ? 4 : 2;
  return (tile === 4 ? f4 : f2) * WINOGRAD_MARGIN <= direct ? tile : 0;
}

/**
 * @internal Which algorithm runs a 3×3, stride-1, dilation-1 dense convolution in the compiled
 * wasm path: 0 for XNNPACK's direct convolution, 2 for F(2×2,3×3), 4 for F(4×4,3×3) (only when
 * `f4Allowed`: it loses a few bits more than the compiled networks' parity with PyTorch allows,
 * so only the `'fast'` option allows it). The choice
 * of the nearest measured cell of {@link WINOGRAD_TABLE} (in log scale of in and out channels
 * and of the output's pixel count, batch included), at one thread or at two and more, among the
 * cells with at least half the layer's channels: the table's cells themselves get what they
 * measured (direct unless a tile was {@link WINOGRAD_MARGIN}× faster), and layers with under half
 * the table's smallest channel counts run direct.
 */
export function winogradTileFor(
  layer: WinogradLayer,
  threads: number,
  f4Allowed: boolean,
): 0 | WinogradTile {
  const { inChannels, outChannels, height, width, batch } = layer;
  const measured = threads >= 2 ? 2 : 1;
  const size = Math.sqrt(height * width * batch);
  if (size < 1) return 0;
  let best: Row | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  const log = Math.log2;
  for (const row of WINOGRAD_TABLE) {
    if (row[0] !== measured) continue;
    if (inChannels < row[1] / 2 || outChannels < row[2] / 2) continue;
    const distance =
      (log(inChannels) - log(row[1])) ** 2 +
      (log(outChannels) - log(row[2])) ** 2 +
      (log(size) - log(row[3])) ** 2;
    if (distance < bestDistance) {
      best = row;
      bestDistance = distance;
    }
  }
  return best === null ? 0 : tableChoice(best, f4Allowed);
}

/** Output sizes over which {@link winogradTilesFor} asks the rule (batch 1). */
const SIZES = [2, 4, 7, 14, 28, 56, 112, 224];

/**
 * @internal Every tile {@link winogradTileFor} picks for a cin→cout filter at some input size:
 * the transforms a compiled layer prepares.
 */
export function winogradTilesFor(
  inChannels: number,
  outChannels: number,
  threads: number,
  f4Allowed: boolean,
): WinogradTile[] {
  const tiles = new Set<WinogradTile>();
  for (const size of SIZES) {
    const tile = winogradTileFor(
      { inChannels, outChannels, height: size, width: size, batch: 1 },
      threads,
      f4Allowed,
    );
    if (tile !== 0) tiles.add(tile);
  }
  return [...tiles].sort();
}
