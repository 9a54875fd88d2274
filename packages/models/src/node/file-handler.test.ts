// fileHandler in Node: folders and model JSON paths, the weight paths browsers write
// (`./name.weights.bin`), subfolders, and typed errors for what cannot be read, including weight
// paths that leave the model's folder. No tensors: the handler moves bytes.

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CheckpointError } from '@octconv/core';
import type * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileHandler } from './index';

const SPECS: tf.io.WeightsManifestEntry[] = [
  { name: 'dense/kernel', shape: [2, 2], dtype: 'float32' },
  { name: 'dense/bias', shape: [2], dtype: 'float32' },
];
const BYTES = new Float32Array([1, 2, 3, 4, 5, 6]);
const TOPOLOGY = { class_name: 'Sequential', config: { name: 'tiny' } };

function artifacts(): tf.io.ModelArtifacts {
  return {
    modelTopology: TOPOLOGY,
    format: 'layers-model',
    generatedBy: 'TensorFlow.js tfjs-layers v4.22.0',
    convertedBy: null,
    weightSpecs: SPECS,
    weightData: BYTES.slice().buffer,
  };
}

async function loadError(path: string): Promise<CheckpointError> {
  const error = await fileHandler(path).load!().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(CheckpointError.isInstance(error), String(error)).toBe(true);
  return error as CheckpointError;
}

describe('fileHandler (@octconv/models/node)', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'octconv-file-handler-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('saves to and loads from a folder, a file:// URL and a model JSON path', async () => {
    const folder = join(root, 'folder');
    await fileHandler(folder).save!(artifacts());
    const json = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    for (const path of [folder, pathToFileURL(folder).href, join(folder, 'model.json')]) {
      const loaded = await fileHandler(path).load!();
      expect(loaded.modelTopology).toEqual(TOPOLOGY);
      expect(loaded.format).toBe('layers-model');
      expect(loaded.weightSpecs).toEqual(SPECS);
      expect(new Float32Array(loaded.weightData as ArrayBuffer)).toEqual(BYTES);
    }
    // A JSON path names the weights after it, as downloads:// does.
    const named = join(root, 'named', 'octmodel.json');
    await fileHandler(named).save!(artifacts());
    const written = JSON.parse(await readFile(named, 'utf8'));
    expect(written.weightsManifest[0].paths).toEqual(['octmodel.weights.bin']);
    const loaded = await fileHandler(named).load!();
    expect(new Float32Array(loaded.weightData as ArrayBuffer)).toEqual(BYTES);
  });

  it("reads the weight paths browsers write ('./name.weights.bin') and subfolders, in manifest order", async () => {
    const folder = join(root, 'browser');
    await mkdir(join(folder, 'shards'), { recursive: true });
    await writeFile(join(folder, 'octmodel.weights.bin'), Buffer.from(BYTES.buffer, 0, 16));
    await writeFile(join(folder, 'shards', 'rest.bin'), Buffer.from(BYTES.buffer, 16, 8));
    await writeFile(
      join(folder, 'octmodel.json'),
      JSON.stringify({
        modelTopology: TOPOLOGY,
        weightsManifest: [{ paths: ['./octmodel.weights.bin', 'shards/rest.bin'], weights: SPECS }],
      }),
    );
    const loaded = await fileHandler(join(folder, 'octmodel.json')).load!();
    expect(new Float32Array(loaded.weightData as ArrayBuffer)).toEqual(BYTES);
  });

  it('refuses weight paths that leave the folder, and names what cannot be read', async () => {
    const folder = join(root, 'bad');
    await mkdir(folder, { recursive: true });
    await writeFile(join(root, 'outside.bin'), Buffer.from(BYTES.buffer));
    const write = (name: string, paths: unknown[]) =>
      writeFile(
        join(folder, name),
        JSON.stringify({ modelTopology: TOPOLOGY, weightsManifest: [{ paths, weights: SPECS }] }),
      );
    for (const [i, path] of [
      '../outside.bin',
      join(root, 'outside.bin'),
      'file:///etc/passwd',
      './sub/../../outside.bin',
    ].entries()) {
      await write(`escape${i}.json`, [path]);
      const error = await loadError(join(folder, `escape${i}.json`));
      expect(error.message).toContain("leaves the model's folder");
    }
    await write('number.json', [7]);
    expect((await loadError(join(folder, 'number.json'))).message).toContain('not a file name');
    await write('missing.json', ['./gone.bin']);
    expect((await loadError(join(folder, 'missing.json'))).message).toMatch(
      /weights file "\.\/gone\.bin" .* cannot be read \(not found/,
    );
    await writeFile(join(folder, 'broken.json'), '{ nope');
    expect((await loadError(join(folder, 'broken.json'))).message).toContain('is not JSON');
    expect((await loadError(join(root, 'nowhere'))).message).toContain('no such file or folder');
    expect((await loadError(root)).message).toMatch(/model\.json: not found/);
  });
});
