import * as tf from '@tensorflow/tfjs-core';
import type { BackendFacts, BackendName } from '../schema/result-schema';

export const BACKEND_NAMES: readonly BackendName[] = ['cpu', 'wasm', 'webgpu'];

/** Where Debian's Chromium ships SwiftShader's Vulkan driver (a GPU-less WebGPU adapter). */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;

/** Options of {@link startBackend}. */
export interface StartOptions {
  /** Browser only: where the wasm binaries are served (tfjs-backend-wasm's `setWasmPaths`). */
  wasmPaths?: string;
}

const imported = new Map<BackendName, Promise<void>>();

/**
 * Imports a Node-only module by a computed name, so that browser bundlers (Vite, webpack) do not
 * try to bundle Dawn's native addon into a page that has WebGPU of its own.
 */
function importNodeOnly<T>(specifier: string): Promise<T> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<T>;
}

async function installDawn(): Promise<void> {
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator?.gpu) return;
  const { existsSync } = await importNodeOnly<typeof import('node:fs')>('node:fs');
  if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER_ICD)) {
    // No GPU driver configured: use SwiftShader (correct, slow; never judge speed by it).
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  process.env.XDG_RUNTIME_DIR ??= (
    await importNodeOnly<typeof import('node:os')>('node:os')
  ).tmpdir();
  const { create, globals } = await importNodeOnly<typeof import('webgpu')>('webgpu');
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

async function importBackend(name: BackendName, options: StartOptions): Promise<void> {
  let promise = imported.get(name);
  if (!promise) {
    promise = (async () => {
      if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
      else if (name === 'wasm') {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        if (options.wasmPaths) wasm.setWasmPaths(options.wasmPaths);
      } else {
        if (isNode) await installDawn();
        await import('@tensorflow/tfjs-backend-webgpu');
      }
    })();
    imported.set(name, promise);
  }
  await promise;
}

async function describeAdapter(): Promise<BackendFacts['adapter']> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } })
    .navigator?.gpu;
  const adapter = (await gpu?.requestAdapter()) as
    | {
        info?: Record<string, string>;
        isFallbackAdapter?: boolean;
        requestAdapterInfo?: () => Promise<Record<string, string>>;
      }
    | null
    | undefined;
  if (!adapter) return undefined;
  const info = adapter.info ?? (await adapter.requestAdapterInfo?.()) ?? {};
  const description =
    [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') ||
    'unknown adapter';
  return {
    description,
    ...(adapter.isFallbackAdapter !== undefined && {
      isFallbackAdapter: adapter.isFallbackAdapter,
    }),
  };
}

/**
 * Makes `name` the active tfjs backend, importing it on first use (Node: WebGPU through Dawn,
 * with SwiftShader found automatically on GPU-less Linux; browser: the native adapter; wasm
 * threads only in a cross-origin-isolated page). Never throws: a backend that cannot start is
 * returned with `available: false` and the reason.
 */
export async function startBackend(
  name: BackendName,
  options: StartOptions = {},
): Promise<BackendFacts> {
  try {
    if (!BACKEND_NAMES.includes(name))
      throw new Error(`unknown backend ${JSON.stringify(name)} (cpu, wasm, webgpu)`);
    await importBackend(name, options);
    if (name === 'webgpu') {
      const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } })
        .navigator?.gpu;
      if (!gpu) throw new Error('this environment has no WebGPU (navigator.gpu is missing)');
      if ((await gpu.requestAdapter()) == null)
        throw new Error('no WebGPU adapter (navigator.gpu.requestAdapter() returned null)');
    }
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tf.setBackend('${name}') failed`);
    await tf.ready();
    if (tf.getBackend() !== name) throw new Error(`the active backend is ${tf.getBackend()}`);
  } catch (error) {
    const reason = (error as Error)?.message ?? String(error);
    return {
      name,
      available: false,
      reason:
        name === 'webgpu' && isNode
          ? `${reason}; on GPU-less Linux, apt-get install -y chromium libvulkan1 gives Dawn SwiftShader`
          : reason,
    };
  }
  const facts: BackendFacts = { name, available: true };
  if (name === 'wasm') {
    facts.simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    facts.threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) && !isNode;
  }
  if (name === 'webgpu') {
    const adapter = await describeAdapter().catch(() => undefined);
    if (adapter) facts.adapter = adapter;
  }
  return facts;
}
