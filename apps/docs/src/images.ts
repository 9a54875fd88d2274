// Draws images and feature maps (HWC float arrays) on canvases.

/** A band's values, `[height, width, channels]` row-major (batch 1). */
export interface FeatureMap {
  height: number;
  width: number;
  channels: number;
  values: Float32Array;
}

const GAP = 1;

function byte(value: number): number {
  return Math.max(0, Math.min(255, Math.round(value * 255)));
}

/** Draws an RGB image with values in [0, 1], displayed `displayWidth` CSS pixels wide. */
export function drawRgb(canvas: HTMLCanvasElement, image: FeatureMap, displayWidth: number): void {
  canvas.width = image.width;
  canvas.height = image.height;
  canvas.style.width = `${displayWidth}px`;
  const context = canvas.getContext('2d')!;
  const pixels = context.createImageData(image.width, image.height);
  for (let i = 0; i < image.width * image.height; i++) {
    for (let c = 0; c < 3; c++) pixels.data[4 * i + c] = byte(image.values[3 * i + c]!);
    pixels.data[4 * i + 3] = 255;
  }
  context.putImageData(pixels, 0, 0);
}

/** How a band is laid out as tiles: one tile per channel, `columns` across. */
export function tileGrid(channels: number, maxTiles: number): { shown: number; columns: number } {
  const shown = Math.min(channels, maxTiles);
  return { shown, columns: Math.ceil(Math.sqrt(shown)) };
}

/**
 * Draws the first `maxTiles` channels of a feature map as greyscale tiles at the map's own
 * resolution, each stretched to its own minimum and maximum, and displays every tile
 * `tileWidth` CSS pixels wide: a low band next to its high band shows the same scene with half
 * the pixels.
 */
export function drawChannelTiles(
  canvas: HTMLCanvasElement,
  map: FeatureMap,
  maxTiles: number,
  tileWidth: number,
): number {
  const { shown, columns } = tileGrid(map.channels, maxTiles);
  const rows = Math.ceil(shown / columns);
  canvas.width = columns * map.width + (columns - 1) * GAP;
  canvas.height = rows * map.height + (rows - 1) * GAP;
  canvas.style.width = `${(canvas.width * tileWidth) / map.width}px`;
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#888';
  context.fillRect(0, 0, canvas.width, canvas.height);
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
  const plane = map.width * map.height;
  for (let c = 0; c < shown; c++) {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < plane; i++) {
      const value = map.values[i * map.channels + c]!;
      if (value < min) min = value;
      if (value > max) max = value;
    }
    const scale = max > min ? 1 / (max - min) : 0;
    const left = (c % columns) * (map.width + GAP);
    const top = Math.floor(c / columns) * (map.height + GAP);
    for (let y = 0; y < map.height; y++) {
      for (let x = 0; x < map.width; x++) {
        const level = byte((map.values[(y * map.width + x) * map.channels + c]! - min) * scale);
        const at = 4 * ((top + y) * canvas.width + left + x);
        pixels.data[at] = level;
        pixels.data[at + 1] = level;
        pixels.data[at + 2] = level;
        pixels.data[at + 3] = 255;
      }
    }
  }
  context.putImageData(pixels, 0, 0);
  return shown;
}
