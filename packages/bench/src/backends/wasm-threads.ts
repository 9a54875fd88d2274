// Threads for tfjs-backend-wasm 4.22, in Node and in the browser.
//
// Two things stand between `setThreadsCount(n)` and n threads:
// - tfjs refuses the threaded build in Node (`WASM_HAS_MULTITHREAD_SUPPORT` is false there, tfjs
//   issue 3830), and its start-up hands Emscripten a `blob:` worker URL, which Node's
//   worker_threads cannot load. In Node we start the threaded SIMD build ourselves, from files.
// - The C++ side caps XNNPACK's pool at `emscripten_num_logical_cores() / 2` (and at 8, the
//   workers the build pre-creates). That half is read once, by a global initializer that runs
//   while the module instantiates, from `navigator.hardwareConcurrency` in a page and
//   `os.cpus().length` in Node. On a 2-core machine it allows one thread. When asked for more
//   than that half, we present enough logical cores while the module starts (and only then).
import * as tf from '@tensorflow/tfjs-core';

/** The most threads tfjs-backend-wasm 4.22's threaded build runs (it pre-creates 8 workers). */
export const MAX_WASM_THREADS = 8;

/** tfjs-backend-wasm registers itself with this priority. */
const WASM_PRIORITY = 2;

const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;

/**
 * Imports a Node-only module by a computed name, so that browser bundlers (Vite, webpack) do not
 * try to bundle it.
 */
export function importNodeOnly<T>(specifier: string): Promise<T> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<T>;
}

/** What we use of the Emscripten module of tfjs-backend-wasm's threaded build. */
interface EmscriptenModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): unknown;
  tfjs?: unknown;
  PThread?: { runningWorkers: { unref?: () => void }[] };
}

type EmscriptenFactory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

type WasmPackage = typeof import('@tensorflow/tfjs-backend-wasm');

/** How the wasm backend's threads were set up, and why it may run fewer than asked. */
export interface WasmThreadPlan {
  requested: number;
  /** What the backend is asked to run: `requested`, capped by the logical cores and by 8. */
  target: number;
  /** Why `target` is below `requested`, if it is. */
  capped?: string;
}

/** The logical cores this process or page may use. */
async function logicalCores(): Promise<number> {
  if (isNode) {
    const os = await importNodeOnly<typeof import('node:os')>('node:os');
    return os.availableParallelism?.() ?? os.cpus().length;
  }
  const reported = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator
    ?.hardwareConcurrency;
  return Number.isInteger(reported) && (reported as number) > 0 ? (reported as number) : 1;
}

/** Checks `threads` and caps it at what the machine and tfjs-backend-wasm can run. */
export async function planWasmThreads(threads: unknown): Promise<WasmThreadPlan> {
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1)
    throw new Error(
      `threads must be a whole number of threads ≥ 1 (at most ${MAX_WASM_THREADS} are used), got ${JSON.stringify(threads)}`,
    );
  const cores = await logicalCores();
  const target = Math.min(threads, cores, MAX_WASM_THREADS);
  const plan: WasmThreadPlan = { requested: threads, target };
  if (target < threads)
    plan.capped =
      target === cores
        ? `${cores} logical core${cores === 1 ? '' : 's'} ${isNode ? 'on this machine' : '(navigator.hardwareConcurrency)'}`
        : `tfjs-backend-wasm runs at most ${MAX_WASM_THREADS} threads`;
  return plan;
}

/**
 * Runs `start` while the platform reports at least `cores` logical cores to Emscripten's
 * `emscripten_num_logical_cores` (Node: `os.cpus()`, page: `navigator.hardwareConcurrency`),
 * then puts back what was there, whatever `start` did.
 */
async function withLogicalCores<T>(cores: number, start: () => Promise<T>): Promise<T> {
  if (isNode) {
    // Emscripten's code calls require("os").cpus(): the CommonJS module object, patched here.
    const os = (await importNodeOnly<{ default: typeof import('node:os') }>('node:os')).default;
    const real = os.cpus;
    if (real().length >= cores) return start();
    os.cpus = () => {
      const list = real();
      const padded = [...list];
      while (padded.length < cores) padded.push(list[0] as (typeof list)[number]);
      return padded;
    };
    try {
      return await start();
    } finally {
      os.cpus = real;
    }
  }
  const navigator = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (!navigator || (navigator.hardwareConcurrency ?? 0) >= cores) return start();
  const own = Object.getOwnPropertyDescriptor(navigator, 'hardwareConcurrency');
  Object.defineProperty(navigator, 'hardwareConcurrency', {
    get: () => cores,
    configurable: true,
  });
  try {
    return await start();
  } finally {
    if (own) Object.defineProperty(navigator, 'hardwareConcurrency', own);
    else delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}

/** The worker script of the threaded build, written once per process (Node needs a file). */
let workerFile: Promise<string> | null = null;

async function writeWorkerFile(contents: string): Promise<string> {
  const fs = await importNodeOnly<typeof import('node:fs')>('node:fs');
  const { tmpdir } = await importNodeOnly<typeof import('node:os')>('node:os');
  const { join } = await importNodeOnly<typeof import('node:path')>('node:path');
  const dir = fs.mkdtempSync(join(tmpdir(), 'octconv-wasm-'));
  const file = join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js');
  // tfjs escapes the newlines the same way before it makes its blob: the script holds string
  // literals with `\n` that the template literal it ships in turned into real line breaks.
  fs.writeFileSync(file, contents.replace(/\n/g, '\\n'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return file;
}

/**
 * Node: a backend factory that starts tfjs-backend-wasm's threaded SIMD build from its files in
 * node_modules (worker script from a file, not a blob), with `threads` threads, as tfjs's own
 * `init()` does in a page.
 */
async function nodeThreadedFactory(
  wasm: WasmPackage,
  threads: number,
): Promise<() => Promise<tf.KernelBackend>> {
  const { createRequire } = await importNodeOnly<typeof import('node:module')>('node:module');
  const { dirname, join } = await importNodeOnly<typeof import('node:path')>('node:path');
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const script = join(root, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const binary = join(root, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.wasm');
  const { wasmWorkerContents } = require(
    join(root, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js'),
  ) as { wasmWorkerContents: string };
  const loaded = require(script) as EmscriptenFactory | { default: EmscriptenFactory };
  const factory = typeof loaded === 'function' ? loaded : loaded.default;
  workerFile ??= writeWorkerFile(wasmWorkerContents);
  const worker = await workerFile;
  return async () => {
    // Emscripten's Node start-up adds process-wide handlers that rethrow every uncaught error
    // from inside the build's one-line script (Node then prints all of it); a library must not.
    type Listener = (...args: unknown[]) => void;
    const events = ['uncaughtException', 'unhandledRejection'] as const;
    const listeners = (event: (typeof events)[number]) =>
      process.listeners(event as 'uncaughtException') as Listener[];
    const before = events.map((event) => new Set(listeners(event)));
    const dropHandlers = () =>
      events.forEach((event, i) => {
        for (const listener of listeners(event))
          if (!before[i]!.has(listener)) process.removeListener(event, listener);
      });
    const module = await withLogicalCores(2 * threads, () => {
      let reject: (error: Error) => void = () => {};
      const aborted = new Promise<never>((_, no) => {
        reject = no;
      });
      return Promise.race([
        factory({
          locateFile: (path: string, prefix: string) =>
            path.endsWith('.worker.js') ? worker : path.endsWith('.wasm') ? binary : prefix + path,
          // Each worker loads the build's script by this path (importScripts reads a file in Node).
          mainScriptUrlOrBlob: script,
          onAbort: (what: unknown) =>
            reject(new Error(`the threaded wasm build aborted while starting: ${String(what)}`)),
        }),
        aborted,
      ]).finally(dropHandlers);
    });
    // The bridge tfjs's init() sets up on the module (tfjs-backend-wasm 4.22, backend_wasm.js).
    module.tfjs = {
      init: module.cwrap('init', null, []),
      initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
      getThreadsCount: module.cwrap('get_threads_count', 'number', []),
      registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
      disposeData: module.cwrap('dispose_data', null, ['number']),
      dispose: module.cwrap('dispose', null, []),
    };
    wasm.setThreadsCount(threads);
    const backend = new wasm.BackendWasm(
      module as unknown as ConstructorParameters<WasmPackage['BackendWasm']>[0],
    );
    // XNNPACK's pool threads wait for work forever; Emscripten keeps their workers referenced,
    // which would keep Node from exiting after the last tensor op. They die with the process.
    for (const running of module.PThread?.runningWorkers ?? []) running.unref?.();
    return backend;
  };
}

/** tfjs-backend-wasm's own factory, kept to restore it and to start the page's build. */
let tfjsFactory: (() => tf.KernelBackend | Promise<tf.KernelBackend>) | null = null;
/** The thread count the registered wasm factory was made for; null: tfjs's own, untouched. */
let registeredThreads: number | null = null;

/**
 * Registers a wasm backend factory that starts `plan.target` threads, replacing (and disposing)
 * the running wasm backend unless it was made for that count already. Returns whether it
 * replaced anything (then {@link restoreTfjsWasm} undoes it if the start fails).
 */
export async function registerWasmThreads(
  wasm: WasmPackage,
  plan: WasmThreadPlan,
): Promise<boolean> {
  if (registeredThreads === plan.target && tf.findBackendFactory('wasm') != null) return false;
  // A running wasm backend with that many threads (tfjs's own start included, which has never
  // been registered here) stays, with its tensors: replacing it would restart the module.
  if (tf.findBackend('wasm') != null && wasm.getThreadsCount() === plan.target) return false;
  tfjsFactory ??= tf.findBackendFactory('wasm');
  const original = tfjsFactory;
  if (original == null)
    throw new Error('tfjs-backend-wasm did not register its backend (is it imported twice?)');
  const threads = plan.target;
  let factory: () => tf.KernelBackend | Promise<tf.KernelBackend>;
  if (isNode) {
    factory = threads === 1 ? original : await nodeThreadedFactory(wasm, threads);
  } else {
    // The page's own start-up, asked for `threads`, with enough cores presented for tfjs's half.
    factory = () => {
      wasm.setThreadsCount(threads);
      return withLogicalCores(2 * threads, async () => original());
    };
  }
  if (tf.findBackendFactory('wasm') != null) tf.removeBackend('wasm');
  tf.registerBackend('wasm', factory, WASM_PRIORITY);
  registeredThreads = threads;
  return true;
}

/** Puts tfjs-backend-wasm's own registration back (after a failed threaded start). */
export function restoreTfjsWasm(): void {
  if (tfjsFactory == null) return;
  if (tf.findBackendFactory('wasm') != null) tf.removeBackend('wasm');
  tf.registerBackend('wasm', tfjsFactory, WASM_PRIORITY);
  registeredThreads = null;
}

/**
 * The facts of the running wasm backend: which build, and how many threads XNNPACK's pool runs.
 * In the threaded build the count is read from the module itself: the pool's worker threads
 * that are running, plus the calling thread (XNNPACK's pool starts all of them when the backend
 * starts). That is what runs, whatever tfjs-backend-wasm's `getThreadsCount()` remembers.
 */
export function wasmThreadFacts(wasm: WasmPackage): { threads: boolean; threadCount: number } {
  const module = (tf.backend() as unknown as { wasm?: EmscriptenModule }).wasm;
  const running = module?.PThread?.runningWorkers.length;
  return {
    threads: module !== undefined && 'PThread' in module,
    threadCount: running !== undefined ? running + 1 : wasm.getThreadsCount(),
  };
}
