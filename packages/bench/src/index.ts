export {
  BACKEND_NAMES,
  BROWSER_BACKENDS,
  type StartOptions,
  SWIFTSHADER_ICD,
  startBackend,
  webgpuDeviceLost,
} from './backends/backends';
export { MAX_WASM_THREADS } from './backends/wasm-threads';
export { ALL_CASES, type BenchCase, type PreparedCase, selectCases } from './cases/cases';
export {
  type BenchmarkProgress,
  interleavedOrder,
  type RunBenchmarkOptions,
  runBenchmark,
} from './harness/run-benchmark';
export { type InterleavedOptions, timeCall, timeInterleaved } from './harness/timing';
export { renderHtml } from './report/html';
export {
  formatBackends,
  formatComparison,
  formatDetails,
  formatNoiseWarning,
  formatResults,
  noiseOf,
  STABLE_RUNS,
  WIDE_SPREAD,
} from './report/table';
export {
  type BackendFacts,
  type BackendName,
  type BenchmarkResult,
  benchmarkResultSchema,
  type CaseResult,
  IMPLAUSIBLE_EFFICIENCY,
  parseBenchmarkResult,
  type VariantResult,
} from './schema/result-schema';
export { runSoak, type SoakOptions, type SoakResult, type SoakSample } from './soak/soak';
export { median, quantile, summarize, type TimingStats } from './stats/stats';
