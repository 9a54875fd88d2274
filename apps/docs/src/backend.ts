// One way for every live page to start a tfjs backend in the browser: @octconv/bench's
// startBackend, with the wasm binaries served by Vite (`?url` imports, hashed file names).
import {
  type BackendFacts,
  type BackendName,
  BROWSER_BACKENDS,
  startBackend,
} from '@octconv/bench';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import plain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

export type { BackendFacts, BackendName };

/**
 * The backends a page offers: wasm (every page starts on it), then @octconv/bench's browser
 * backends in order of preference (webgpu, webgl), then cpu.
 */
export const PAGE_BACKENDS: readonly BackendName[] = [
  ...new Set<BackendName>(['wasm', ...BROWSER_BACKENDS, 'cpu']),
];

let pathsSet = false;

/**
 * Tells tfjs-backend-wasm where Vite put its binaries, before anything starts it. startBackend's
 * `wasmPaths` takes one prefix, but Vite names each file with its own hash, so the per-file
 * form is set here.
 */
export function ensureWasmPaths(): void {
  if (pathsSet) return;
  setWasmPaths({
    'tfjs-backend-wasm.wasm': plain,
    'tfjs-backend-wasm-simd.wasm': simd,
    'tfjs-backend-wasm-threaded-simd.wasm': threaded,
  });
  pathsSet = true;
}

/** Makes `name` the active backend; never throws (see startBackend). */
export function activate(name: BackendName): Promise<BackendFacts> {
  ensureWasmPaths();
  return startBackend(name);
}

/**
 * Whether WebGPU or WebGL runs on a software adapter or renderer (SwiftShader, llvmpipe, or what the browser marks as its
 * fallback adapter): its times say nothing about a GPU.
 */
export function isSoftwareAdapter(facts: BackendFacts): boolean {
  const adapter = facts.adapter;
  return Boolean(
    adapter &&
      (adapter.isFallbackAdapter ||
        adapter.software ||
        /swiftshader|llvmpipe/i.test(adapter.description)),
  );
}

/** A short human description of a started backend. */
export function describeFacts(facts: BackendFacts): string {
  if (!facts.available) return `${facts.name}: unavailable (${facts.reason ?? 'unknown reason'})`;
  const details: string[] = [];
  if (facts.name === 'wasm') {
    details.push(facts.simd ? 'SIMD' : 'no SIMD');
    details.push(
      facts.threadCount !== undefined
        ? `${facts.threadCount} thread${facts.threadCount === 1 ? '' : 's'}`
        : facts.threads
          ? 'threads'
          : 'no threads',
    );
  }
  if (facts.adapter) {
    details.push(facts.adapter.description);
    if (isSoftwareAdapter(facts))
      details.push('software adapter: correct, but says nothing about speed');
    if (facts.adapter.float32 === false) details.push('float16 textures');
  }
  return details.length ? `${facts.name} (${details.join(', ')})` : facts.name;
}
