// The page's side of the benchmark worker (bench-worker.ts): one worker per run, ended when the
// run ends or is stopped, so a stopped run frees its memory (and GPU device) at once.
import type { BackendName, BenchmarkProgress, BenchmarkResult } from '@octconv/bench';

/** What the page asks the worker to run (the cases are chosen there: they hold functions). */
export interface BenchRequest {
  suite: 'default' | 'full';
  filters: string[];
  backends: BackendName[];
  warmup: number;
  runs: number;
  /** wasm threads; 0: tfjs's default (half the logical cores). */
  threads: number;
}

export type BenchWorkerMessage =
  | { type: 'progress'; progress: BenchmarkProgress }
  | { type: 'done'; result: BenchmarkResult }
  | { type: 'error'; message: string };

/** Thrown by {@link BenchRun.result} when the run was stopped. */
export class BenchStopped extends Error {
  constructor() {
    super('stopped by the user');
    this.name = 'BenchStopped';
  }
}

export interface BenchRun {
  /** The result, or a rejection with the worker's error (or {@link BenchStopped}). */
  result: Promise<BenchmarkResult>;
  /** Ends the run now: the worker and everything it started are terminated. */
  stop(): void;
}

/** Starts `request` in a new worker; `onProgress` hears every timed call. */
export function runInWorker(
  request: BenchRequest,
  onProgress: (progress: BenchmarkProgress) => void,
): BenchRun {
  const worker = new Worker(new URL('./bench-worker.ts', import.meta.url), {
    type: 'module',
    name: 'octconv-bench',
  });
  let settle: { resolve(value: BenchmarkResult): void; reject(error: Error): void } | null = null;
  const result = new Promise<BenchmarkResult>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const finish = (outcome: { value: BenchmarkResult } | { error: Error }) => {
    worker.terminate();
    const current = settle;
    settle = null;
    if (!current) return;
    if ('value' in outcome) current.resolve(outcome.value);
    else current.reject(outcome.error);
  };
  worker.onmessage = (event: MessageEvent<BenchWorkerMessage>) => {
    const message = event.data;
    if (message.type === 'progress') onProgress(message.progress);
    else if (message.type === 'done') finish({ value: message.result });
    else finish({ error: new Error(message.message) });
  };
  worker.onerror = (event) => {
    event.preventDefault();
    finish({
      error: new Error(`the benchmark worker failed: ${event.message || 'unknown error'}`),
    });
  };
  worker.postMessage(request);
  return { result, stop: () => finish({ error: new BenchStopped() }) };
}
