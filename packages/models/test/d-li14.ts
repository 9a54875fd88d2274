// Shared by the d-li14 tests: the committed fixtures of fixtures/make_d_li14_fixtures.py (gzip),
// the input image both sides compute from one formula, and the live generator for larger files.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { FIXTURES } from './fixtures';

export const PYTHON = '/usr/bin/python3';

/** What `d-li14-resnet{depth}.json` says about its files and the logits they must give. */
export interface DLi14Description {
  depth: 26 | 50 | 101 | 152;
  num_classes: number;
  parameter_count: number;
  state_dict_keys: number;
  cases: {
    size: number;
    batch: number;
    /** `'d-li14'`: that code's own logits; `'ceil'`: ours where that code fails. */
    semantics: 'd-li14' | 'ceil';
    logits: { shape: number[]; data: number[] };
    d_li14_error?: string;
  }[];
}

/** The committed Oct-ResNet-26 (10 classes) description. */
export function committedDescription(): DLi14Description {
  return JSON.parse(
    readFileSync(join(FIXTURES, 'd-li14-resnet26.json'), 'utf8'),
  ) as DLi14Description;
}

/** A committed fixture file, uncompressed: `'.safetensors'`, `'.pth'` or `'-train.pth'`. */
export function committedFile(suffix: '.safetensors' | '.pth' | '-train.pth'): Uint8Array {
  return new Uint8Array(gunzipSync(readFileSync(join(FIXTURES, `d-li14-resnet26${suffix}.gz`))));
}

/**
 * The fixtures' input, NHWC: x[n, h, w, c] = ((n·977 + c·131 + h·37 + w·11 + (h·w) mod 23)
 * mod 211 − 105) / 128, exact in float32 (make_d_li14_fixtures.py computes the same in NCHW).
 */
export function dLi14Image(batch: number, size: number): tf.Tensor4D {
  const values = new Float32Array(batch * size * size * 3);
  let i = 0;
  for (let n = 0; n < batch; n++)
    for (let h = 0; h < size; h++)
      for (let w = 0; w < size; w++)
        for (let c = 0; c < 3; c++)
          values[i++] =
            (((n * 977 + c * 131 + h * 37 + w * 11 + ((h * w) % 23)) % 211) - 105) / 128;
  return tf.tensor4d(values, [batch, size, size, 3]);
}

/** Why the live tests cannot run (no torch), or null. Throws when CI requires torch. */
export function torchMissing(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  const missing =
    probe.status !== 0 ? `${PYTHON} cannot import torch (apt-get install -y python3-torch)` : null;
  if (missing && process.env.OCTCONV_REQUIRE_TORCH === '1') {
    throw new Error(`OCTCONV_REQUIRE_TORCH=1 but ${missing}`);
  }
  if (missing) console.warn(`[octconv] skipping the live d-li14 tests: ${missing}`);
  return missing;
}

/**
 * Writes `d-li14-resnet{depth}.{safetensors,pth,json}` and `-train.pth` (dense random weights)
 * into `directory` with PyTorch, and returns the description.
 */
export function generateLive(
  directory: string,
  options: { depth: number; numClasses: number; sizes: number[]; extra?: string[] },
): DLi14Description {
  const result = spawnSync(
    PYTHON,
    [
      join(FIXTURES, 'make_d_li14_fixtures.py'),
      '--out',
      directory,
      '--depth',
      String(options.depth),
      '--num-classes',
      String(options.numClasses),
      '--sizes',
      options.sizes.join(','),
      ...(options.extra ?? []),
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`make_d_li14_fixtures.py failed: ${result.stderr}`);
  return JSON.parse(
    readFileSync(join(directory, `d-li14-resnet${options.depth}.json`), 'utf8'),
  ) as DLi14Description;
}
