/** An RGB image: values in [0, 1], HWC layout (`[height, width, 3]`, row-major). */
export interface Scene {
  /** Image width in pixels. */
  width: number;
  /** Image height in pixels. */
  height: number;
  /** `height * width * 3` RGB values in [0, 1]. */
  data: Float32Array;
}

/**
 * Renders a deterministic procedural photo-like scene (sky gradient, sun, hills, a striped and
 * checkered box, grass and fine grain), with both smooth low-frequency regions and sharp
 * high-frequency detail. The same `(width, height, seed)` always gives the same pixels.
 *
 * @param width Image width in pixels (positive integer).
 * @param height Image height in pixels (positive integer).
 * @param seed Seed for the PRNG (default 1).
 */
export function renderScene(width: number, height: number, seed?: number): Scene;
