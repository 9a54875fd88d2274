// The pretrained page's computation: a PyTorch checkpoint of d-li14's Oct-ResNet and one of
// torchvision's ResNet (chosen from disk, never uploaded) loaded with loadTorchCheckpoint into
// octResNet({ variant: 'd-li14' }) and octResNet({ alpha: 0, variant: 'torchvision' }), run on
// the playground's procedural photo or the visitor's own (resized and cropped as torchvision's
// evaluation transform does), with the top-5 classes by name and the time per forward.
import {
  compileForInference,
  type InferenceModel,
  loadTorchCheckpoint,
  type OctResNet,
  type OctResNetDepth,
  octResNet,
} from '@octconv/models';
import * as tf from '@tensorflow/tfjs-core';
import { renderScene } from '../lib/scene.js';
import IMAGENET_CLASSES from './imagenet-classes.json';

/** Which checkpoint a network reads: d-li14's Oct-ResNet or torchvision's plain ResNet twin. */
export type PretrainedKind = 'd-li14' | 'torchvision';

/** The 1,000 ImageNet class names, in the order of the classifier's outputs (torchvision's list). */
export const IMAGENET_CLASS_NAMES: readonly string[] = IMAGENET_CLASSES;

/** The name of class `index` when the classifier has ImageNet's 1,000 outputs, else null. */
export function className(index: number, numClasses: number): string | null {
  return numClasses === IMAGENET_CLASS_NAMES.length ? (IMAGENET_CLASS_NAMES[index] ?? null) : null;
}

/** What the page's controls choose. */
export interface PretrainedParams {
  /** Oct-ResNet depth; d-li14 published depth 50. */
  depth: OctResNetDepth;
  /** Classifier outputs; 1000 for ImageNet. */
  numClasses: number;
  /** Height and width of the photo. */
  size: number;
  /** Seed of the photo. */
  seed: number;
}

export const DEFAULT_PRETRAINED: PretrainedParams = {
  depth: 50,
  numClasses: 1000,
  size: 224,
  seed: 1,
};

export const DEPTH_CHOICES: readonly OctResNetDepth[] = [26, 50, 101, 152];
export const PHOTO_SIZES: readonly number[] = [224, 240, 256];

/** torchvision's ImageNet normalisation, which d-li14's training used. */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/** The procedural photo, `[1, size, size, 3]` RGB in [0, 1] (the playground's). */
export function photo(params: Pick<PretrainedParams, 'size' | 'seed'>): {
  width: number;
  height: number;
  data: Float32Array;
} {
  return renderScene(params.size, params.size, params.seed);
}

/** An RGB image in [0, 1], `[height, width, 3]` row-major. */
export interface RgbImage {
  width: number;
  height: number;
  data: Float32Array;
}

/** ImageNet normalisation of an RGB image in [0, 1]: the network's input, `[1, h, w, 3]`. */
export function normalisedTensor(image: RgbImage): tf.Tensor4D {
  const values = new Float32Array(image.data.length);
  for (let i = 0; i < values.length; i++) {
    const c = i % 3;
    values[i] = (image.data[i]! - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]!;
  }
  return tf.tensor4d(values, [1, image.height, image.width, 3]);
}

/** The photo as the network's input: ImageNet-normalised, `[1, size, size, 3]`. */
export function photoTensor(params: Pick<PretrainedParams, 'size' | 'seed'>): tf.Tensor4D {
  return normalisedTensor(photo(params));
}

/**
 * One pass of PIL's bilinear resampling (what torchvision's `Resize` runs on a PIL image) along
 * one axis of an 8-bit image with `channels` interleaved channels: a triangle filter widened by
 * the scale when shrinking (antialiasing), weights normalised per output pixel, and the result
 * rounded to 8 bits as PIL rounds between its passes.
 */
function resamplePass(
  source: Uint8ClampedArray,
  width: number,
  height: number,
  channels: number,
  outSize: number,
  axis: 'x' | 'y',
): Uint8ClampedArray {
  const inSize = axis === 'x' ? width : height;
  const outWidth = axis === 'x' ? outSize : width;
  const outHeight = axis === 'x' ? height : outSize;
  const out = new Uint8ClampedArray(outWidth * outHeight * channels);
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // bilinear: support 1, widened by the scale
  const starts = new Int32Array(outSize);
  const weights: Float64Array[] = [];
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    const min = Math.max(Math.trunc(center - support + 0.5), 0);
    const max = Math.min(Math.trunc(center + support + 0.5), inSize);
    const w = new Float64Array(max - min);
    let sum = 0;
    for (let k = 0; k < w.length; k++) {
      const x = Math.abs((k + min - center + 0.5) / filterScale);
      w[k] = x < 1 ? 1 - x : 0;
      sum += w[k]!;
    }
    for (let k = 0; k < w.length; k++) w[k] = sum === 0 ? 0 : w[k]! / sum;
    starts[o] = min;
    weights.push(w);
  }
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const o = axis === 'x' ? x : y;
      const w = weights[o]!;
      const start = starts[o]!;
      for (let c = 0; c < channels; c++) {
        let total = 0;
        for (let k = 0; k < w.length; k++) {
          const sx = axis === 'x' ? start + k : x;
          const sy = axis === 'x' ? y : start + k;
          total += w[k]! * source[(sy * width + sx) * channels + c]!;
        }
        // Uint8ClampedArray rounds half to even and clamps, as PIL's fixed-point rounding does
        // up to a last-bit tie.
        out[(y * outWidth + x) * channels + c] = total;
      }
    }
  }
  return out;
}

/**
 * torchvision's ImageNet evaluation transform on an 8-bit RGBA image (a canvas's pixels):
 * `Resize(256)` (the shorter side to 256, the longer to `int(256 · long / short)`, PIL's
 * antialiased bilinear), `CenterCrop(224)`, `ToTensor()`; normalise with {@link normalisedTensor}.
 * The alpha channel is ignored.
 */
export function evalTransform(
  rgba: Uint8ClampedArray,
  width: number,
  height: number,
  resize = 256,
  crop = 224,
): RgbImage {
  const rgb = new Uint8ClampedArray(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    rgb[3 * i] = rgba[4 * i]!;
    rgb[3 * i + 1] = rgba[4 * i + 1]!;
    rgb[3 * i + 2] = rgba[4 * i + 2]!;
  }
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  const longSize = Math.trunc((resize * long) / short);
  const outWidth = width <= height ? resize : longSize;
  const outHeight = width <= height ? longSize : resize;
  // PIL resamples horizontally first, then vertically, each only where the size changes.
  let image: Uint8ClampedArray = rgb;
  if (outWidth !== width) image = resamplePass(image, width, height, 3, outWidth, 'x');
  if (outHeight !== height) image = resamplePass(image, outWidth, height, 3, outHeight, 'y');
  // CenterCrop: torchvision's offsets are int(round((size - crop) / 2.0)), Python's round
  // (half to even: 58.5 → 58).
  const half = (excess: number) => {
    const value = excess / 2;
    const floor = Math.floor(value);
    return value - floor === 0.5 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(value);
  };
  const top = half(outHeight - crop);
  const left = half(outWidth - crop);
  const data = new Float32Array(crop * crop * 3);
  for (let y = 0; y < crop; y++) {
    for (let x = 0; x < crop; x++) {
      for (let c = 0; c < 3; c++) {
        data[(y * crop + x) * 3 + c] = image[((y + top) * outWidth + (x + left)) * 3 + c]! / 255;
      }
    }
  }
  return { width: crop, height: crop, data };
}

/** The network a checkpoint of this kind, depth and class count loads into (untrained). */
export function createNetwork(
  params: Pick<PretrainedParams, 'depth' | 'numClasses'>,
  kind: PretrainedKind = 'd-li14',
): OctResNet {
  return octResNet({
    depth: params.depth,
    alpha: kind === 'd-li14' ? 0.5 : 0,
    numClasses: params.numClasses,
    variant: kind,
    random: 1,
  });
}

/**
 * Builds the network and loads `bytes` into it (strict and atomic: on a wrong file the typed
 * error says what is wrong, and the half-built network is disposed). Returns it in eval mode:
 * batch norm must use the running statistics the checkpoint carries.
 */
export function loadNetwork(
  bytes: Uint8Array,
  params: Pick<PretrainedParams, 'depth' | 'numClasses'>,
  kind: PretrainedKind = 'd-li14',
): OctResNet {
  const net = createNetwork(params, kind);
  try {
    loadTorchCheckpoint(net, bytes);
  } catch (error) {
    net.dispose();
    throw error;
  }
  return net.eval();
}

/**
 * One of the top classes: its index in the classifier's outputs, its ImageNet name (null when
 * the classifier does not have 1,000 outputs) and its softmax probability.
 */
export interface TopClass {
  index: number;
  name: string | null;
  probability: number;
}

/** The `k` largest logits with their softmax probabilities, largest first. */
export function topClasses(logits: ArrayLike<number>, k = 5): TopClass[] {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  return Array.from({ length: logits.length }, (_, index) => index)
    .sort((a, b) => logits[b]! - logits[a]! || a - b)
    .slice(0, k)
    .map((index) => ({
      index,
      name: className(index, logits.length),
      probability: Math.exp(logits[index]! - max) / sum,
    }));
}

/** Everything one run shows. */
export interface PretrainedRun {
  backend: string;
  logits: Float32Array;
  top: TopClass[];
  /** Compiling for inference (batch norm folded), ms. */
  compileMs: number;
  /** First forward (kernel compilation, uploads), then the median of the timed ones, in ms. */
  firstMs: number;
  medianMs: number;
  timedRuns: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function timed(
  model: InferenceModel<tf.Tensor4D, tf.Tensor2D>,
  x: tf.Tensor4D,
): Promise<{ ms: number; logits: Float32Array }> {
  const start = performance.now();
  const y = model.apply(x);
  const logits = (await y.data()) as Float32Array;
  const ms = performance.now() - start;
  y.dispose();
  return { ms, logits };
}

/**
 * Runs the loaded network, compiled for inference, on an image (ImageNet-normalised here): once,
 * then `timedRuns` times.
 */
export async function runPretrained(
  net: OctResNet,
  image: RgbImage,
  timedRuns = 3,
): Promise<PretrainedRun> {
  const compileStart = performance.now();
  const model = compileForInference(net);
  const compileMs = performance.now() - compileStart;
  const x = normalisedTensor(image);
  try {
    const first = await timed(model, x);
    const times: number[] = [];
    for (let i = 0; i < timedRuns; i++) times.push((await timed(model, x)).ms);
    return {
      backend: tf.getBackend(),
      logits: first.logits,
      top: topClasses(first.logits, 5),
      compileMs,
      firstMs: first.ms,
      medianMs: median(times),
      timedRuns,
    };
  } finally {
    x.dispose();
    model.dispose();
  }
}
