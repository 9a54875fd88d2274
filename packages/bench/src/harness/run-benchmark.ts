import { InvalidArgumentError, UnsupportedBackendError } from '@octconv/core';
import * as tf from '@tensorflow/tfjs-core';
import {
  BACKEND_NAMES,
  type StartOptions,
  startBackend,
  webgpuDeviceLost,
} from '../backends/backends';
import { wasmThreadFacts } from '../backends/wasm-threads';
import type { BenchCase, PreparedCase } from '../cases/cases';
import type {
  BackendFacts,
  BackendName,
  BenchmarkResult,
  CaseResult,
  VariantResult,
} from '../schema/result-schema';
import { IMPLAUSIBLE_EFFICIENCY, parseBenchmarkResult } from '../schema/result-schema';
import { summarize } from '../stats/stats';
import { timeCall } from './timing';

/** Progress of {@link runBenchmark}: `done` of `total` timed calls. */
export interface BenchmarkProgress {
  done: number;
  total: number;
  caseId: string;
  backend: BackendName;
}

/** Options of {@link runBenchmark}. */
export interface RunBenchmarkOptions {
  cases: readonly BenchCase[];
  /** Default `['wasm']`. */
  backends?: readonly BackendName[];
  /** Untimed calls of each variant before timing; the first is reported as `firstRunMs`. Default 3. */
  warmup?: number;
  /** Timed calls of each variant, interleaved with its twin. Default 10. */
  runs?: number;
  /** Seed of every input and weight. Default 1. */
  seed?: number;
  onProgress?: (progress: BenchmarkProgress) => void;
  signal?: AbortSignal;
  startOptions?: StartOptions;
  /** Machine facts to record (the CLI adds Node's); default what the platform tells. */
  machine?: Partial<BenchmarkResult['machine']>;
}

type Variant = 'octave' | 'vanilla';

/**
 * The order of the timed calls: octave then vanilla, then vanilla then octave, and so on
 * (ABBA), so that drift (thermal, caches, a noisy neighbour) hits both alike.
 */
export function interleavedOrder(runs: number): Variant[] {
  const order: Variant[] = [];
  for (let i = 0; i < runs; i++)
    order.push(...((i % 2 === 0 ? ['octave', 'vanilla'] : ['vanilla', 'octave']) as Variant[]));
  return order;
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new Error('the benchmark was aborted');
}

/** Bytes of a tensor's values (tfjs keeps float32, int32 and bool in 4 bytes per element). */
const bytesOf = (tensor: tf.Tensor) => tensor.size * (tensor.dtype === 'complex64' ? 8 : 4);

async function profileCall(
  call: () => tf.Tensor | tf.Tensor[],
): Promise<Pick<VariantResult, 'kernelCount' | 'kernelNames' | 'peakBytes' | 'keptBytes'>> {
  const resident = tf.memory().numBytes;
  let keptBytes = 0;
  const info = await tf.profile(async () => {
    const output = call();
    const tensors = Array.isArray(output) ? output : [output];
    keptBytes = tensors.reduce((sum, tensor) => sum + bytesOf(tensor), 0);
    await Promise.all(tensors.map((tensor) => tensor.data()));
    tf.dispose(tensors);
  });
  return {
    kernelCount: info.kernels.length,
    kernelNames: [...new Set(info.kernels.map((kernel) => kernel.name))],
    // tf.profile's peak counts every live tensor (both twins' weights and inputs); what one call
    // adds on top of them is the figure to compare.
    peakBytes: Math.max(info.peakBytes - resident, 0),
    keptBytes,
  };
}

async function runCase(
  benchCase: BenchCase,
  backend: BackendName,
  settings: { warmup: number; runs: number; seed: number; vanillaFirst: boolean },
  tick: () => void,
  signal: AbortSignal | undefined,
): Promise<CaseResult> {
  const before = tf.memory().numTensors;
  let prepared: PreparedCase | null = null;
  try {
    prepared = benchCase.setup(settings.seed);
    const calls = { octave: prepared.octave, vanilla: prepared.vanilla };
    const first = { octave: 0, vanilla: 0 };
    const pair: Variant[] = settings.vanillaFirst ? ['vanilla', 'octave'] : ['octave', 'vanilla'];
    for (let i = 0; i < settings.warmup; i++) {
      for (const variant of pair) {
        checkAborted(signal);
        const elapsed = await timeCall(calls[variant]);
        if (i === 0) first[variant] = elapsed;
      }
    }
    // What a user has without us (a bare tf.conv2d), when the case has one: warmed up and timed
    // after each octave/vanilla pair, outside their ABBA order.
    const baselineCall = prepared.baseline;
    let baselineFirst = 0;
    for (let i = 0; baselineCall && i < settings.warmup; i++) {
      const elapsed = await timeCall(baselineCall);
      if (i === 0) baselineFirst = elapsed;
    }
    const baselineSamples: number[] = [];
    const samples: Record<Variant, number[]> = { octave: [], vanilla: [] };
    const timed = first.octave === 0 && first.vanilla === 0;
    const order = interleavedOrder(settings.runs).map((v) =>
      settings.vanillaFirst ? (v === 'octave' ? 'vanilla' : 'octave') : v,
    );
    for (const [index, variant] of order.entries()) {
      checkAborted(signal);
      const elapsed = await timeCall(calls[variant]);
      // With no warmup, the first timed call is the first run.
      if (timed && samples[variant].length === 0) first[variant] = elapsed;
      samples[variant].push(elapsed);
      if (baselineCall && index % 2 === 1) {
        const base = await timeCall(baselineCall);
        if (baselineSamples.length === 0 && baselineFirst === 0) baselineFirst = base;
        baselineSamples.push(base);
      }
      tick();
    }
    const profiles = {
      octave: await profileCall(calls.octave),
      vanilla: await profileCall(calls.vanilla),
    };
    const baseline = baselineCall
      ? {
          firstRunMs: baselineFirst,
          timing: summarize(baselineSamples),
          ...(await profileCall(baselineCall)),
        }
      : null;
    const variant = (name: Variant): VariantResult => ({
      firstRunMs: first[name],
      timing: summarize(samples[name]),
      ...profiles[name],
    });
    const octave = variant('octave');
    const vanilla = variant('vanilla');
    const speedup = vanilla.timing.median / octave.timing.median;
    const theoretical = benchCase.theoretical();
    prepared.dispose();
    prepared = null;
    return {
      caseId: benchCase.id,
      title: benchCase.title,
      kind: benchCase.kind,
      backend,
      alpha: benchCase.alpha,
      octave,
      vanilla,
      speedup,
      theoretical,
      efficiency: speedup / theoretical,
      ...(speedup / theoretical > IMPLAUSIBLE_EFFICIENCY && { implausible: true }),
      ...(baseline && {
        baseline,
        baselineSpeedup: baseline.timing.median / octave.timing.median,
      }),
      leakedTensors: tf.memory().numTensors - before,
    };
  } finally {
    prepared?.dispose();
  }
}

function defaultMachine(): BenchmarkResult['machine'] {
  const nav = (globalThis as { navigator?: { userAgent?: string; hardwareConcurrency?: number } })
    .navigator;
  return {
    platform: typeof process !== 'undefined' && process.platform ? process.platform : 'browser',
    ...(nav?.userAgent && { userAgent: nav.userAgent }),
    ...(nav?.hardwareConcurrency && { cpus: nav.hardwareConcurrency }),
    tfjs: tf.version_core,
  };
}

/**
 * Times every case on every backend: each OctConv workload against its vanilla twin, interleaved
 * in the same run, with outputs downloaded inside the timed region. A backend that cannot start
 * is reported with its reason and the others still run.
 *
 * @throws UnsupportedBackendError when none of the requested backends starts, listing every reason.
 *
 * @example
 * ```ts
 * import { formatResults, runBenchmark, selectCases } from '@octconv/bench';
 *
 * const result = await runBenchmark({
 *   cases: selectCases('default', ['layer-c64']),
 *   backends: ['wasm'],
 *   warmup: 3,
 *   runs: 10,
 *   onProgress: ({ done, total }) => console.log(`${done}/${total}`),
 * });
 * console.log(formatResults(result)); // speed-up, theoretical and efficiency per case
 * ```
 */
export async function runBenchmark(options: RunBenchmarkOptions): Promise<BenchmarkResult> {
  const {
    cases,
    backends = ['wasm'],
    warmup = 3,
    runs = 10,
    seed = 1,
    onProgress,
    signal,
    startOptions,
    machine,
  } = options;
  for (const name of backends) {
    if (!BACKEND_NAMES.includes(name)) {
      throw new InvalidArgumentError({
        functionName: 'runBenchmark',
        argument: 'options.backends',
        value: name,
        message: `unknown backend ${JSON.stringify(name)}; expected one of ${BACKEND_NAMES.join(', ')}`,
      });
    }
  }
  if (backends.length === 0) {
    throw new InvalidArgumentError({
      functionName: 'runBenchmark',
      argument: 'options.backends',
      value: backends,
      message: 'options.backends is empty',
    });
  }
  const counts: [string, number, number][] = [
    ['runs', runs, 1],
    ['warmup', warmup, 0],
    ['seed', seed, 0],
  ];
  for (const [name, value, min] of counts) {
    if (!Number.isSafeInteger(value) || value < min) {
      throw new InvalidArgumentError({
        functionName: 'runBenchmark',
        argument: `options.${name}`,
        value,
        message: `options.${name} must be an integer ≥ ${min}, got ${String(value)}`,
      });
    }
  }
  const startedAt = new Date().toISOString();
  const start = performance.now();
  const facts: BackendFacts[] = [];
  for (const name of new Set(backends)) facts.push(await startBackend(name, startOptions));
  const available = facts.filter((fact) => fact.available);
  if (available.length === 0) {
    throw new UnsupportedBackendError({
      functionName: 'runBenchmark',
      backend: backends.join(', '),
      message: `no requested backend could start: ${facts.map((fact) => `${fact.name}: ${fact.reason}`).join('; ')}`,
    });
  }
  const total = available.length * cases.length * runs * 2;
  let done = 0;
  const results: CaseResult[] = [];
  const failures: BenchmarkResult['failures'] = [];
  for (const fact of available) {
    await startBackend(fact.name, startOptions);
    for (const [index, benchCase] of cases.entries()) {
      const tick = () => {
        done += 1;
        onProgress?.({ done, total, caseId: benchCase.id, backend: fact.name });
      };
      // Which twin runs first alternates by case, so one-off costs (a new shader, an operator
      // cache) do not always land on the same side.
      const settings = { warmup, runs, seed, vanillaFirst: index % 2 === 1 };
      try {
        results.push(await runCase(benchCase, fact.name, settings, tick, signal));
      } catch (error) {
        if (signal?.aborted) throw error;
        // One case failing (out of memory on a big network) loses only itself; a lost device
        // loses the rest of its backend, and the other backends still run.
        const lost = fact.name === 'webgpu' ? webgpuDeviceLost() : null;
        const message = lost
          ? `the webgpu device was lost (${lost}); the remaining webgpu cases were skipped`
          : (error as Error)?.message || String(error);
        failures.push({ caseId: benchCase.id, backend: fact.name, error: message });
        if (lost) break;
      }
    }
    if (fact.name === 'wasm') {
      // The threads that ran the cases, read again now that they ran (see wasmThreadFacts).
      const { threadCount } = wasmThreadFacts(await import('@tensorflow/tfjs-backend-wasm'));
      fact.threadCount = threadCount;
    }
  }
  // Validated before it is returned: a result this library writes must be one it can read back.
  return parseBenchmarkResult(
    {
      schema: 'octconv-bench/1',
      startedAt,
      durationMs: performance.now() - start,
      settings: { warmup, runs, seed },
      machine: { ...defaultMachine(), ...machine },
      backends: facts,
      results,
      failures,
    },
    'runBenchmark',
  );
}
