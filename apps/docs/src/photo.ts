// The visitor's own picture for the playground: a file (picker or drop) or a camera frame,
// decoded by the browser and drawn as a square RGB image of the size the controls choose.
import type { FeatureMap } from './images';

/** A decoded picture, kept at its own size until a run draws it at the chosen size. */
export interface Photo {
  /** The file's name, or `camera`. */
  name: string;
  bitmap: ImageBitmap;
}

/** Thrown for a file the browser cannot decode as an image. */
export class PhotoError extends Error {
  override name = 'PhotoError';
}

/** Decodes an image file (JPEG, PNG, WebP, GIF, …: what the browser reads). */
export async function photoFromFile(file: File): Promise<Photo> {
  if (file.type && !file.type.startsWith('image/'))
    throw new PhotoError(
      `${file.name} is ${file.type}, not an image: choose a JPEG, PNG or WebP file.`,
    );
  try {
    return { name: file.name, bitmap: await createImageBitmap(file) };
  } catch {
    throw new PhotoError(
      `The browser could not decode ${file.name} as an image: choose a JPEG, PNG or WebP file.`,
    );
  }
}

/** The frame a playing video shows now. */
export async function photoFromVideo(video: HTMLVideoElement): Promise<Photo> {
  return { name: 'camera', bitmap: await createImageBitmap(video) };
}

/**
 * The picture as a `size`×`size` RGB feature map with values in [0, 1]: the largest centred
 * square, scaled to `size` (a square picture of that size is copied pixel for pixel).
 */
export function photoPixels(photo: Photo, size: number): FeatureMap {
  const { width, height } = photo.bitmap;
  const side = Math.min(width, height);
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  context.imageSmoothingQuality = 'high';
  context.drawImage(
    photo.bitmap,
    (width - side) / 2,
    (height - side) / 2,
    side,
    side,
    0,
    0,
    size,
    size,
  );
  const rgba = context.getImageData(0, 0, size, size).data;
  const values = new Float32Array(size * size * 3);
  for (let i = 0; i < size * size; i++)
    for (let c = 0; c < 3; c++) values[3 * i + c] = rgba[4 * i + c]! / 255;
  return { height: size, width: size, channels: 3, values };
}
