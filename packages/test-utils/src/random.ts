/** Small seeded PRNG (mulberry32): reproducible inputs from a seed printed on failure. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `size` values uniform in [-scale, scale), as float64 (the reference's precision). */
export function randomValues(random: () => number, size: number, scale = 1): Float64Array {
  const values = new Float64Array(size);
  for (let i = 0; i < size; i++) values[i] = (random() * 2 - 1) * scale;
  return values;
}
