import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '@octconv/core';
import type * as tf from '@tensorflow/tfjs-core';

/** What {@link fileHandler} writes as model.json (tfjs's format). */
interface ModelJson {
  modelTopology: unknown;
  format?: string;
  generatedBy?: string;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/**
 * A tf.io handler for a directory in Node, like tfjs-node's `file://` handler without its
 * native dependency: `save` writes `model.json` and `weights.bin` there, `load` reads them.
 *
 * @param directory A path or a `file://` URL.
 */
export function fileHandler(directory: string): tf.io.IOHandler {
  if (typeof directory !== 'string' || directory === '') {
    throw new InvalidArgumentError({
      functionName: 'fileHandler',
      argument: 'directory',
      value: directory,
      message: `directory must be a path or file:// URL, got ${String(directory)}`,
    });
  }
  let root = directory;
  if (directory.startsWith('file://')) {
    try {
      root = fileURLToPath(directory);
    } catch (error) {
      throw new InvalidArgumentError({
        functionName: 'fileHandler',
        argument: 'directory',
        value: directory,
        message: `directory ${JSON.stringify(directory)} is not a local file URL (${(error as Error).message})`,
      });
    }
  }
  const modelPath = join(root, 'model.json');
  const weightsPath = join(root, 'weights.bin');
  return {
    async save(artifacts) {
      const weights = artifacts.weightData;
      const bytes = Array.isArray(weights)
        ? Buffer.concat(weights.map((part) => Buffer.from(part)))
        : Buffer.from(weights ?? new ArrayBuffer(0));
      const model: ModelJson = {
        modelTopology: artifacts.modelTopology,
        ...(artifacts.format !== undefined && { format: artifacts.format }),
        ...(artifacts.generatedBy !== undefined && { generatedBy: artifacts.generatedBy }),
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      await mkdir(root, { recursive: true });
      const json = JSON.stringify(model);
      await writeFile(weightsPath, bytes);
      await writeFile(modelPath, json);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: Buffer.byteLength(json),
          weightSpecsBytes: Buffer.byteLength(JSON.stringify(model.weightsManifest)),
          weightDataBytes: bytes.byteLength,
        },
      };
    },
    async load() {
      const model = JSON.parse(await readFile(modelPath, 'utf8')) as ModelJson;
      const manifest = model.weightsManifest ?? [];
      const parts: Buffer[] = [];
      const specs: tf.io.WeightsManifestEntry[] = [];
      for (const group of manifest) {
        for (const path of group.paths) {
          // Weight files sit next to model.json; a manifest must not reach elsewhere.
          if (
            typeof path !== 'string' ||
            path.includes('/') ||
            path.includes('\\') ||
            path.startsWith('.')
          ) {
            throw new Error(`weights path ${JSON.stringify(path)} is not a file name in ${root}`);
          }
          parts.push(await readFile(join(root, path)));
        }
        specs.push(...group.weights);
      }
      const data = Buffer.concat(parts);
      return {
        modelTopology: model.modelTopology as tf.io.ModelArtifacts['modelTopology'],
        ...(model.format !== undefined && { format: model.format }),
        ...(model.generatedBy !== undefined && { generatedBy: model.generatedBy }),
        weightSpecs: specs,
        weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
      };
    },
  };
}
