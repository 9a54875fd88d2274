// Renders the guide's band figures: the procedural scene, its low-frequency band (the octave
// Down, a 2×2 average pool, kept at half resolution) and the high-frequency residual
// (input − Up(Down(input)), amplified so it is visible). The bands are computed with
// @octconv/core's own `downsample` / `upsample` on tfjs's cpu backend, so the figure shows
// exactly what an OctConv layer does to a feature map.
//
//   node apps/docs/scripts/figures.mjs      (needs @octconv/core built)
//
// PNGs are written with Node built-ins only (zlib + a CRC32 below) to apps/docs/public/figures/.

import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { downsample, upsample } from '@octconv/core';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { renderScene } from '../lib/scene.js';

const SIZE = 128;
const SEED = 7;
/** Gain applied to the high-frequency residual around mid-grey. */
const HIGH_GAIN = 3;
const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'figures');

const CRC_TABLE = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  CRC_TABLE[n] = c >>> 0;
}

/** @param {Uint8Array} bytes */
function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * @param {string} type
 * @param {Uint8Array} data
 */
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** @param {number} a @param {number} b @param {number} c */
function paeth(a, b, c) {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * A minimal 8-bit RGB PNG encoder. Each row gets the filter (None, Sub, Up, Average, Paeth)
 * with the smallest sum of absolute residuals, the usual heuristic, which keeps files small.
 *
 * @param {number} width
 * @param {number} height
 * @param {Uint8Array} rgb `height * width * 3` bytes, row-major.
 */
function encodePng(width, height, rgb) {
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height);
  const candidate = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = rgb.subarray(y * stride, (y + 1) * stride);
    const above = y > 0 ? rgb.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    let bestFilter = 0;
    let bestScore = Number.POSITIVE_INFINITY;
    let best = new Uint8Array(stride);
    for (let filter = 0; filter < 5; filter++) {
      let score = 0;
      for (let i = 0; i < stride; i++) {
        const left = i >= 3 ? row[i - 3] : 0;
        const up = above[i];
        const upLeft = i >= 3 ? above[i - 3] : 0;
        const predictor = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter];
        const value = (row[i] - predictor) & 0xff;
        candidate[i] = value;
        score += value < 128 ? value : 256 - value;
      }
      if (score < bestScore) {
        bestScore = score;
        bestFilter = filter;
        best = candidate.slice();
      }
    }
    raw[y * (stride + 1)] = bestFilter;
    raw.set(best, y * (stride + 1) + 1);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour RGB, deflate, adaptive filters, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/**
 * Writes a `[1, h, w, 3]` tensor with values in [0, 1] as a PNG.
 *
 * @param {string} name
 * @param {tf.Tensor4D} image
 */
async function writeImage(name, image) {
  const [, height, width] = image.shape;
  const values = await image.data();
  const rgb = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    rgb[i] = Math.round(Math.min(Math.max(values[i], 0), 1) * 255);
  }
  const png = encodePng(width, height, rgb);
  writeFileSync(join(OUT_DIR, name), png);
  console.log(`${name.padEnd(16)} ${width}×${height}  ${(png.length / 1024).toFixed(1)} KB`);
}

await tf.setBackend('cpu');
await tf.ready();

const scene = renderScene(SIZE, SIZE, SEED);
const input = tf.tensor4d(scene.data, [1, scene.height, scene.width, 3]);
// The octave Down: 2×2 average pooling → the low band lives at half resolution.
const low = downsample(input);
// What the low band still says at full resolution: nearest ×2, as the L→H path upsamples.
const lowUp = upsample(low, [SIZE, SIZE]);
// Everything the low band cannot carry: edges, stripes, grain.
const high = tf.sub(input, lowUp);
const highShown = tf.add(tf.mul(high, HIGH_GAIN), 0.5);

await writeImage('scene.png', input);
await writeImage('scene-low.png', low);
await writeImage('scene-high.png', highShown);

// How the signal divides between the bands (reported, not drawn): variance of the input around
// its mean vs. mean square of the residual.
const variance = tf.moments(input).variance.dataSync()[0];
const residual = tf.mean(tf.square(high)).dataSync()[0];
console.log(
  `high residual holds ${((100 * residual) / variance).toFixed(1)}% of the input's variance; ` +
    `the low band holds the rest in a quarter of the pixels`,
);
