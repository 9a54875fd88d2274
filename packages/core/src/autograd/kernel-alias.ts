import type {
  GradFunc,
  KernelFunc,
  NamedAttrMap,
  NamedTensorMap,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { UnsupportedBackendError } from '../errors/octconv-error';
import { checkDeviceAlive } from './device-lost';

type KernelArgs = Parameters<KernelFunc>[0];

/**
 * A kernel of our own name that every backend computes with tfjs's own kernels, and whose
 * gradient is ours.
 *
 * Why not `tf.customGrad`: its gradient computes every input's gradient eagerly, so a frozen
 * filter or an image input would still pay for a full backward convolution; a registered
 * gradient is a map of thunks and tfjs calls only those on the path to the sources.
 * Why not register gradients for tfjs's kernel names (`Conv2D`, …): that would change tfjs for
 * everyone in the page, and tfjs-layers or `@tensorflow/tfjs` would silently replace them with
 * gradients that fail on wasm (no `Conv2DBackpropFilter`) or are wrong on cpu
 * (`ResizeNearestNeighborGrad` for batch > 1).
 * @internal
 */
export interface KernelAlias {
  /** Registered kernel name, `Octconv…`; it is what `tf.profile` reports. */
  name: string;
  /** tfjs kernels the forward delegates to; all must exist on the active backend. */
  baseKernels: readonly string[];
  /**
   * Runs the forward on a backend, given a lookup of that backend's tfjs kernels. Default: the
   * first base kernel, with the call's inputs and attrs unchanged.
   */
  forward?(args: KernelArgs, base: (kernelName: string) => KernelFunc): TensorInfo | TensorInfo[];
  inputsToSave?: string[];
  /** Outputs the gradient needs, after the saved inputs in its `saved` list. */
  outputsToSave?: boolean[];
  gradFunc: GradFunc;
}

function registerFor(alias: KernelAlias, backendName: string, functionName: string): void {
  const lookup = (kernelName: string): KernelFunc => {
    const config = tf.getKernel(kernelName, backendName);
    if (config == null) {
      throw new UnsupportedBackendError({
        functionName,
        backend: backendName,
        message: `backend ${JSON.stringify(backendName)} has no ${kernelName} kernel`,
      });
    }
    return config.kernelFunc;
  };
  tf.registerKernel({
    kernelName: alias.name,
    backendName,
    kernelFunc: alias.forward
      ? (args) => alias.forward!(args, lookup)
      : (args) => lookup(alias.baseKernels[0]!)(args),
  });
}

/**
 * Registers `aliases` (and their gradients) on the active backend if they are not yet, or throws
 * `UnsupportedBackendError` naming every missing tfjs kernel. Public ops call it before creating
 * any tensor, so an unsupported backend fails like any other bad input. Nothing is registered at
 * import time: importing the package has no side effects.
 *
 * The names are global in tfjs's registry: if the attrs or gradient contract of an alias ever
 * changes, rename it, so that two loaded versions of this package cannot serve each other.
 * @internal
 */
export function requireKernelAliases(functionName: string, aliases: readonly KernelAlias[]): void {
  checkDeviceAlive(functionName);
  const backendName = tf.getBackend();
  const missing = new Set<string>();
  for (const alias of aliases) {
    if (tf.getKernel(alias.name, backendName) != null) continue;
    for (const name of alias.baseKernels) {
      if (tf.getKernel(name, backendName) == null) missing.add(name);
    }
  }
  if (missing.size > 0) {
    throw new UnsupportedBackendError({
      functionName,
      backend: backendName,
      message: `backend ${JSON.stringify(backendName)} has no ${[...missing].join(', ')} kernel${missing.size > 1 ? 's' : ''}`,
    });
  }
  for (const alias of aliases) {
    if (tf.getKernel(alias.name, backendName) == null)
      registerFor(alias, backendName, functionName);
    if (tf.getGradient(alias.name) == null) {
      tf.registerGradient({
        kernelName: alias.name,
        ...(alias.inputsToSave && { inputsToSave: alias.inputsToSave }),
        ...(alias.outputsToSave && { outputsToSave: alias.outputsToSave }),
        gradFunc: alias.gradFunc,
      });
    }
  }
}

/**
 * Runs `alias` on the active backend, registering it on first use (see
 * {@link requireKernelAliases}).
 * @internal
 */
export function runKernelAlias<T extends tf.Tensor | tf.Tensor[]>(
  alias: KernelAlias,
  functionName: string,
  inputs: NamedTensorMap | tf.Tensor[],
  attrs: NamedAttrMap,
): T {
  checkDeviceAlive(functionName);
  if (tf.getKernel(alias.name, tf.getBackend()) == null)
    requireKernelAliases(functionName, [alias]);
  return tf.engine().runKernel(alias.name, inputs as unknown as NamedTensorMap, attrs) as T;
}
