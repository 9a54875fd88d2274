// ONNX Runtime Web's page of scripts/threads-browser.mjs: the α's sessions from /onnx/, timed
// side by side with the bench's own timeInterleaved, as threads-page.ts times ours.
import type * as Ort from 'onnxruntime-web';
import { timeInterleaved } from '../../src/harness/timing';
import { median } from '../../src/stats/stats';

/** Served by the script from onnxruntime-web's dist; not bundled (it loads its own wasm). */
const ORT_MODULE = '/ort/ort.wasm.min.mjs';

async function ortTime(threads: number, alphas: number[], runs: number) {
  const ort = (await import(/* @vite-ignore */ ORT_MODULE)) as typeof Ort;
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.wasmPaths = '/ort/';
  const sessions: Ort.InferenceSession[] = [];
  for (const alpha of alphas) {
    const bytes = await (await fetch(`/onnx/oct-resnet50-a${alpha}.onnx`)).arrayBuffer();
    sessions.push(
      await ort.InferenceSession.create(new Uint8Array(bytes), {
        executionProviders: ['wasm'],
        graphOptimizationLevel: 'all',
      }),
    );
  }
  const input = new ort.Tensor(
    'float32',
    new Float32Array(3 * 224 * 224).map(Math.random),
    [1, 3, 224, 224],
  );
  const times = await timeInterleaved(
    sessions.map((session) => async () => {
      const out = await session.run({ x: input });
      for (const t of Object.values(out)) t.dispose?.();
    }),
    { warmup: 2, runs },
  );
  return {
    version: ort.env.versions?.web,
    isolated: self.crossOriginIsolated,
    medians: times.map(median),
  };
}

(window as unknown as { ortTime: typeof ortTime }).ortTime = ortTime;
document.body.dataset.ready = 'yes';
