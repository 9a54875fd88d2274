// How every timing of the bench runs, in the harness, the benchmark scripts and their browser
// pages: one call timed with its outputs downloaded, and calls timed side by side.
// No tfjs import: the ONNX Runtime page of scripts/threads-browser.mjs times with it too.

const now = () => performance.now();

/** Shortest time a call is taken to last (1 µs). */
const TIMER_FLOOR_MS = 0.001;

interface TensorLike {
  data(): Promise<unknown>;
  dispose(): void;
}

function isTensor(value: unknown): value is TensorLike {
  if (typeof value !== 'object' || value === null || !('dataId' in value)) return false;
  const t = value as Partial<TensorLike>;
  return typeof t.data === 'function' && typeof t.dispose === 'function';
}

/** The tfjs tensors in what a call returned: a tensor, a list, or an object's values. */
function tensorsOf(value: unknown): TensorLike[] {
  if (isTensor(value)) return [value];
  if (Array.isArray(value)) return value.flatMap(tensorsOf);
  if (typeof value === 'object' && value !== null)
    return Object.values(value).flatMap((v) => (isTensor(v) ? [v] : []));
  return [];
}

/**
 * One call, timed until its result settles and every tfjs tensor it returned (a tensor, a list,
 * or the values of an object such as `{ high, low }`) is downloaded, so that GPU work really
 * counts; the tensors are then disposed.
 */
export async function timeCall(call: () => unknown): Promise<number> {
  const start = now();
  const tensors = tensorsOf(await call());
  await Promise.all(tensors.map((tensor) => tensor.data()));
  // A coarse timer (a page that is not cross-origin isolated rounds to 0.1 ms or more) can read
  // 0 for a fast call; the floor keeps ratios finite.
  const elapsed = Math.max(now() - start, TIMER_FLOOR_MS);
  for (const tensor of tensors) tensor.dispose();
  return elapsed;
}

/** Options of {@link timeInterleaved}. */
export interface InterleavedOptions {
  /** Untimed rounds first (compilation, caches, uploads). Default 2. */
  warmup?: number;
  /** Timed rounds. Default 10. */
  runs?: number;
}

/**
 * Times `calls` side by side: `warmup` untimed rounds, then `runs` timed rounds that call each
 * once, each round starting one further along (A B C, B C A, C A B, …; for two calls A B, B A),
 * so that drift (heat, caches, a noisy neighbour) hits all alike. Each call is timed as
 * {@link timeCall} times it. Returns each call's samples in ms, in the order of `calls`.
 */
export async function timeInterleaved(
  calls: readonly (() => unknown)[],
  { warmup = 2, runs = 10 }: InterleavedOptions = {},
): Promise<number[][]> {
  for (let i = 0; i < warmup; i++) for (const call of calls) await timeCall(call);
  const samples: number[][] = calls.map(() => []);
  for (let round = 0; round < runs; round++)
    for (let k = 0; k < calls.length; k++) {
      const i = (round + k) % calls.length;
      samples[i]!.push(await timeCall(calls[i]!));
    }
  return samples;
}
