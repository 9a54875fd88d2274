import type * as tf from '@tensorflow/tfjs-core';
import { OCTCONV_SIMD_WASM } from './octconv-simd-binary';

/** The exports of `octconv-simd.wat`; pointers are byte offsets into tfjs-backend-wasm's heap. */
export interface SimdKernels {
  up_add(
    a: number,
    b: number,
    out: number,
    batch: number,
    height: number,
    width: number,
    channels: number,
    lowHeight: number,
    lowWidth: number,
    floor: number,
  ): void;
  up_add_res(
    a: number,
    b: number,
    r: number,
    out: number,
    batch: number,
    height: number,
    width: number,
    channels: number,
    lowHeight: number,
    lowWidth: number,
    floor: number,
  ): void;
  add(a: number, b: number, out: number, count: number, floor: number): void;
  relu_grad(dy: number, x: number, out: number, count: number): void;
  channel_stats(a: number, b: number, mu: number, out: number, pixels: number, c: number): void;
  channel_affine(
    x: number,
    y: number,
    a: number,
    b: number,
    cc: number,
    out: number,
    pixels: number,
    c: number,
  ): void;
  im2row(
    x: number,
    out: number,
    batch: number,
    height: number,
    width: number,
    channels: number,
    kernelWidth: number,
    outWidth: number,
    paddedHeight: number,
    padTop: number,
    padLeft: number,
    stride: number,
    dilation: number,
  ): void;
  pool_concat(
    x: number,
    l: number,
    out: number,
    batch: number,
    height: number,
    width: number,
    xChannels: number,
    lChannels: number,
  ): void;
}

/** What this module reads of tfjs-backend-wasm 4.22's `BackendWasm` (not a public type). */
interface WasmBackendInternals {
  wasm?: {
    /** The threaded build exports its (shared) memory here. */
    wasmMemory?: unknown;
    /** The non-threaded build's instance exports, with its memory. */
    asm?: { memory?: unknown };
  };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

const instances = new WeakMap<object, SimdKernels | null>();

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Reads an unsigned LEB128 at `offset`: `[value, next offset]`. */
function readLeb(bytes: Uint8Array, offset: number): [number, number] {
  let value = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = bytes[offset++]!;
    value |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, offset];
}

/**
 * @internal The module importing a shared memory instead: its one import, `env.memory` with
 * limits `{min 1}` (bytes `02 00 01`), becomes `{min 1, max 65536, shared}` (`02 03 01 80 80 04`),
 * which a threaded tfjs-backend-wasm's memory (shared, at most 4 GiB) satisfies.
 */
export function sharedMemoryVariant(bytes: Uint8Array): Uint8Array {
  let offset = 8;
  while (offset < bytes.length) {
    const id = bytes[offset]!;
    const [size, start] = readLeb(bytes, offset + 1);
    if (id === 2) {
      const end = start + size;
      if (size >= 127 || bytes[end - 3] !== 2 || bytes[end - 2] !== 0 || bytes[end - 1] !== 1) {
        throw new Error('octconv: unexpected import section in the SIMD kernels');
      }
      const out = new Uint8Array(bytes.length + 3);
      out.set(bytes.subarray(0, offset + 1));
      out[offset + 1] = size + 3;
      out.set(bytes.subarray(start, end - 2), offset + 2);
      out.set([3, 1, 0x80, 0x80, 4], offset + 2 + size - 2);
      out.set(bytes.subarray(end), offset + 2 + size + 3);
      return out;
    }
    offset = start + size;
  }
  throw new Error('octconv: no import section in the SIMD kernels');
}

/** @internal tfjs-backend-wasm's heap, or null where it cannot be reached. */
export function wasmMemoryOf(backend: object): WebAssembly.Memory | null {
  const wasm = (backend as WasmBackendInternals).wasm;
  const memory = wasm?.wasmMemory ?? wasm?.asm?.memory;
  if (typeof WebAssembly === 'undefined' || !(memory instanceof WebAssembly.Memory)) return null;
  return memory;
}

/**
 * @internal One of our kernel modules (base64, importing a plain memory) instantiated on this
 * backend's heap, or null where it cannot run.
 */
export function instantiateOnHeap(backend: object, base64: string): object | null {
  const memory = wasmMemoryOf(backend);
  if (memory === null) return null;
  const shared =
    typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const plain = decodeBase64(base64);
  const bytes = shared ? sharedMemoryVariant(plain) : plain;
  try {
    // Synchronous compilation is allowed on a browser's main thread for modules up to 4 KB; ours
    // are 1.8 to 2.9 KB (a test keeps them under).
    const module = new WebAssembly.Module(bytes as BufferSource);
    return new WebAssembly.Instance(module, { env: { memory } }).exports;
  } catch {
    // No SIMD (or no threads for a shared memory) in this engine: the caller composes tfjs ops.
    return null;
  }
}

function instantiate(backend: WasmBackendInternals): SimdKernels | null {
  return instantiateOnHeap(backend, OCTCONV_SIMD_WASM) as SimdKernels | null;
}

/**
 * @internal The SIMD kernels bound to this tfjs-backend-wasm instance's heap, or null where they
 * cannot run (no reachable memory, no WebAssembly SIMD). Cached per backend instance.
 */
export function simdKernelsFor(backend: object): SimdKernels | null {
  let kernels = instances.get(backend);
  if (kernels === undefined) {
    kernels = instantiate(backend as WasmBackendInternals);
    instances.set(backend, kernels);
  }
  return kernels;
}

/** @internal Heap byte offset of a tensor on tfjs-backend-wasm. */
export function heapOffset(backend: object, tensor: tf.TensorInfo): number {
  const data = (backend as WasmBackendInternals).dataIdMap.get(tensor.dataId);
  if (data === undefined) throw new Error('octconv: tensor data is not on the wasm backend');
  return data.memoryOffset;
}

/** @internal A new float32 output on tfjs-backend-wasm's heap. */
export function makeWasmOutput(backend: object, shape: number[]): tf.TensorInfo {
  return (backend as WasmBackendInternals).makeOutput(shape, 'float32');
}
