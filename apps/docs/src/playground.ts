// The playground's computation: one OctConv layer on a procedural photo, timed, with its
// multiply-adds against the vanilla convolution and a checksum of both output bands.
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

/** Everything one run shows. */
export interface PlaygroundRun {
  params: PlaygroundParams;
  backend: string;
  image: FeatureMap;
  input: { high: FeatureMap | null; low: FeatureMap | null };
  output: { high: FeatureMap | null; low: FeatureMap | null };
  comparison: Comparison;
  /** First call (kernel compilation, uploads), then the median of the timed calls, in ms. */
  firstMs: number;
  medianMs: number;
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

async function timedApply(layer: OctaveConv2d, x: OctaveTensor): Promise<number> {
  const start = performance.now();
  const y = layer.apply(x);
  await Promise.all([y.high?.data(), y.low?.data()]);
  const elapsed = performance.now() - start;
  tf.dispose([y.high, y.low].filter((band) => band !== null));
  return elapsed;
}

/** Runs the layer on the active backend: once for the result, then `timedRuns` times. */
export async function runPlayground(
  params: PlaygroundParams,
  timedRuns = 5,
): Promise<PlaygroundRun> {
  const comparison = compareOctaveConv(playgroundSpec(params));
  const layer = new OctaveConv2d(layerOptions(params));
  const image = sceneTensor(params);
  const x = octaveSplit(image, params.alphaIn);
  try {
    const start = performance.now();
    const y = layer.apply(x);
    const output = { high: await read(y.high), low: await read(y.low) };
    const firstMs = performance.now() - start;
    tf.dispose([y.high, y.low].filter((band) => band !== null));
    const times: number[] = [];
    for (let i = 0; i < timedRuns; i++) times.push(await timedApply(layer, x));
    const checksum: OctaveChecksum = {
      high: output.high && bandChecksum(output.high.values, [1, ...shapeOf(output.high)]),
      low: output.low && bandChecksum(output.low.values, [1, ...shapeOf(output.low)]),
    };
    return {
      params,
      backend: tf.getBackend(),
      image: (await read(image))!,
      input: { high: await read(x.high), low: await read(x.low) },
      output,
      comparison,
      firstMs,
      medianMs: median(times),
      timedRuns,
      checksum,
    };
  } finally {
    tf.dispose([image, x.high, x.low].filter((t) => t !== null));
    layer.dispose();
  }
}

function shapeOf(map: FeatureMap): [number, number, number] {
  return [map.height, map.width, map.channels];
}
