import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { OCTCONV_SIMD_WASM } from './octconv-simd-binary';
import { sharedMemoryVariant } from './wasm-simd';

it('the committed WebAssembly binary is what octconv-simd.wat compiles to', () => {
  const script = fileURLToPath(new URL('../../scripts/build-wasm-kernels.mjs', import.meta.url));
  // Exits non-zero (and execFileSync throws) when octconv-simd-binary.ts is stale.
  expect(() =>
    execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' }),
  ).not.toThrow();
});

it('derives the shared-memory variant byte for byte as the assembler makes it', () => {
  const script = fileURLToPath(new URL('../../scripts/build-wasm-kernels.mjs', import.meta.url));
  const expected = execFileSync(process.execPath, [script, '--shared'], { encoding: 'utf8' });
  const derived = sharedMemoryVariant(
    Uint8Array.from(atob(OCTCONV_SIMD_WASM), (c) => c.charCodeAt(0)),
  );
  expect(btoa(String.fromCharCode(...derived))).toBe(expected);
  // And it links against a shared memory, as the threaded tfjs-backend-wasm's.
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(derived as BufferSource), {
    env: { memory },
  });
  expect(typeof instance.exports.up_add).toBe('function');
});

it('stays under the 4 KB that browsers compile synchronously on the main thread', () => {
  // Chromium refuses new WebAssembly.Module() above 4096 bytes outside workers; wasm-simd.ts
  // would then fall back to tfjs ops, correct but without the fused kernels.
  const size = atob(OCTCONV_SIMD_WASM).length;
  expect(size).toBeLessThanOrEqual(4096);
  expect(
    sharedMemoryVariant(Uint8Array.from(atob(OCTCONV_SIMD_WASM), (c) => c.charCodeAt(0))).length,
  ).toBeLessThanOrEqual(4096);
});
