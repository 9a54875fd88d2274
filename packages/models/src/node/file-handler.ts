import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CheckpointError, InvalidArgumentError } from '@octconv/core';
import type * as tf from '@tensorflow/tfjs-core';

/** What {@link fileHandler} reads and writes as the model's JSON file (tfjs's format). */
interface ModelJson {
  modelTopology: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: tf.io.TrainingConfig;
  userDefinedMetadata?: Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** The optional fields of the model JSON that travel as they are. */
const PASSED_ON = [
  'format',
  'generatedBy',
  'convertedBy',
  'trainingConfig',
  'userDefinedMetadata',
] as const;

const fn = 'fileHandler';

function fail(path: string, message: string, cause?: unknown): never {
  throw new CheckpointError({ functionName: fn, message: `${path}: ${message}`, cause });
}

/** `code` of a Node file-system error, if any. */
function code(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}

/**
 * The file `name` from a weights manifest, inside `root`. tfjs writes plain names (`weights.bin`)
 * and `downloads://` writes `./name.weights.bin`; subfolders are fine. A path that leaves the
 * folder (`../x.bin`, an absolute path, a URL) is refused.
 */
function weightFile(root: string, modelPath: string, name: unknown): string {
  if (typeof name !== 'string' || name === '') {
    fail(
      modelPath,
      `weightsManifest holds a path that is not a file name: ${JSON.stringify(name)}`,
    );
  }
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(name);
  const path = resolve(root, name);
  const inside = relative(root, path);
  if (
    url ||
    isAbsolute(name) ||
    inside === '' ||
    inside === '..' ||
    inside.startsWith(`..${sep}`) ||
    isAbsolute(inside)
  ) {
    fail(
      modelPath,
      `weights path ${JSON.stringify(name)} leaves the model's folder ${root}; the weight files must sit next to the model JSON (or below it)`,
    );
  }
  return path;
}

/**
 * A tf.io handler for files in Node, like tfjs-node's `file://` handler without its native
 * dependency.
 *
 * - A folder: `save` writes `model.json` and `weights.bin` there (creating the folder), `load`
 *   reads them.
 * - A path ending in `.json` (`…/model.json`, or `octmodel.json` as a browser's `downloads://`
 *   saves it): `load` reads that file and the weight files its manifest names, which may be
 *   written `./octmodel.weights.bin` and may sit in subfolders, never outside its folder; `save`
 *   writes it and `<name>.weights.bin` next to it.
 *
 * Everything that cannot be read (a missing file, bad JSON, a weights path that leaves the
 * folder) is a `CheckpointError` naming the file.
 *
 * @param path A folder or a model JSON file, as a path or a `file://` URL.
 */
export function fileHandler(path: string): tf.io.IOHandler {
  if (typeof path !== 'string' || path === '') {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'path',
      value: path,
      message: `path must be a folder or a model JSON file, as a path or file:// URL, got ${String(path)}`,
    });
  }
  let target = path;
  if (path.startsWith('file://')) {
    try {
      target = fileURLToPath(path);
    } catch (error) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: 'path',
        value: path,
        message: `path ${JSON.stringify(path)} is not a local file URL (${(error as Error).message})`,
        cause: error,
      });
    }
  }
  const isJsonPath = target.toLowerCase().endsWith('.json');
  return {
    async save(artifacts) {
      const root = isJsonPath ? dirname(target) : target;
      const modelPath = isJsonPath ? target : join(root, 'model.json');
      const weightsName = isJsonPath
        ? `${basename(target).slice(0, -'.json'.length)}.weights.bin`
        : 'weights.bin';
      const weights = artifacts.weightData;
      const bytes = Array.isArray(weights)
        ? Buffer.concat(weights.map((part) => Buffer.from(part)))
        : Buffer.from(weights ?? new ArrayBuffer(0));
      const model: ModelJson = {
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [weightsName], weights: artifacts.weightSpecs ?? [] }],
      };
      for (const key of PASSED_ON) {
        if (artifacts[key] !== undefined)
          (model as unknown as Record<string, unknown>)[key] = artifacts[key];
      }
      const json = JSON.stringify(model);
      try {
        await mkdir(root, { recursive: true });
        await writeFile(join(root, weightsName), bytes);
        await writeFile(modelPath, json);
      } catch (error) {
        throw new InvalidArgumentError({
          functionName: fn,
          argument: 'path',
          value: path,
          message: `cannot write the model to ${modelPath} (${(error as Error).message}); pass a folder or a path ending in .json in a writable place`,
          cause: error,
        });
      }
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
      let modelPath = target;
      try {
        if ((await stat(target)).isDirectory()) modelPath = join(target, 'model.json');
      } catch (error) {
        fail(
          target,
          code(error) === 'ENOENT'
            ? 'no such file or folder; pass the folder that holds model.json or the model JSON file itself'
            : `cannot be read (${(error as Error).message})`,
          error,
        );
      }
      const root = dirname(modelPath);
      let model: ModelJson;
      try {
        model = JSON.parse(await readFile(modelPath, 'utf8')) as ModelJson;
      } catch (error) {
        fail(
          modelPath,
          code(error) === 'ENOENT'
            ? 'not found; a folder must hold model.json (or pass the model JSON file itself)'
            : error instanceof SyntaxError
              ? `is not JSON (${error.message})`
              : `cannot be read (${(error as Error).message})`,
          error,
        );
      }
      if (typeof model !== 'object' || model === null || model.modelTopology === undefined) {
        fail(modelPath, 'is not a tfjs model JSON file (no modelTopology)');
      }
      const manifest = model.weightsManifest ?? [];
      if (!Array.isArray(manifest)) fail(modelPath, 'weightsManifest is not a list');
      const parts: Buffer[] = [];
      const specs: tf.io.WeightsManifestEntry[] = [];
      for (const group of manifest) {
        for (const name of group?.paths ?? []) {
          const file = weightFile(root, modelPath, name);
          try {
            parts.push(await readFile(file));
          } catch (error) {
            fail(
              modelPath,
              `its weights file ${JSON.stringify(name)} (${file}) cannot be read (${code(error) === 'ENOENT' ? 'not found: keep the weight files next to the model JSON' : (error as Error).message})`,
              error,
            );
          }
        }
        specs.push(...(group?.weights ?? []));
      }
      const data = Buffer.concat(parts);
      const artifacts: tf.io.ModelArtifacts = {
        modelTopology: model.modelTopology as tf.io.ModelArtifacts['modelTopology'],
        weightSpecs: specs,
        weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
      };
      for (const key of PASSED_ON) {
        if (model[key] !== undefined)
          (artifacts as unknown as Record<string, unknown>)[key] = model[key];
      }
      return artifacts;
    },
  };
}
