import { describe, expect, it } from 'vitest';
import { tableChoice, WINOGRAD_MARGIN, winogradTileFor, winogradTilesFor } from './winograd-rule';
import { WINOGRAD_TABLE } from './winograd-table';

describe('the Winograd choice rule', () => {
  it('picks direct wherever the measured table says direct, and the measured tile elsewhere', () => {
    let direct = 0;
    for (const row of WINOGRAD_TABLE) {
      const [threads, inChannels, outChannels, size, directMs, f2, f4] = row;
      const layer = { inChannels, outChannels, height: size, width: size, batch: 1 };
      const choice = winogradTileFor(layer, threads, true);
      const label = `${inChannels}→${outChannels} at ${size}², ${threads} thread(s)`;
      const fastest = Math.min(f2, f4);
      if (fastest * WINOGRAD_MARGIN > directMs) {
        direct += 1;
        expect(choice, label).toBe(0);
      } else {
        expect(choice, label).toBe(f4 <= f2 ? 4 : 2);
      }
      expect(choice, label).toBe(tableChoice(row, true));
      // Without F(4×4,3×3): F(2×2,3×3) where it measured faster by the margin, else direct.
      const accurate = winogradTileFor(layer, threads, false);
      expect(accurate, `${label}, F(2×2,3×3) only`).toBe(f2 * WINOGRAD_MARGIN <= directMs ? 2 : 0);
    }
    // The table has direct cells at both thread counts (small layers lose to the transforms).
    expect(direct).toBeGreaterThan(10);
  });

  it('never picks Winograd where it measured slower than direct', () => {
    for (const row of WINOGRAD_TABLE) {
      const [threads, inChannels, outChannels, size, directMs, f2, f4] = row;
      const choice = winogradTileFor(
        { inChannels, outChannels, height: size, width: size, batch: 1 },
        threads,
        true,
      );
      if (choice !== 0) expect(choice === 4 ? f4 : f2).toBeLessThan(directMs);
    }
  });

  it('keeps small layers direct (the compiled test layers, a 3-channel stem)', () => {
    for (const threads of [1, 2]) {
      expect(
        winogradTileFor(
          { inChannels: 4, outChannels: 6, height: 8, width: 8, batch: 2 },
          threads,
          true,
        ),
      ).toBe(0);
      expect(
        winogradTileFor(
          { inChannels: 3, outChannels: 64, height: 224, width: 224, batch: 1 },
          threads,
          true,
        ),
      ).toBe(0);
      expect(
        winogradTileFor(
          { inChannels: 16, outChannels: 16, height: 7, width: 7, batch: 1 },
          threads,
          true,
        ),
      ).toBe(0);
    }
  });

  it('lists each tile a layer may need once, sorted', () => {
    for (const threads of [1, 2]) {
      for (const c of [8, 64, 256, 512]) {
        const tiles = winogradTilesFor(c, c, threads, true);
        expect([...new Set(tiles)].sort()).toEqual(tiles);
        for (const t of tiles) expect([2, 4]).toContain(t);
      }
    }
    expect(winogradTilesFor(4, 4, 1, true)).toEqual([]);
    expect(winogradTilesFor(256, 256, 1, false)).toEqual([2]);
  });
});
