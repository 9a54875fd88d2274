// Tolerances of float32 results against the float64 reference, per backend. No Node imports:
// pages in Chromium use it too (`@octconv/test-utils/tolerance`).

/** The backends whose tolerances are known: the Node matrix and WebGL (browser only). */
export type ToleranceBackend = 'cpu' | 'wasm' | 'webgpu' | 'webgl';

/** Closeness required of a float32 result against the float64 reference: |a − e| ≤ atol + rtol·|e|. */
export interface Tolerance {
  atol: number;
  rtol: number;
}

/**
 * Per-backend tolerance for float32 results of order 1 that sum up to a few hundred products,
 * against a float64 reference. cpu and wasm accumulate in float32 in their own orders (XNNPACK
 * tiles); WebGPU gets 5× more room because GPU drivers may contract multiply-adds and reduce in
 * other orders (SwiftShader itself passes at the cpu tolerance; measured 2026-11-25). WebGL (in a
 * browser only; float32 textures) gets WebGPU's room for the same reasons.
 */
export const TOLERANCE: Record<ToleranceBackend, Tolerance> = {
  cpu: { atol: 1e-5, rtol: 1e-4 },
  wasm: { atol: 1e-5, rtol: 1e-4 },
  webgpu: { atol: 5e-5, rtol: 5e-4 },
  webgl: { atol: 5e-5, rtol: 5e-4 },
};
