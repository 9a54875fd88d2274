import { softmaxCrossEntropy } from '@octconv/core';
import * as tf from '@tensorflow/tfjs-core';
import { type Classifier, checkBatch, checkModule, checkOptions, countOption } from './common';
import type { FitData } from './data';
import { type DataPlan, planData } from './data';

/** What {@link evaluate} returns: means over every sample. */
export interface EvaluateResult {
  /** Mean softmax cross-entropy. */
  loss: number;
  /** Fraction of samples whose largest logit is their label. */
  accuracy: number;
  /** The same as `accuracy`, under the name `fit`'s logs and tfjs use (`acc`, `val_acc`). */
  acc: number;
  /** Samples evaluated. */
  count: number;
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Samples per forward for `{ xs, ys }` data; default 32. */
  batchSize?: number;
}

/** @internal Evaluates batches in eval mode; the caller restores the mode. */
export async function evaluateBatches(
  functionName: string,
  net: Classifier,
  plan: DataPlan,
): Promise<EvaluateResult> {
  net.eval();
  let count = 0;
  // Per batch `[mean loss · size, correct]`, read once at the end: no GPU readback per batch.
  const sums: tf.Tensor1D[] = [];
  try {
    for await (const batch of plan.batches(null)) {
      try {
        checkBatch(functionName, net, batch, false);
        const size = batch.labels.length;
        sums.push(
          tf.tidy(() => {
            const logits = net.apply(batch.xs);
            const labels = tf.tensor1d(batch.labels, 'int32');
            return tf.stack([
              tf.mul(softmaxCrossEntropy(logits, batch.labels), size),
              tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')),
            ]) as tf.Tensor1D;
          }),
        );
        count += size;
      } finally {
        if (batch.owned) batch.xs.dispose();
      }
    }
    // Summed here in float64, batch by batch, as before.
    let lossSum = 0;
    let correctSum = 0;
    if (sums.length > 0) {
      const all = tf.stack(sums);
      const values = await all.data();
      all.dispose();
      for (let i = 0; i < values.length; i += 2) {
        lossSum += values[i]!;
        correctSum += values[i + 1]!;
      }
    }
    const accuracy = count > 0 ? correctSum / count : Number.NaN;
    return { loss: count > 0 ? lossSum / count : Number.NaN, accuracy, acc: accuracy, count };
  } finally {
    tf.dispose(sums);
  }
}

/**
 * Mean loss and accuracy of a classifier module on labelled data, as tfjs's `model.evaluate`:
 * eval mode (batch norms use their running statistics and update nothing), in batches, no
 * tensor left behind; the module's mode is restored afterwards.
 *
 * @param module A classifier: `[batch, h, w, c]` → `[batch, classes]`.
 * @param data `{ xs, ys }` or a source of batches, as {@link fit} takes.
 * @throws InvalidArgumentError / ShapeMismatchError for bad data, before any forward.
 */
export async function evaluate(
  module: Classifier,
  data: FitData,
  options?: EvaluateOptions,
): Promise<EvaluateResult> {
  const fn = 'evaluate';
  const net = checkModule(fn, module);
  const o = checkOptions(fn, options, ['batchSize']);
  const batchSize = countOption(fn, o, 'batchSize', 32);
  const plan = await planData(fn, 'data', data, batchSize);
  if (plan.whole) checkBatch(fn, net, plan.whole, false);
  const wasTraining = net.training;
  try {
    return await evaluateBatches(fn, net, plan);
  } finally {
    net.train(wasTraining);
  }
}
