// The playground's computation: one OctConv layer on a procedural photo or the visitor's own,
// timed side by side with its α = 0 twin, with its multiply-adds against the twin's and a
// checksum of both output bands.
import { type Comparison, compareOctaveConv } from '@octconv/analysis';
import { type OctaveConvLayerSpec, type OctaveTensor, octaveSplit } from '@octconv/core';
import { OctaveConv2d, type OctaveConv2dOptions } from '@octconv/models';
import * as tf from '@tensorflow/tfjs-core';
import { renderScene } from '../lib/scene.js';
import { bandChecksum, type OctaveChecksum } from './checksum';
import type { FeatureMap } from './images';
import { hyperParameters, type LayerChoice, layerSpec, type StrideChoice } from './layer';

/** The input is the RGB image: three channels, split into bands by α_in. */
export const IN_CHANNELS = 3;

/** What the playground's controls choose. */
export interface PlaygroundParams {
  alphaIn: number;
  alphaOut: number;
  outChannels: number;
  kernel: number;
  stride: StrideChoice;
  /** Height and width of the image. */
  size: number;
  /** Seed of the image and of the weights. */
  seed: number;
  /**
   * `'depthwise'`: MobileNet's depthwise OctConv (groups = the 3 input channels, so only H→H and
   * L→L, each depthwise on its band); its output is the input's 3 channels, split as the input
   * (`outChannels` and `alphaOut` are then ignored). Default `'dense'`.
   */
  layer?: 'dense' | 'depthwise';
}

export const DEFAULT_PARAMS: PlaygroundParams = {
  alphaIn: 0.5,
  alphaOut: 0.5,
  outChannels: 16,
  kernel: 3,
  stride: 'stride-1',
  size: 128,
  seed: 1,
};

/** The output the layer really has: a depthwise one keeps the input's channels and split. */
export function effectiveParams(params: PlaygroundParams): PlaygroundParams {
  return params.layer === 'depthwise'
    ? { ...params, outChannels: IN_CHANNELS, alphaOut: params.alphaIn }
    : params;
}

/** The playground's layer: the image's three channels in. */
function layerChoice(params: PlaygroundParams): LayerChoice {
  const { layer: _layer, ...choice } = effectiveParams(params);
  return { ...choice, inChannels: IN_CHANNELS };
}

/** Groups of the layer: all input channels when depthwise. */
const groupsOf = (params: PlaygroundParams) =>
  params.layer === 'depthwise' ? { groups: IN_CHANNELS } : {};

/** The layer the parameters describe, as `@octconv/analysis` and `octaveConvOutputShape` take it. */
export function playgroundSpec(params: PlaygroundParams): OctaveConvLayerSpec {
  return { ...layerSpec(layerChoice(params)), ...groupsOf(params) };
}

/** The same layer as `@octconv/models` builds it: PyTorch's initialisation, seeded. */
export function layerOptions(params: PlaygroundParams): OctaveConv2dOptions {
  return { ...hyperParameters(layerChoice(params)), ...groupsOf(params), random: params.seed };
}

/** The procedural photo as a `[1, size, size, 3]` tensor. */
export function sceneTensor(params: PlaygroundParams): tf.Tensor4D {
  const scene = renderScene(params.size, params.size, params.seed);
  return tf.tensor4d(scene.data, [1, scene.height, scene.width, 3]);
}

/** The twin the octave layer is timed against: the same layer at α_in = α_out = 0. */
export function twinParams(params: PlaygroundParams): PlaygroundParams {
  return { ...params, alphaIn: 0, alphaOut: 0 };
}

/**
 * The multiply-adds ratio the layer would have if its bands split exactly at α_in and α_out
 * (the paper's formula): the same layer with eight times the channels, where every α the page
 * offers splits without rounding. With three input channels the split rounds (α_in = 0.5 puts 2
 * of 3 channels in the low band), so the real ratio can differ from this one.
 */
export function unroundedMacsRatio(params: PlaygroundParams): number {
  const spec = playgroundSpec(params);
  const scale = 8;
  return compareOctaveConv({
    ...spec,
    inChannels: spec.inChannels * scale,
    outChannels: spec.outChannels * scale,
    ...(spec.groups ? { groups: spec.groups * scale } : {}),
  }).macsRatio;
}

/** Everything one run shows. */
export interface PlaygroundRun {
  params: PlaygroundParams;
  backend: string;
  /** Where the image came from: `'scene'` (the procedural photo) or the visitor's file name. */
  source: string;
  image: FeatureMap;
  input: { high: FeatureMap | null; low: FeatureMap | null };
  output: { high: FeatureMap | null; low: FeatureMap | null };
  comparison: Comparison;
  /** First call (kernel compilation, uploads), then the median of the timed calls, in ms. */
  firstMs: number;
  medianMs: number;
  /** Median of the α = 0 twin's timed calls, interleaved with the octave layer's, in ms. */
  twinMedianMs: number;
  timedRuns: number;
  checksum: OctaveChecksum;
}

async function read(band: tf.Tensor4D | null): Promise<FeatureMap | null> {
  if (band === null) return null;
  const [, height, width, channels] = band.shape;
  return { height, width, channels, values: (await band.data()) as Float32Array };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The picture to convolve: the procedural photo, or the visitor's as a feature map. */
export interface PlaygroundImage {
  name: string;
  pixels: FeatureMap;
}

async function timedApply(layer: OctaveConv2d, x: OctaveTensor): Promise<number> {
  const start = performance.now();
  const y = layer.apply(x);
  await Promise.all([y.high?.data(), y.low?.data()]);
  const elapsed = performance.now() - start;
  tf.dispose([y.high, y.low].filter((band) => band !== null));
  return elapsed;
}

/**
 * Runs the layer on the active backend once for the result, then `timedRuns` times interleaved
 * with its α = 0 twin (ABBA order, after one untimed call of the twin), on the procedural photo
 * or on `photo` (`size`×`size` RGB).
 */
export async function runPlayground(
  params: PlaygroundParams,
  timedRuns = 5,
  photo?: PlaygroundImage,
): Promise<PlaygroundRun> {
  const comparison = compareOctaveConv(playgroundSpec(params));
  const layer = new OctaveConv2d(layerOptions(params));
  const twin = new OctaveConv2d(layerOptions(twinParams(params)));
  const image = photo
    ? tf.tensor4d(photo.pixels.values, [1, photo.pixels.height, photo.pixels.width, 3])
    : sceneTensor(params);
  const x = octaveSplit(image, params.alphaIn);
  const plain: OctaveTensor = { high: image, low: null };
  try {
    const start = performance.now();
    const y = layer.apply(x);
    const output = { high: await read(y.high), low: await read(y.low) };
    const firstMs = performance.now() - start;
    tf.dispose([y.high, y.low].filter((band) => band !== null));
    await timedApply(twin, plain);
    const times: number[] = [];
    const twinTimes: number[] = [];
    for (let i = 0; i < timedRuns; i++) {
      if (i % 2 === 0) {
        times.push(await timedApply(layer, x));
        twinTimes.push(await timedApply(twin, plain));
      } else {
        twinTimes.push(await timedApply(twin, plain));
        times.push(await timedApply(layer, x));
      }
    }
    const checksum: OctaveChecksum = {
      high: output.high && bandChecksum(output.high.values, [1, ...shapeOf(output.high)]),
      low: output.low && bandChecksum(output.low.values, [1, ...shapeOf(output.low)]),
    };
    return {
      params,
      backend: tf.getBackend(),
      source: photo?.name ?? 'scene',
      image: (await read(image))!,
      input: { high: await read(x.high), low: await read(x.low) },
      output,
      comparison,
      firstMs,
      medianMs: median(times),
      twinMedianMs: median(twinTimes),
      timedRuns,
      checksum,
    };
  } finally {
    tf.dispose([image, x.high, x.low].filter((t) => t !== null));
    layer.dispose();
    twin.dispose();
  }
}

function shapeOf(map: FeatureMap): [number, number, number] {
  return [map.height, map.width, map.channels];
}
