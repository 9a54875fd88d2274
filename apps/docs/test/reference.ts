// The playground's layer computed in Node, as the reference the browser tests compare the
// page's published checksums with.
import type { BackendName } from '@octconv/bench';
import { octaveConv2d, octaveSplit } from '@octconv/core';
import { OctaveConv2d } from '@octconv/models';
import { compareArrays, TOLERANCE } from '@octconv/test-utils';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { type BandChecksum, bandChecksum, type OctaveChecksum } from '../src/checksum';
import { layerOptions, type PlaygroundParams, sceneTensor } from '../src/playground';

/**
 * The playground's layer on `image` (default: the procedural photo of `params`), computed with
 * @octconv/core's octaveConv2d on the active backend (tfjs's cpu in the tests). Disposes `image`.
 */
export async function playgroundChecksum(
  params: PlaygroundParams,
  image: tf.Tensor4D = sceneTensor(params),
): Promise<OctaveChecksum> {
  const layer = new OctaveConv2d(layerOptions(params));
  const x = octaveSplit(image, params.alphaIn);
  const y = octaveConv2d(x, layer.weights(), layer.convOptions());
  const band = async (t: tf.Tensor4D | null) => t && bandChecksum(await t.data(), t.shape);
  const checksum = { high: await band(y.high), low: await band(y.low) };
  tf.dispose([image, x.high, x.low, y.high, y.low].filter((t) => t !== null));
  layer.dispose();
  return checksum;
}

/** Fails unless a band the page computed on `backend` matches the reference within tolerance. */
export function expectChecksum(
  label: string,
  actual: BandChecksum | null,
  expected: BandChecksum | null,
  backend: BackendName,
): void {
  if (expected === null) {
    expect(actual, label).toBeNull();
    return;
  }
  expect(actual, label).not.toBeNull();
  expect(actual!.shape, label).toEqual(expected.shape);
  const { atol, rtol } = TOLERANCE[backend];
  const samples = compareArrays(actual!.samples, expected.samples, { atol, rtol });
  expect(samples.ok, `${label}: ${JSON.stringify(samples)}`).toBe(true);
  const size = expected.shape.reduce((a, b) => a * b, 1);
  expect(Math.abs(actual!.sum - expected.sum), `${label} sum`).toBeLessThanOrEqual(
    atol * size + rtol * expected.sumAbs,
  );
  expect(
    Math.abs(actual!.sumAbs - expected.sumAbs),
    `${label} sum of magnitudes`,
  ).toBeLessThanOrEqual(atol * size + rtol * expected.sumAbs);
}
