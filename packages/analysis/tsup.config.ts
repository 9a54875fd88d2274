import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', cli: 'src/cli/main.ts' },
  format: ['esm', 'cjs'],
  // `@octconv/core/shape` (shapes, model descriptions, typed errors) is plain TypeScript with no
  // tfjs import; bundling it, types included, keeps this package free of tfjs-core (43 MB).
  // Its errors carry `Symbol.for` markers, so `OctconvError.isInstance` still recognises them.
  noExternal: [/^@octconv\/core/],
  dts: {
    resolve: [/^@octconv\/core/],
    // The resolver reads `types`, not `exports` subpaths: point it at core's built declarations.
    compilerOptions: { paths: { '@octconv/core/shape': ['../core/dist/shape.d.ts'] } },
  },
  sourcemap: true,
  clean: true,
});
