/**
 * Response headers that make the site cross-origin isolated, so tfjs-backend-wasm may use
 * threads (SharedArrayBuffer). Used by the dev server, `pnpm preview` and the browser tests.
 */
export const CROSS_ORIGIN_ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
