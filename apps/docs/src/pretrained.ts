// The pretrained page's computation: a PyTorch checkpoint of d-li14's Oct-ResNet (chosen from
// disk, never uploaded) loaded with loadTorchCheckpoint into octResNet({ variant: 'd-li14' }),
// run on the playground's procedural photo, with its top-5 classes and the time per forward.
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

/** The photo as the network's input: ImageNet-normalised, `[1, size, size, 3]`. */
export function photoTensor(params: Pick<PretrainedParams, 'size' | 'seed'>): tf.Tensor4D {
  const scene = photo(params);
  const values = new Float32Array(scene.data.length);
  for (let i = 0; i < values.length; i++) {
    const c = i % 3;
    values[i] = (scene.data[i]! - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]!;
  }
  return tf.tensor4d(values, [1, scene.height, scene.width, 3]);
}

/** The network a d-li14 checkpoint of this depth and class count loads into (untrained). */
export function createNetwork(params: Pick<PretrainedParams, 'depth' | 'numClasses'>): OctResNet {
  return octResNet({
    depth: params.depth,
    alpha: 0.5,
    numClasses: params.numClasses,
    variant: 'd-li14',
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
): OctResNet {
  const net = createNetwork(params);
  try {
    loadTorchCheckpoint(net, bytes);
  } catch (error) {
    net.dispose();
    throw error;
  }
  return net.eval();
}

/** One of the top classes: its index in the classifier's outputs and its softmax probability. */
export interface TopClass {
  index: number;
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
    .map((index) => ({ index, probability: Math.exp(logits[index]! - max) / sum }));
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

/** Runs the loaded network, compiled for inference, on the photo: once, then `timedRuns` times. */
export async function runPretrained(
  net: OctResNet,
  params: Pick<PretrainedParams, 'size' | 'seed'>,
  timedRuns = 3,
): Promise<PretrainedRun> {
  const compileStart = performance.now();
  const model = compileForInference(net);
  const compileMs = performance.now() - compileStart;
  const x = photoTensor(params);
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
