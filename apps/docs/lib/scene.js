// A deterministic, procedural "photo": smooth sky, hills and sun (low frequencies) next to a
// striped/checkered object, grass texture and fine grain (high frequencies), so the two octave
// bands of an image look visibly different. Plain ESM + JSDoc so it runs in Node and the browser
// without a build step.

import { createRandomSource } from '@octconv/models';

/**
 * @typedef {object} Scene
 * @property {number} width Image width in pixels.
 * @property {number} height Image height in pixels.
 * @property {Float32Array} data RGB values in [0, 1], HWC layout: `[height, width, 3]` row-major.
 */

/**
 * @param {number} a
 * @param {number} b
 * @param {number} t
 * @returns {number}
 */
function mix(a, b, t) {
  return a + (b - a) * t;
}

/**
 * @param {number} value
 * @returns {number}
 */
function clamp01(value) {
  return Math.min(Math.max(value, 0), 1);
}

/**
 * @param {number} edge0
 * @param {number} edge1
 * @param {number} x
 * @returns {number}
 */
function smoothstep(edge0, edge1, x) {
  const t = clamp01((x - edge0) / (edge1 - edge0));
  return t * t * (3 - 2 * t);
}

/**
 * Renders a deterministic photo-like scene: a sky gradient, a soft sun, two layers of rolling
 * hills, a striped-and-checkered box on the ground, grass strokes and fine sensor-like noise.
 * Coordinates are resolution independent, so any size draws the same picture.
 *
 * @param {number} width Image width in pixels (positive integer).
 * @param {number} height Image height in pixels (positive integer).
 * @param {number} [seed=1] Seed for every random choice (hill shapes, sun position, noise).
 * @returns {Scene} RGB image in [0, 1], HWC layout.
 */
export function renderScene(width, height, seed = 1) {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(
      `renderScene: width and height must be positive integers, got ${width}x${height}`,
    );
  }
  // @octconv/models' seeded source (mulberry32), so the same seed always draws the same image.
  const source = createRandomSource(seed);
  const random = () => source.next();

  const sunX = mix(0.62, 0.82, random());
  const sunY = mix(0.14, 0.26, random());
  const sunRadius = mix(0.07, 0.1, random());

  /** @type {Array<{ amplitude: number, frequency: number, phase: number }>} */
  const farWaves = [];
  /** @type {Array<{ amplitude: number, frequency: number, phase: number }>} */
  const nearWaves = [];
  for (let i = 0; i < 3; i++) {
    farWaves.push({
      amplitude: mix(0.02, 0.05, random()) / (i + 1),
      frequency: mix(1.5, 3, random()) * (i + 1),
      phase: random() * Math.PI * 2,
    });
    nearWaves.push({
      amplitude: mix(0.015, 0.04, random()) / (i + 1),
      frequency: mix(1, 2.5, random()) * (i + 1),
      phase: random() * Math.PI * 2,
    });
  }

  const boxLeft = mix(0.12, 0.2, random());
  const boxRight = boxLeft + mix(0.26, 0.32, random());
  const boxTop = mix(0.56, 0.62, random());
  const boxBottom = mix(0.86, 0.9, random());
  const stripeCount = 7 + Math.floor(random() * 3);
  const grassPhase = random() * 1000;

  /**
   * @param {Array<{ amplitude: number, frequency: number, phase: number }>} waves
   * @param {number} base
   * @param {number} x
   * @returns {number}
   */
  const ridge = (waves, base, x) => {
    let y = base;
    for (const wave of waves) {
      y += wave.amplitude * Math.sin(wave.frequency * Math.PI * 2 * x + wave.phase);
    }
    return y;
  };

  const data = new Float32Array(width * height * 3);
  for (let row = 0; row < height; row++) {
    const v = (row + 0.5) / height;
    for (let col = 0; col < width; col++) {
      const u = (col + 0.5) / width;

      // Sky: vertical gradient from deep blue to a pale horizon.
      let r = mix(0.28, 0.85, v * 1.6);
      let g = mix(0.48, 0.9, v * 1.6);
      let b = mix(0.86, 0.95, v * 1.6);

      // Sun with a soft glow.
      const sunDistance = Math.hypot((u - sunX) * (width / height), v - sunY);
      const glow = Math.exp(-((sunDistance / (sunRadius * 2.5)) ** 2)) * 0.35;
      const disc = 1 - smoothstep(sunRadius * 0.92, sunRadius, sunDistance);
      r = mix(r + glow, 1, disc);
      g = mix(g + glow * 0.85, 0.93, disc);
      b = mix(b + glow * 0.4, 0.62, disc);

      // Far hills: bluish and soft; near hills: green with a gentle vertical shade.
      const farTop = ridge(farWaves, 0.48, u);
      if (v > farTop) {
        const depth = clamp01((v - farTop) / 0.3);
        r = mix(0.42, 0.34, depth);
        g = mix(0.55, 0.47, depth);
        b = mix(0.66, 0.58, depth);
      }
      const nearTop = ridge(nearWaves, 0.6, u);
      if (v > nearTop) {
        const depth = clamp01((v - nearTop) / 0.4);
        r = mix(0.36, 0.2, depth);
        g = mix(0.62, 0.42, depth);
        b = mix(0.22, 0.12, depth);
        // Grass strokes: thin, high-frequency vertical streaks that grow towards the viewer.
        const streak = Math.sin(u * width * 1.7 + Math.sin(v * 40 + grassPhase) * 2);
        const grass = (streak > 0.6 ? 0.09 : 0) * depth;
        r += grass;
        g += grass * 1.4;
      }

      // A box with diagonal stripes on the front and a checkerboard band on top.
      if (u > boxLeft && u < boxRight && v > boxTop && v < boxBottom) {
        const localU = (u - boxLeft) / (boxRight - boxLeft);
        const localV = (v - boxTop) / (boxBottom - boxTop);
        if (localV < 0.3) {
          const checker = (Math.floor(localU * 12) + Math.floor(localV * 12)) % 2 === 0;
          r = checker ? 0.95 : 0.1;
          g = checker ? 0.95 : 0.1;
          b = checker ? 0.92 : 0.12;
        } else {
          const stripe = Math.floor((localU + localV) * stripeCount) % 2 === 0;
          r = stripe ? 0.9 : 0.7;
          g = stripe ? 0.22 : 0.62;
          b = stripe ? 0.18 : 0.1;
        }
        // Darken the box edges so the outline is a crisp, high-frequency line.
        const edge = Math.min(localU, 1 - localU, localV, 1 - localV);
        if (edge < 0.025) {
          r *= 0.25;
          g *= 0.25;
          b *= 0.25;
        }
      }

      // Fine grain, like sensor noise: the finest detail in the picture.
      const grain = (random() - 0.5) * 0.06;
      const offset = (row * width + col) * 3;
      data[offset] = clamp01(r + grain);
      data[offset + 1] = clamp01(g + grain);
      data[offset + 2] = clamp01(b + grain);
    }
  }
  return { width, height, data };
}
