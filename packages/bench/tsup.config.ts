import { defineConfig } from 'tsup';

// Two builds run side by side, so neither cleans dist/ (the build script empties it first).
export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    // import.meta.url in the CommonJS build too (the Node wasm-threads start resolves files by it).
    shims: true,
  },
  // The CLIs run as ES modules (`bin` points at dist/*.js; the CLI finds Chart.js through
  // import.meta.url): a CommonJS copy would only carry an empty import.meta.
  {
    entry: { cli: 'src/cli/main.ts', soak: 'src/soak/main.ts' },
    format: ['esm'],
    dts: false,
    sourcemap: true,
  },
]);
