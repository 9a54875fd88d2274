import { CheckpointError, InvalidArgumentError } from '@octconv/core';
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../module/module';
import { buildModule, type ModuleArchitecture, moduleArchitecture } from './architecture';
import { assignState, type IncomingValue, stateEntries } from './state';

/**
 * `modelTopology` of a saved module: what it was, so that a load into another module fails
 * clearly (version 1), and since version 2 its architecture, so that {@link loadModule} can
 * rebuild it without the user's code.
 */
export interface ModuleTopology {
  format: 'octconv-module';
  /** The module's class name. */
  module: string;
  version: 1 | 2;
  /** How to construct the module again; absent for classes not in the registry. */
  architecture?: ModuleArchitecture;
  /** Whether the module was in training mode when saved. */
  training?: boolean;
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4 };

function handlerFor(
  functionName: string,
  destination: string | tf.io.IOHandler,
  kind: 'save' | 'load',
): tf.io.IOHandler {
  if (typeof destination !== 'string') {
    if (destination && typeof destination[kind] === 'function') return destination;
    throw new InvalidArgumentError({
      functionName,
      argument: kind === 'save' ? 'destination' : 'source',
      value: destination,
      message: `expected a URL string or a tf.io handler with ${kind}(), got ${typeof destination}`,
    });
  }
  const handlers =
    kind === 'save' ? tf.io.getSaveHandlers(destination) : tf.io.getLoadHandlers(destination);
  if (handlers.length === 0) {
    throw new InvalidArgumentError({
      functionName,
      argument: kind === 'save' ? 'destination' : 'source',
      value: destination,
      message: `no tf.io handler for ${JSON.stringify(destination)}; in a browser use indexeddb://, localstorage:// or downloads://, in Node fileHandler() from '@octconv/models/node'`,
    });
  }
  return handlers[0]!;
}

/**
 * Saves `module`'s state with a tf.io handler (`'indexeddb://name'`, `'localstorage://name'`,
 * `'downloads://name'`, an http request, or `fileHandler(dir)` from `@octconv/models/node`):
 * model.json names the module, records its architecture (class name, constructor options,
 * variant, package version: see {@link moduleArchitecture}) and training mode, and lists every
 * tensor under its PyTorch name, in our layout (HWIO filters); weights.bin holds the values.
 * `loadModule(source)` rebuilds the module from that record without your code.
 */
export async function saveModule(
  module: Module,
  destination: string | tf.io.IOHandler,
): Promise<tf.io.SaveResult> {
  const functionName = 'saveModule';
  const entries = stateEntries(functionName, module);
  const handler = handlerFor(functionName, destination, 'save');
  const named: tf.NamedTensorMap = {};
  for (const [name, entry] of entries) named[name] = entry.variable;
  const { data, specs } = await tf.io.encodeWeights(named);
  const architecture = moduleArchitecture(module);
  const topology: ModuleTopology = {
    format: 'octconv-module',
    module: module.moduleName,
    version: 2,
    ...(architecture && { architecture }),
    training: module.training,
  };
  return handler.save!({
    modelTopology: topology as unknown as tf.io.ModelArtifacts['modelTopology'],
    format: 'octconv-module',
    generatedBy: '@octconv/models',
    weightSpecs: specs,
    weightData: data,
  });
}

/**
 * Rebuilds a module saved by {@link saveModule}, as `tf.loadLayersModel` does: the class and
 * options recorded in model.json are constructed (no code of yours is needed; the registry of
 * {@link buildModule}), the saved state is loaded into it strictly, and its training mode is
 * restored.
 *
 * @throws CheckpointError when the save cannot be read, records no architecture (saves before
 *   this version, or a module class outside the registry: pass the module to load into), or
 *   does not fit the rebuilt module.
 */
export async function loadModule(source: string | tf.io.IOHandler): Promise<Module>;
/**
 * Loads state saved by {@link saveModule} into `module`, strictly (names, shapes and dtypes
 * must match) and atomically (on error the module is unchanged).
 *
 * @throws CheckpointError listing every problem.
 */
export async function loadModule(module: Module, source: string | tf.io.IOHandler): Promise<void>;
export async function loadModule(
  moduleOrSource: Module | string | tf.io.IOHandler,
  maybeSource?: string | tf.io.IOHandler,
  // biome-ignore lint/suspicious/noConfusingVoidType: the union of the two overloads' results
): Promise<Module | void> {
  const functionName = 'loadModule';
  const rebuild = !(moduleOrSource instanceof Module) && maybeSource === undefined;
  if (
    rebuild &&
    (typeof moduleOrSource === 'string' ||
      typeof (moduleOrSource as tf.io.IOHandler)?.load === 'function')
  ) {
    const source = moduleOrSource as string | tf.io.IOHandler;
    const handler = handlerFor(functionName, source, 'load');
    const artifacts = await readArtifacts(functionName, handler);
    const topology = artifacts.modelTopology as Partial<ModuleTopology> | undefined;
    if (topology?.format !== 'octconv-module') {
      throw new CheckpointError({
        functionName,
        message:
          'model.json is not an @octconv/models module (modelTopology.format); a tfjs layers model loads with tf.loadLayersModel',
      });
    }
    if (!topology.architecture) {
      throw new CheckpointError({
        functionName,
        message: `this save of a ${String(topology.module)} records no architecture (written before @octconv/models recorded it, or a module class it cannot rebuild): create the module and pass it, loadModule(module, source)`,
      });
    }
    const module = buildModule(topology.architecture, functionName);
    try {
      assignArtifacts(functionName, module, artifacts);
    } catch (error) {
      module.dispose();
      throw error;
    }
    if (topology.training === false) module.eval();
    return module;
  }
  const module = moduleOrSource as Module;
  const source = maybeSource as string | tf.io.IOHandler;
  stateEntries(functionName, module);
  const handler = handlerFor(functionName, source, 'load');
  assignArtifacts(functionName, module, await readArtifacts(functionName, handler));
  return;
}

async function readArtifacts(
  functionName: string,
  handler: tf.io.IOHandler,
): Promise<tf.io.ModelArtifacts> {
  try {
    return await handler.load!();
  } catch (error) {
    throw new CheckpointError({
      functionName,
      message: `could not read the saved module (${(error as Error)?.message ?? String(error)})`,
      cause: error,
    });
  }
}

/** Checks the artifacts against `module` and assigns them, strictly and atomically. */
function assignArtifacts(
  functionName: string,
  module: Module,
  artifacts: tf.io.ModelArtifacts,
): void {
  const problems: string[] = [];
  const topology = artifacts.modelTopology as Partial<ModuleTopology> | undefined;
  if (topology?.format !== 'octconv-module') {
    problems.push('model.json is not an @octconv/models module (modelTopology.format)');
  } else if (topology.module !== module.moduleName) {
    problems.push(`saved from a ${topology.module}, loading into a ${module.moduleName}`);
  }
  const rawSpecs: unknown = artifacts.weightSpecs ?? [];
  if (!Array.isArray(rawSpecs)) problems.push('weightSpecs is not a list');
  const specs: tf.io.WeightsManifestEntry[] = [];
  for (const [index, spec] of (Array.isArray(rawSpecs) ? rawSpecs : []).entries()) {
    const entry = spec as Partial<tf.io.WeightsManifestEntry> | null;
    if (
      typeof entry !== 'object' ||
      entry === null ||
      typeof entry.name !== 'string' ||
      typeof entry.dtype !== 'string' ||
      !Array.isArray(entry.shape) ||
      !entry.shape.every((n) => Number.isSafeInteger(n) && n >= 0)
    ) {
      problems.push(`weightSpecs[${index}] must be { name, dtype, shape: non-negative integers }`);
      continue;
    }
    specs.push(entry as tf.io.WeightsManifestEntry);
  }
  let buffer: ArrayBuffer;
  try {
    buffer = artifacts.weightData
      ? tf.io.CompositeArrayBuffer.join(artifacts.weightData)
      : new ArrayBuffer(0);
  } catch (error) {
    throw new CheckpointError({
      functionName,
      message: `unreadable weight data (${(error as Error).message})`,
      cause: error,
    });
  }
  let offset = 0;
  const ranges = new Map<string, { begin: number; spec: tf.io.WeightsManifestEntry }>();
  for (const spec of specs) {
    const size = Object.hasOwn(BYTES_PER_ELEMENT, spec.dtype)
      ? BYTES_PER_ELEMENT[spec.dtype]
      : undefined;
    if (size === undefined || spec.quantization) {
      problems.push(
        `${JSON.stringify(spec.name)}: unsupported dtype ${spec.dtype}${spec.quantization ? ' (quantized)' : ''}`,
      );
      continue;
    }
    const count = spec.shape.reduce((a, b) => a * b, 1);
    if (ranges.has(spec.name)) problems.push(`${JSON.stringify(spec.name)} is listed twice`);
    ranges.set(spec.name, { begin: offset, spec });
    offset += count * size;
  }
  if (offset !== buffer.byteLength) {
    problems.push(
      `the weight specs describe ${offset} bytes, the weight data has ${buffer.byteLength}`,
    );
  }
  const incoming = new Map<string, IncomingValue>();
  if (offset === buffer.byteLength) {
    for (const [name, { begin, spec }] of ranges) {
      const count = spec.shape.reduce((a, b) => a * b, 1);
      const integer = spec.dtype === 'int32';
      const read = () =>
        integer
          ? new Int32Array(buffer.slice(begin, begin + count * 4))
          : new Float32Array(buffer.slice(begin, begin + count * 4));
      incoming.set(name, {
        shape: spec.shape,
        integer,
        dtype: spec.dtype,
        ...(integer && spec.shape.length === 0 && { scalar: read()[0]! }),
        make: () => tf.tensor(read(), spec.shape, spec.dtype as 'float32' | 'int32'),
      });
    }
  }
  for (const [name, value] of incoming) {
    if (value.scalar !== undefined && value.scalar < 0) {
      problems.push(`${JSON.stringify(name)}: ${value.scalar} batches tracked is negative`);
    }
  }
  assignState(functionName, module, incoming, 'native', problems);
}
