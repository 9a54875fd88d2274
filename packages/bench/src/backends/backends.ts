import * as tf from '@tensorflow/tfjs-core';
import type { BackendFacts, BackendName } from '../schema/result-schema';
import {
  importNodeOnly,
  planWasmThreads,
  registerWasmThreads,
  restoreTfjsWasm,
  type WasmThreadPlan,
  wasmThreadFacts,
} from './wasm-threads';

/** Every backend startBackend knows (webgl only in a browser). */
export const BACKEND_NAMES: readonly BackendName[] = ['cpu', 'wasm', 'webgpu', 'webgl'];

/**
 * The backends a web page can offer, in the order a browser user should prefer them: WebGPU
 * where the browser has it, WebGL otherwise, wasm for the CPU (cpu, tfjs's plain JavaScript
 * kernels, is left out: it is the slowest everywhere).
 */
export const BROWSER_BACKENDS: readonly BackendName[] = ['webgpu', 'webgl', 'wasm'];

/** Where Debian's Chromium ships SwiftShader's Vulkan driver (a GPU-less WebGPU adapter). */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** The Dawn build (npm `webgpu`, an optional peer dependency) that WebGPU in Node was tested with. */
const DAWN_VERSION = '0.6.2';

const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;

/** Options of {@link startBackend}. */
export interface StartOptions {
  /** Browser only: where the wasm binaries are served (tfjs-backend-wasm's `setWasmPaths`). */
  wasmPaths?: string;
  /**
   * wasm only: the threads of XNNPACK's pool, a whole number ≥ 1, capped at the logical cores
   * (Node: `os.availableParallelism()`, page: `navigator.hardwareConcurrency`) and at 8 (the
   * workers tfjs-backend-wasm pre-creates). In Node this starts tfjs-backend-wasm's threaded SIMD
   * build (which tfjs itself refuses there); in a page, threads need cross-origin isolation
   * (COOP/COEP headers) or the page runs one. tfjs's own default is half the logical cores
   * (at least 1); asking for more lifts that halving. Changing the count restarts the wasm
   * backend: tensors that live on it are gone. Left out: the wasm backend as it is (tfjs's
   * default when it was never started: one thread in Node). The backend facts report the count
   * that really runs (`threadCount`).
   */
  threads?: number;
}

const imported = new Map<BackendName, Promise<void>>();

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
  const { create, globals } = await importNodeOnly<typeof import('webgpu')>('webgpu').catch(
    (error: unknown) => {
      throw new Error(
        `WebGPU in Node runs on Dawn, the optional peer dependency \`webgpu\`, which is not installed (${(error as Error)?.message ?? error}); install it with \`npm install webgpu@${DAWN_VERSION}\`, or choose --backends wasm`,
      );
    },
  );
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
  // Node-only modules (Dawn's native addon, node:fs) are imported by computed names, so that
  // browser bundlers leave them out of a page that has WebGPU of its own.
  let promise = imported.get(name);
  if (!promise) {
    promise = (async () => {
      if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
      else if (name === 'wasm') {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        if (options.wasmPaths) wasm.setWasmPaths(options.wasmPaths);
      } else if (name === 'webgl') {
        if (isNode)
          throw new Error(
            'WebGL runs in a browser only (tfjs has no WebGL in Node); in Node choose wasm or webgpu',
          );
        await import('@tensorflow/tfjs-backend-webgl');
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

/** Renderers that draw on the CPU: ANGLE's SwiftShader, Mesa's llvmpipe/softpipe, Windows' WARP. */
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|microsoft basic render/i;

/** The WebGL context tfjs-backend-webgl draws with: its renderer, version and float precision. */
function describeWebGl(): BackendFacts['adapter'] {
  const gl = (
    tf.backend() as unknown as {
      gpgpu?: { gl?: WebGLRenderingContext };
    }
  ).gpgpu?.gl;
  if (!gl) return undefined;
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(
    gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? 'unknown renderer',
  );
  const vendor = String(gl.getParameter(debug ? debug.UNMASKED_VENDOR_WEBGL : gl.VENDOR) ?? '');
  const webglVersion = Number(tf.env().get('WEBGL_VERSION'));
  const float32 = Boolean(tf.env().get('WEBGL_RENDER_FLOAT32_ENABLED'));
  return {
    description: vendor && !renderer.includes(vendor) ? `${vendor} ${renderer}` : renderer,
    software: SOFTWARE_RENDERER.test(renderer),
    webglVersion,
    float32,
  };
}

interface GpuDevice {
  lost: Promise<{ reason?: string; message?: string }>;
}

/** The WebGPU device we started, and what it said if it was lost. */
let webgpuDevice: GpuDevice | null = null;
let webgpuLost: string | null = null;

/** Why the WebGPU device of the active backend was lost, or null while it is alive. */
export function webgpuDeviceLost(): string | null {
  return webgpuLost;
}

/**
 * Replaces tfjs's WebGPU backend by a fresh one on a new device, as tfjs-backend-webgpu creates
 * it at import (same adapter request, features and limits): its registration is a one-time
 * import side effect, and a lost device never comes back.
 */
async function recreateWebGpu(): Promise<void> {
  try {
    tf.removeBackend('webgpu');
  } catch {
    // Disposing a backend whose device is gone may throw; it is being replaced anyway.
  }
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  type Adapter = {
    features: Set<string>;
    limits: Record<string, number>;
    info?: unknown;
    requestDevice(descriptor: unknown): Promise<unknown>;
  };
  tf.registerBackend(
    'webgpu',
    async () => {
      const gpu = (
        globalThis as unknown as {
          navigator: { gpu: { requestAdapter(o: unknown): Promise<Adapter | null> } };
        }
      ).navigator.gpu;
      const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
      if (!adapter)
        throw new Error('no WebGPU adapter (navigator.gpu.requestAdapter() returned null)');
      const requiredFeatures = ['timestamp-query', 'bgra8unorm-storage'].filter((f) =>
        adapter.features.has(f),
      );
      const limits = adapter.limits;
      const device = await adapter.requestDevice({
        requiredFeatures,
        requiredLimits: {
          maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
          maxBufferSize: limits.maxBufferSize,
          maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
          maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
        },
      });
      return new WebGPUBackend(
        device as ConstructorParameters<typeof WebGPUBackend>[0],
        adapter.info as never,
      );
    },
    3,
  );
}

/**
 * Makes `name` the active tfjs backend, importing it on first use (Node: WebGPU through Dawn,
 * with SwiftShader found automatically on GPU-less Linux; browser: the native adapter; WebGL
 * in a browser only, its renderer in the facts, `adapter.software` when it draws on the CPU; wasm
 * with `options.threads` threads, in Node too, and in a page when it is cross-origin isolated).
 * Never throws: a backend that cannot start is
 * returned with `available: false` and the reason. Calling it again after the WebGPU device was
 * lost (a driver reset, `device.destroy()`) starts a new device; tensors of the old one are gone.
 */
export async function startBackend(
  name: BackendName,
  options: StartOptions = {},
): Promise<BackendFacts> {
  let threadPlan: WasmThreadPlan | undefined;
  let replacedWasm = false;
  try {
    if (!BACKEND_NAMES.includes(name))
      throw new Error(`unknown backend ${JSON.stringify(name)} (${BACKEND_NAMES.join(', ')})`);
    if (name === 'wasm' && options.threads !== undefined)
      threadPlan = await planWasmThreads(options.threads);
    await importBackend(name, options);
    if (threadPlan)
      replacedWasm = await registerWasmThreads(
        await import('@tensorflow/tfjs-backend-wasm'),
        threadPlan,
      );
    if (name === 'webgpu' && webgpuLost !== null) {
      // The device of the registered backend was lost: start over on a new one.
      await recreateWebGpu();
      webgpuLost = null;
      webgpuDevice = null;
    }
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
    // A threaded start that failed leaves tfjs's own wasm backend registered, as it was.
    if (replacedWasm) restoreTfjsWasm();
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
    Object.assign(facts, wasmThreadFacts(await import('@tensorflow/tfjs-backend-wasm')));
    if (threadPlan) {
      facts.threadsRequested = threadPlan.requested;
      const running = facts.threadCount ?? 1;
      const why =
        running < threadPlan.target && !isNode && !facts.threads
          ? 'the page is not cross-origin isolated (COOP/COEP headers), so tfjs-backend-wasm runs its single-threaded build'
          : threadPlan.capped;
      if (running < threadPlan.requested && why) facts.threadsCapped = why;
    }
  }
  if (name === 'webgpu') {
    const device = (tf.backend() as unknown as { device?: GpuDevice }).device;
    if (device && device !== webgpuDevice) {
      webgpuDevice = device;
      device.lost.then(
        (info) => {
          if (webgpuDevice === device)
            webgpuLost = `${info?.reason ?? 'unknown'}${info?.message ? `: ${info.message}` : ''}`;
        },
        () => {},
      );
    }
    const adapter = await describeAdapter().catch(() => undefined);
    if (adapter) {
      const software =
        adapter.isFallbackAdapter === true || SOFTWARE_RENDERER.test(adapter.description);
      facts.adapter = { ...adapter, software };
    }
  }
  if (name === 'webgl') {
    const adapter = describeWebGl();
    if (adapter) facts.adapter = adapter;
  }
  return facts;
}
