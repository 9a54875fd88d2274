import { InvalidArgumentError } from '@octconv/core';
import { z } from 'zod';

const timing = z.object({
  runs: z.number().int().positive(),
  median: z.number().nonnegative(),
  p10: z.number().nonnegative(),
  p90: z.number().nonnegative(),
  min: z.number().nonnegative(),
  max: z.number().nonnegative(),
});

const variant = z.object({
  /** The first call's time: compilation, uploads and operator caches included. */
  firstRunMs: z.number().nonnegative(),
  timing,
  /** Kernels one call dispatches (tf.profile), and their distinct names. */
  kernelCount: z.number().int().nonnegative(),
  kernelNames: z.array(z.string()),
  /**
   * tf.profile's peak bytes of one call, above what lived before it: the activations it keeps
   * plus the transient buffers of its steps at their worst moment.
   */
  peakBytes: z.number().nonnegative(),
  /**
   * Bytes of the activations one call keeps: the tensors it returns (a layer's or block's output
   * bands, a network's output), which outlive the call; the transient buffers are freed inside it.
   * Absent in results written before it was recorded.
   */
  keptBytes: z.number().nonnegative().optional(),
});

const backendName = z.enum(['cpu', 'wasm', 'webgpu', 'webgl']);

/**
 * Efficiency (measured speed-up / theoretical) above which a result is flagged as a measurement
 * problem rather than a result: the twins run the same compiled path, so beating the
 * multiply-add ratio by more than noise means one twin ran disturbed (cold caches, a busy core).
 */
export const IMPLAUSIBLE_EFFICIENCY = 1.05;

export const backendFactsSchema = z.object({
  name: backendName,
  available: z.boolean(),
  /** Why the backend did not run: it could not start (`available: false`), or was left out. */
  reason: z.string().optional(),
  /** Started but left out of the run (the CLI's default skips a software WebGPU adapter). */
  skipped: z.boolean().optional(),
  simd: z.boolean().optional(),
  /** wasm: whether the threaded build runs (it may still run one thread: see threadCount). */
  threads: z.boolean().optional(),
  /** wasm: the threads XNNPACK's pool really runs (tfjs-backend-wasm's getThreadsCount()). */
  threadCount: z.number().int().positive().optional(),
  /** wasm: the `threads` startBackend was asked for, if any. */
  threadsRequested: z.number().int().positive().optional(),
  /** wasm: why fewer threads run than were asked for. */
  threadsCapped: z.string().optional(),
  /**
   * webgpu: the adapter; webgl: the renderer (the unmasked GL renderer string), with the WebGL
   * version, and whether textures hold float32 (else float16, a coarser result).
   */
  adapter: z
    .object({
      description: z.string(),
      isFallbackAdapter: z.boolean().optional(),
      /** Renders in software (SwiftShader, llvmpipe, a fallback adapter): right, but slow. */
      software: z.boolean().optional(),
      /** webgl: 1 or 2. */
      webglVersion: z.number().int().positive().optional(),
      /** webgl: whether tfjs renders to float32 textures (false: float16 results). */
      float32: z.boolean().optional(),
    })
    .optional(),
});

export const caseResultSchema = z.object({
  caseId: z.string(),
  title: z.string(),
  kind: z.enum(['layer', 'block', 'network', 'training']),
  backend: backendName,
  alpha: z.number().min(0).max(1),
  octave: variant,
  vanilla: variant,
  /** vanilla median / octave median. */
  speedup: z.number().positive(),
  /** vanilla / octave multiply-adds (@octconv/analysis). */
  theoretical: z.number().positive(),
  /** speedup / theoretical. */
  efficiency: z.number().positive(),
  /**
   * Set when efficiency exceeds {@link IMPLAUSIBLE_EFFICIENCY}: twins run the same way cannot beat
   * the multiply-add ratio by that much, so the measurement (a cold or disturbed twin) is suspect.
   */
  implausible: z.literal(true).optional(),
  /** What a user has without this library (a bare `tf.conv2d`), for cases that have one. */
  baseline: variant.optional(),
  /** baseline median / octave median: the compiled OctConv's gain over the bare `tf.conv2d`. */
  baselineSpeedup: z.number().positive().optional(),
  /** Tensors left behind by the case (setup, every call, teardown); must be 0. */
  leakedTensors: z.number().int(),
});

export const benchmarkResultSchema = z.object({
  schema: z.literal('octconv-bench/1'),
  startedAt: z.string(),
  durationMs: z.number().nonnegative(),
  settings: z.object({
    warmup: z.number().int().nonnegative(),
    runs: z.number().int().positive(),
    seed: z.number().int(),
  }),
  machine: z.object({
    platform: z.string(),
    userAgent: z.string().optional(),
    cpus: z.number().int().optional(),
    cpuModel: z.string().optional(),
    node: z.string().optional(),
    tfjs: z.string(),
  }),
  backends: z.array(backendFactsSchema),
  results: z.array(caseResultSchema),
  /** Cases that threw, with the message; the others still ran. */
  failures: z.array(z.object({ caseId: z.string(), backend: backendName, error: z.string() })),
});

export type BackendName = z.infer<typeof backendName>;
export type BackendFacts = z.infer<typeof backendFactsSchema>;
export type CaseResult = z.infer<typeof caseResultSchema>;
/**
 * What {@link runBenchmark} returns and `octconv-bench --json` writes (schema `octconv-bench/1`):
 * the settings, the machine, each backend's facts, one {@link CaseResult} per case and backend,
 * and the cases that failed.
 */
export interface BenchmarkResult extends z.infer<typeof benchmarkResultSchema> {}
export type VariantResult = z.infer<typeof variant>;

/**
 * Validates a parsed JSON value as a benchmark result (for `--compare` baselines and tests).
 * @throws InvalidArgumentError listing each problem with its path.
 */
export function parseBenchmarkResult(value: unknown, source = 'result'): BenchmarkResult {
  const parsed = benchmarkResultSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 10)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new InvalidArgumentError({
      functionName: 'parseBenchmarkResult',
      argument: source,
      value,
      message: `${source} is not an octconv-bench result: ${problems.join('; ')}`,
    });
  }
  return parsed.data;
}
