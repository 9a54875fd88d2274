import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', internal: 'src/internal.ts' },
  format: ['esm', 'cjs'],
  // `@octconv/core/shape` (the typed errors) is plain TypeScript with no tfjs import; bundling
  // it, types included, keeps this package free of tfjs-core, as @octconv/analysis does. Its
  // errors carry `Symbol.for` markers, so `CheckpointError.isInstance` from either package
  // recognises them.
  noExternal: [/^@octconv\/core/],
  dts: {
    resolve: [/^@octconv\/core/],
    compilerOptions: { paths: { '@octconv/core/shape': ['../core/dist/shape.d.ts'] } },
  },
  sourcemap: true,
  clean: true,
});
