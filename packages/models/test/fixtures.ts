// Reads the PyTorch fixtures written by fixtures/make_fixtures.py (NCHW / OIHW, PyTorch names).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSafetensors, readFloat32, readIntegers } from '@octconv/checkpoint/internal';
import * as tf from '@tensorflow/tfjs-core';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

export interface InlineTensor {
  shape: number[];
  data: number[];
}
export interface KeyedTensor {
  shape: number[];
  dtype: 'F32' | 'I64';
  key: string;
}
export type FixtureTensor = InlineTensor | KeyedTensor;

export interface FixtureCase {
  name: string;
  module: 'block' | 'mini';
  mode: 'eval' | 'train';
  config: Record<string, number>;
  state: Record<string, FixtureTensor>;
  state_after: Record<string, FixtureTensor>;
  input: Record<string, FixtureTensor | null>;
  output: Record<string, FixtureTensor | null>;
  grads: Record<string, FixtureTensor | null>;
  loss_weights?: Record<string, FixtureTensor | null>;
  labels?: number[];
  loss: number;
  tensors_file?: string;
}

export interface Fixtures {
  cases: FixtureCase[];
  mini_checkpoint: {
    file: string;
    config: { in_channels: number; num_classes: number; alpha: number };
    parameter_count: number;
    input: { x: InlineTensor };
    logits: InlineTensor;
  };
}

export const fixtures = JSON.parse(readFileSync(join(FIXTURES, 'models.json'), 'utf8')) as Fixtures;

const sidecars = new Map<string, ReturnType<typeof parseSafetensors>>();

/** Values of a fixture tensor (inline, or by key in the case's sidecar file). */
export function values(
  tensor: FixtureTensor,
  file?: string,
): { shape: number[]; data: Float64Array } {
  if ('data' in tensor) return { shape: tensor.shape, data: Float64Array.from(tensor.data) };
  let sidecar = sidecars.get(file!);
  if (!sidecar) {
    sidecar = parseSafetensors('fixtures', new Uint8Array(readFileSync(join(FIXTURES, file!))));
    sidecars.set(file!, sidecar);
  }
  const entry = sidecar.tensors.get(tensor.key)!;
  const data =
    entry.dtype === 'I64'
      ? Float64Array.from(readIntegers(entry))
      : Float64Array.from(readFloat32(entry));
  return { shape: entry.shape, data };
}

/** NCHW fixture values → an NHWC tensor. */
export function nhwc(tensor: FixtureTensor, file?: string): tf.Tensor4D {
  const { shape, data } = values(tensor, file);
  return tf.tidy(() =>
    tf.transpose(
      tf.tensor4d(Float32Array.from(data), shape as [number, number, number, number]),
      [0, 2, 3, 1],
    ),
  );
}

/** NCHW fixture values rearranged to NHWC order (float64). */
export function nhwcValues(tensor: FixtureTensor, file?: string): Float64Array {
  const { shape, data } = values(tensor, file);
  const [n, c, h, w] = shape as [number, number, number, number];
  const out = new Float64Array(data.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          out[((b * h + y) * w + x) * c + ch] = data[((b * c + ch) * h + y) * w + x]!;
  return out;
}
