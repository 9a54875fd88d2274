import { checkTensor4D, InvalidArgumentError, ShapeMismatchError } from '@octconv/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * One batch: images `[batch, height, width, channels]` and their labels, as class indices
 * (`[batch]` tensor or array) or one-hot rows (`[batch, classes]` tensor).
 */
export interface Batch {
  xs: tf.Tensor4D;
  ys: tf.Tensor1D | tf.Tensor2D | ArrayLike<number>;
}

/** One batch as the pair `[xs, ys]`, as a `tf.data.zip([images, labels]).batch(n)` yields it. */
export type BatchPair = readonly [tf.Tensor4D, tf.Tensor1D | tf.Tensor2D];

/**
 * Something that yields batches (`{ xs, ys }` or `[xs, ys]`), once per epoch: an async or sync
 * iterable that can be iterated again (an array of batches, or an object whose iterator method
 * starts over), or a `tf.data` Dataset of batches (`tf.data.zip({ xs, ys }).batch(32)` or
 * `tf.data.zip([xs, ys]).batch(32)`), as tfjs's `fitDataset` takes.
 */
export type BatchSource =
  | AsyncIterable<Batch | BatchPair>
  | Iterable<Batch | BatchPair>
  // A tf.data Dataset: its elements are checked as they come (typed as tfjs types them).
  | { iterator(): Promise<{ next(): Promise<IteratorResult<unknown>> }> };

/**
 * Training or evaluation data: all of it as tensors, `{ xs, ys }` or `[xs, ys]` (`xs` `[n, h, w, c]`, `ys` `n` labels as
 * above), which `fit` batches and shuffles itself, or a {@link BatchSource}. Tensors yielded by a
 * source are disposed once used, as tfjs's `fitDataset` does with a dataset's batches.
 */
export type FitData = Batch | BatchPair | BatchSource;

/** @internal A batch ready for a step: labels as JavaScript integers. */
export interface ReadyBatch {
  xs: tf.Tensor4D;
  labels: Int32Array;
  /** Whether the step owns `xs` (disposes it afterwards). */
  owned: boolean;
}

function isBatch(data: unknown): data is Batch {
  return typeof data === 'object' && data !== null && 'xs' in data && 'ys' in data;
}

/** `{ xs, ys }` from either form a source may yield; null for anything else. */
function asBatch(value: unknown): Batch | null {
  if (isBatch(value)) return value;
  if (Array.isArray(value) && value.length === 2) return { xs: value[0], ys: value[1] };
  return null;
}

/** @internal Labels of a batch as class indices, checked against the batch size. */
export async function readLabels(
  functionName: string,
  argument: string,
  ys: unknown,
  count: number,
): Promise<Int32Array> {
  let values: Int32Array;
  if (ys instanceof tf.Tensor) {
    if (ys.rank === 2) {
      const indices = tf.argMax(ys, 1);
      values = Int32Array.from(await indices.data());
      indices.dispose();
    } else if (ys.rank === 1) {
      values = Int32Array.from(await ys.data());
    } else {
      throw new ShapeMismatchError({
        functionName,
        message: `${argument} must be [batch] class indices or [batch, classes] one-hot rows, got a tensor of shape [${ys.shape.join(', ')}]`,
      });
    }
  } else if (
    typeof ys === 'object' &&
    ys !== null &&
    typeof (ys as ArrayLike<number>).length === 'number'
  ) {
    values = Int32Array.from(ys as ArrayLike<number>);
    const source = ys as ArrayLike<number>;
    for (let i = 0; i < source.length; i++) {
      if (!Number.isInteger(source[i])) {
        throw new InvalidArgumentError({
          functionName,
          argument: `${argument}[${i}]`,
          value: source[i],
          message: `${argument}[${i}] must be an integer class index, got ${String(source[i])}`,
        });
      }
    }
  } else {
    throw new InvalidArgumentError({
      functionName,
      argument,
      value: ys,
      message: `${argument} must be a tensor or an array of class indices, got ${String(ys)}`,
    });
  }
  if (values.length !== count) {
    throw new ShapeMismatchError({
      functionName,
      message: `${argument} has ${values.length} labels for ${count} images`,
    });
  }
  return values;
}

/** @internal A seeded permutation of 0…n−1 (mulberry32, Fisher–Yates). */
export function permutation(n: number, seed: number): Int32Array {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const swap = order[i]!;
    order[i] = order[j]!;
    order[j] = swap;
  }
  return order;
}

/** @internal How `fit`/`evaluate` walk their data, checked before any work. */
export interface DataPlan {
  /** The batches of one epoch; `order` is a permutation for the tensor form. */
  batches(order: Int32Array | null): AsyncGenerator<ReadyBatch>;
  /** Sample count of the tensor form; null for a source. */
  count: number | null;
  /** The tensor form as one batch, for checking it whole before any work; null for a source. */
  whole: ReadyBatch | null;
}

/**
 * @internal Validates `data` (tensor form: shapes and labels; source form: that it can be
 * iterated) and returns how to walk it.
 */
export async function planData(
  functionName: string,
  argument: string,
  data: unknown,
  batchSize: number,
): Promise<DataPlan> {
  const pairOfTensors =
    Array.isArray(data) && data.length === 2 && data.every((t) => t instanceof tf.Tensor);
  if (pairOfTensors) data = asBatch(data);
  if (isBatch(data)) {
    const xs = checkTensor4D(functionName, `${argument}.xs`, data.xs);
    const count = xs.shape[0];
    const labels = await readLabels(functionName, `${argument}.ys`, data.ys, count);
    return {
      count,
      whole: { xs, labels, owned: false },
      async *batches(order) {
        for (let from = 0; from < count; from += batchSize) {
          const to = Math.min(count, from + batchSize);
          if (order === null && from === 0 && to === count) {
            yield { xs, labels, owned: false };
            continue;
          }
          const picked = order ? order.subarray(from, to) : null;
          const images = picked
            ? tf.tidy(() => tf.gather(xs, tf.tensor1d(picked, 'int32')) as tf.Tensor4D)
            : (tf.slice(xs, [from, 0, 0, 0], [to - from, -1, -1, -1]) as tf.Tensor4D);
          const batchLabels = picked
            ? Int32Array.from(picked, (i) => labels[i]!)
            : labels.subarray(from, to);
          yield { xs: images, labels: batchLabels, owned: true };
        }
      },
    };
  }
  const source = data as BatchSource;
  const hasIterator =
    typeof data === 'object' &&
    data !== null &&
    (typeof (source as AsyncIterable<Batch>)[Symbol.asyncIterator] === 'function' ||
      typeof (source as Iterable<Batch>)[Symbol.iterator] === 'function' ||
      typeof (source as { iterator?: unknown }).iterator === 'function');
  if (!hasIterator) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      value: data,
      message: `${argument} must be { xs, ys } tensors, an iterable or async iterable of { xs, ys } batches, or a tf.data Dataset, got ${data === null ? 'null' : typeof data}`,
    });
  }
  return {
    count: null,
    whole: null,
    async *batches() {
      let index = 0;
      const take = async (value: unknown): Promise<ReadyBatch> => {
        const label = `${argument} batch ${index}`;
        const batch = asBatch(value);
        if (batch === null) {
          const tensors = (Array.isArray(value) ? value : [value]).filter(
            (t): t is tf.Tensor => t instanceof tf.Tensor,
          );
          tf.dispose(tensors);
          throw new InvalidArgumentError({
            functionName,
            argument: label,
            value,
            message:
              value instanceof tf.Tensor
                ? `${label} must be { xs, ys } or [xs, ys], got one tensor of shape [${value.shape.join(', ')}]; tf.data.zip([images, labels]).batch(n) stacks each pair into one tensor, so batch tf.data.zip({ xs: images, ys: labels }) instead`
                : `${label} must be { xs, ys } or [xs, ys], got ${Array.isArray(value) ? `an array of ${value.length}` : value === null ? 'null' : typeof value}`,
          });
        }
        try {
          if (batch.xs instanceof tf.Tensor && batch.xs.rank === 3) {
            throw new ShapeMismatchError({
              functionName,
              message: `${label}.xs is one image [${batch.xs.shape.join(', ')}], not a batch [batch, height, width, channels]; batch the dataset first (dataset.batch(32))`,
            });
          }
          const xs = checkTensor4D(functionName, `${label}.xs`, batch.xs);
          const labels = await readLabels(functionName, `${label}.ys`, batch.ys, xs.shape[0]);
          return { xs, labels, owned: true };
        } catch (error) {
          tf.dispose([batch.xs, batch.ys].filter((t) => t instanceof tf.Tensor) as tf.Tensor[]);
          throw error;
        }
      };
      const disposeYs = (value: unknown) => {
        const ys = asBatch(value)?.ys;
        if (ys instanceof tf.Tensor) ys.dispose();
      };
      if (typeof (source as { iterator?: unknown }).iterator === 'function') {
        const iterator = await (
          source as { iterator(): Promise<{ next(): Promise<IteratorResult<unknown>> }> }
        ).iterator();
        for (;;) {
          const { value, done } = await iterator.next();
          if (done) return;
          const ready = await take(value);
          disposeYs(value);
          yield ready;
          index += 1;
        }
      }
      for await (const batch of source as AsyncIterable<unknown>) {
        const ready = await take(batch);
        disposeYs(batch);
        yield ready;
        index += 1;
      }
    },
  };
}
