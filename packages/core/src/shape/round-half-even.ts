/**
 * Rounds to the nearest integer, ties to even: Python 3's `round(x)`, which the seed notebook
 * uses for the channel split (`int(round(C * alpha))`). `2.5 → 2`, `1.5 → 2`, `3.5 → 4`.
 * Exact for every double: `x - floor(x)` loses nothing below 2^52.
 */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}
