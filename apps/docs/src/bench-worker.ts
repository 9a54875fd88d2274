// The benchmark page's runs, off the page's main thread: a dedicated module worker runs
// @octconv/bench (tfjs's wasm and WebGPU backends both work in workers), so the page keeps
// painting and answering while a run takes seconds or minutes, and Stop ends the worker at once.
import { type BenchmarkResult, runBenchmark, selectCases } from '@octconv/bench';
import { ensureWasmPaths } from './backend';
import type { BenchRequest, BenchWorkerMessage } from './bench-client';

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<BenchRequest>) => void) | null;
  postMessage(message: BenchWorkerMessage): void;
};

scope.onmessage = async (event) => {
  const request = event.data;
  try {
    ensureWasmPaths();
    const result: BenchmarkResult = await runBenchmark({
      cases: selectCases(request.suite, request.filters),
      backends: request.backends,
      warmup: request.warmup,
      runs: request.runs,
      ...(request.threads > 0 && { startOptions: { threads: request.threads } }),
      onProgress: (progress) => scope.postMessage({ type: 'progress', progress }),
    });
    scope.postMessage({ type: 'done', result });
  } catch (caught) {
    scope.postMessage({ type: 'error', message: (caught as Error)?.message ?? String(caught) });
  }
};
