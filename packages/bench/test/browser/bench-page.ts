// The page of scripts/browser-bench.mjs: runBenchmark in the browser, on the backends asked for
// (wasm, webgl, webgpu, cpu), with the wasm binaries served from /wasm/.
import { type BackendName, type BenchmarkResult, runBenchmark, selectCases } from '../../src/index';

interface PageOptions {
  backends: BackendName[];
  suite: 'default' | 'full';
  cases: string[];
  warmup: number;
  runs: number;
  threads?: number;
}

async function bench(options: PageOptions): Promise<BenchmarkResult> {
  return runBenchmark({
    cases: selectCases(options.suite, options.cases),
    backends: options.backends,
    warmup: options.warmup,
    runs: options.runs,
    startOptions: {
      wasmPaths: '/wasm/',
      ...(options.threads !== undefined && { threads: options.threads }),
    },
  });
}

(window as unknown as { octconvBench: typeof bench }).octconvBench = bench;
document.body.dataset.ready = 'yes';
