import { InvalidArgumentError } from '@octconv/core';
import { createRandomSource } from '../module/random';

/** Options of {@link shapesAndTextures}. */
export interface ShapesAndTexturesOptions {
  /** Number of images. */
  count: number;
  /** Height and width in pixels, at least 12; default 16. */
  size?: number;
  /** Default 0; the same seed gives the same images everywhere. */
  seed?: number;
}

/** A labelled image set in NHWC float32, ready for `tf.tensor4d(images, [count, size, size, 3])`. */
export interface ImageDataset {
  images: Float32Array;
  labels: Int32Array;
  count: number;
  size: number;
  /** Class names, indexed by label. */
  classes: readonly string[];
}

/** The four classes: coarse shape × fine texture. */
export const SHAPE_TEXTURE_CLASSES = [
  'horizontal bar, smooth',
  'horizontal bar, checkered',
  'vertical bar, smooth',
  'vertical bar, checkered',
] as const;

/**
 * A synthetic dataset whose label needs both frequency bands: a horizontal or vertical bar
 * (coarse shape, which the low band sees) filled either smoothly or with a one-pixel
 * checkerboard (fine texture, which 2×2 averaging erases), at a random place, length, width,
 * colour and background, with noise. Label = 2 · vertical + checkered.
 */
export function shapesAndTextures(options: ShapesAndTexturesOptions): ImageDataset {
  const { count, size = 16, seed = 0 } = options ?? ({} as ShapesAndTexturesOptions);
  if (!(Number.isInteger(count) && count >= 1)) {
    throw new InvalidArgumentError({
      functionName: 'shapesAndTextures',
      argument: 'options.count',
      value: count,
      message: `options.count must be an integer ≥ 1, got ${String(count)}`,
    });
  }
  if (!(Number.isInteger(size) && size >= 12)) {
    throw new InvalidArgumentError({
      functionName: 'shapesAndTextures',
      argument: 'options.size',
      value: size,
      message: `options.size must be an integer ≥ 12, got ${String(size)}`,
    });
  }
  const random = createRandomSource(seed);
  const uniform = (low: number, high: number) => low + (high - low) * random.next();
  const images = new Float32Array(count * size * size * 3);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const vertical = random.next() < 0.5;
    const checkered = random.next() < 0.5;
    labels[n] = (vertical ? 2 : 0) + (checkered ? 1 : 0);
    const long = uniform(size * 0.3, size * 0.42);
    const short = uniform(size * 0.12, size * 0.18);
    const [halfHeight, halfWidth] = vertical ? [long, short] : [short, long];
    const cy = uniform(halfHeight, size - halfHeight);
    const cx = uniform(halfWidth, size - halfWidth);
    const background = [uniform(-0.6, 0.6), uniform(-0.6, 0.6), uniform(-0.6, 0.6)];
    const colour = background.map(
      (value) => value + (random.next() < 0.5 ? -1 : 1) * uniform(0.5, 0.9),
    );
    const phase = random.next() < 0.5 ? 0 : 1;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inside = Math.abs(y + 0.5 - cy) <= halfHeight && Math.abs(x + 0.5 - cx) <= halfWidth;
        const dark = checkered && (x + y + phase) % 2 === 0;
        for (let c = 0; c < 3; c++) {
          // Checkered: every other pixel of the bar shows the background, so 2×2 averages
          // (the low band) still see the bar, at half contrast, but not the texture.
          const value = inside && !dark ? colour[c]! : background[c]!;
          images[((n * size + y) * size + x) * 3 + c] = value + uniform(-0.08, 0.08);
        }
      }
    }
  }
  return { images, labels, count, size, classes: SHAPE_TEXTURE_CLASSES };
}
