import * as tf from '@tensorflow/tfjs-core';
import { prepareWebGpuEnvironment, SWIFTSHADER_ICD } from './environment';
import { TOLERANCE, type Tolerance } from './tolerance';

export { TOLERANCE, type Tolerance } from './tolerance';

export type BackendName = 'cpu' | 'wasm' | 'webgpu';

export const ALL_BACKENDS: readonly BackendName[] = ['cpu', 'wasm', 'webgpu'];

export interface BackendCase {
  name: BackendName;
  /** Whether the backend started; unavailable ones are skipped (see {@link testBackends}). */
  available: boolean;
  /** Why it is unavailable. */
  reason?: string;
  tolerance: Tolerance;
}

const loaded = new Map<BackendName, Promise<void>>();

async function installWebGpuGlobals(): Promise<void> {
  prepareWebGpuEnvironment();
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator?.gpu) return;
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpu = create([]);
  if (g.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu },
      configurable: true,
      writable: true,
    });
  } else {
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  }
}

function load(name: BackendName): Promise<void> {
  let promise = loaded.get(name);
  if (!promise) {
    promise = (async () => {
      if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
      else if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
      else {
        // tfjs-backend-webgpu registers itself only if navigator.gpu exists when it is imported.
        await installWebGpuGlobals();
        await import('@tensorflow/tfjs-backend-webgpu');
      }
    })();
    loaded.set(name, promise);
  }
  return promise;
}

const probes = new Map<BackendName, Promise<string | null>>();

/** Why `name` cannot start in this process, or null when it can. Cached per process. */
export function probeBackend(name: BackendName): Promise<string | null> {
  let probe = probes.get(name);
  if (!probe) {
    probe = (async () => {
      if (name !== 'webgpu') return null;
      try {
        await installWebGpuGlobals();
        const gpu = (globalThis as unknown as { navigator: { gpu: GPU } }).navigator.gpu;
        const adapter = await gpu.requestAdapter();
        if (!adapter) {
          return process.env.VK_ICD_FILENAMES
            ? `no WebGPU adapter (VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES})`
            : `no WebGPU adapter and no Vulkan driver chosen (${SWIFTSHADER_ICD} not found)`;
        }
        return null;
      } catch (error) {
        return `WebGPU could not start: ${(error as Error).message}`;
      }
    })();
    probes.set(name, probe);
  }
  return probe;
}

/** Imports, registers and activates a backend; throws when it cannot start. */
export async function setupBackend(name: BackendName): Promise<void> {
  await load(name);
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tfjs backend ${name} failed to initialise`);
  await tf.ready();
}

let warned = false;

/**
 * The backends every numerical suite runs on. `OCTCONV_BACKENDS=cpu,wasm` narrows the list.
 * WebGPU without an adapter is skipped with one loud warning per process, unless
 * `OCTCONV_REQUIRE_WEBGPU=1` (set by `.ci/run`), which turns it into a failure.
 */
export async function testBackends(): Promise<BackendCase[]> {
  const wanted = process.env.OCTCONV_BACKENDS
    ? (process.env.OCTCONV_BACKENDS.split(',').map((s) => s.trim()) as BackendName[])
    : ALL_BACKENDS;
  const cases: BackendCase[] = [];
  for (const name of wanted) {
    if (!ALL_BACKENDS.includes(name)) throw new Error(`OCTCONV_BACKENDS: unknown backend ${name}`);
    const reason = await probeBackend(name);
    if (reason && name === 'webgpu' && process.env.OCTCONV_REQUIRE_WEBGPU === '1') {
      throw new Error(`OCTCONV_REQUIRE_WEBGPU=1 but ${reason}`);
    }
    if (reason && !warned) {
      warned = true;
      console.warn(
        `\n[octconv] ${name.toUpperCase()} SUITES SKIPPED: ${reason}.\n` +
          '[octconv] To run them on a machine without a GPU: apt-get install -y chromium libvulkan1 ' +
          `(SwiftShader, found automatically at ${SWIFTSHADER_ICD}); CI sets OCTCONV_REQUIRE_WEBGPU=1 so that this is an error.\n`,
      );
    }
    cases.push({
      name,
      available: reason === null,
      ...(reason !== null && { reason }),
      tolerance: TOLERANCE[name],
    });
  }
  return cases;
}

/**
 * Registers (once) and activates `name`: a copy of the `cpu` backend without the kernels listed
 * in `without` (`'all'`: no kernels at all). The stand-in for a backend that lacks what an op
 * needs.
 */
export async function setupPartialBackend(
  name: string,
  without: readonly string[] | 'all',
): Promise<void> {
  const { MathBackendCPU } = await import('@tensorflow/tfjs-backend-cpu');
  if (tf.findBackendFactory(name) == null) {
    tf.registerBackend(name, () => new MathBackendCPU());
    if (without !== 'all') {
      for (const kernel of tf.getKernelsForBackend('cpu')) {
        if (!without.includes(kernel.kernelName))
          tf.registerKernel({ ...kernel, backendName: name });
      }
    }
  }
  await tf.setBackend(name);
}
