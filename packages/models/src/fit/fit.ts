import { InvalidArgumentError, softmaxCrossEntropy } from '@octconv/core';
import * as tf from '@tensorflow/tfjs-core';
import { type Classifier, checkBatch, checkModule, checkOptions, countOption } from './common';
import { type FitData, permutation, planData } from './data';
import { evaluateBatches } from './evaluate';

export type { Classifier } from './common';

/**
 * Numbers reported to callbacks, named as tfjs's `model.fit` names them (so tfjs-vis's
 * `fitCallbacks` can plot them): `loss`, `acc`, and at epoch end `val_loss`, `val_acc` when
 * there is validation data. `size` is the batch's sample count (batch callbacks).
 */
export type FitLogs = {
  loss: number;
  acc: number;
  val_loss?: number;
  val_acc?: number;
  size?: number;
};

/** What a callback may return: `false` (or a promise of it) stops training early. */
// biome-ignore lint/suspicious/noConfusingVoidType: callbacks written as `() => {}` or `async () => {}` return void
export type CallbackResult = void | boolean | Promise<void | boolean>;

/**
 * Hooks into {@link fit}, called as methods (`this` is the object, so a class instance or an
 * object literal that keeps state works); each may be async, and returning `false` stops
 * training. A tfjs-layers `Callback` (`tf.callbacks.earlyStopping(…)`, `new
 * tf.CustomCallback({…})`, a subclass of `tf.Callback`) works too: as `model.fit` does, `fit`
 * calls its `setParams`, sets its `this.model` (a {@link FitModelHandle}), calls its hooks with
 * tfjs's arguments, and stops after the batch or epoch whose hook set
 * `this.model.stopTraining = true`.
 */
export interface FitCallbacks {
  onTrainBegin?(): CallbackResult;
  onTrainEnd?(logs: FitHistory): CallbackResult;
  onEpochBegin?(epoch: number): CallbackResult;
  onEpochEnd?(epoch: number, logs: FitLogs): CallbackResult;
  onBatchBegin?(batch: number): CallbackResult;
  onBatchEnd?(batch: number, logs: FitLogs): CallbackResult;
}

/**
 * What a tfjs-layers `Callback` gets as `this.model` from {@link fit}: `stopTraining` (set it to
 * stop after the current batch or epoch, as `tf.callbacks.earlyStopping` does) and the module
 * being trained.
 */
export interface FitModelHandle {
  stopTraining: boolean;
  module: Classifier;
}

/** Options of {@link fit}. */
export interface FitOptions {
  /** Any tfjs-core optimizer (`tf.train.adam(1e-3)`, …). */
  optimizer: tf.Optimizer;
  /** Default 1. */
  epochs?: number;
  /** Samples per step for `{ xs, ys }` data (the last batch may be smaller); default 32. */
  batchSize?: number;
  /**
   * Shuffle `{ xs, ys }` data each epoch: `true` (default, a fresh random order), `false`, or a
   * seed (the same seed gives the same orders). Sources keep their own order.
   */
  shuffle?: boolean | number;
  /** Evaluated (eval mode) after every epoch; adds `val_loss` and `val_acc` to the logs. */
  validationData?: FitData;
  /** One set of callbacks or several, called in order (tfjs-layers `Callback`s included). */
  callbacks?: FitCallbacks | LayersCallback | (FitCallbacks | LayersCallback)[];
  /** Aborting stops training after the current batch (the other early stop besides `false`). */
  signal?: AbortSignal;
}

/** What {@link fit} returns: the per-epoch logs, as tfjs's `History`. */
export interface FitHistory {
  /** Epoch indices that completed. */
  epoch: number[];
  /** Per-epoch mean loss and accuracy over the samples seen, and validation numbers. */
  history: { loss: number[]; acc: number[]; val_loss?: number[]; val_acc?: number[] };
  /** Whether a callback or the signal stopped training before `epochs`. */
  stopped: boolean;
}

const OPTION_KEYS = [
  'optimizer',
  'epochs',
  'batchSize',
  'shuffle',
  'validationData',
  'callbacks',
  'signal',
];

/**
 * A tfjs-layers `Callback` as {@link fit} takes one (`tf.callbacks.earlyStopping(…)`, `new
 * tf.CustomCallback({…})`): what it needs besides the hooks of {@link FitCallbacks}.
 */
export interface LayersCallback {
  setParams(params: object): void;
  setModel(model: object): void;
  /** Set by {@link fit} to a {@link FitModelHandle}. */
  model?: object | null;
}

function isLayersCallback(set: object): set is LayersCallback {
  const c = set as Partial<LayersCallback>;
  return typeof c.setParams === 'function' && typeof c.setModel === 'function';
}

/** Calls one hook of every callback set, as a method; true when one asked to stop. */
async function callHook<K extends keyof FitCallbacks>(
  callbacks: readonly FitCallbacks[],
  handle: FitModelHandle,
  hook: K,
  ...args: Parameters<NonNullable<FitCallbacks[K]>>
): Promise<boolean> {
  let stop = false;
  for (const set of callbacks) {
    const method = set[hook] as ((...a: unknown[]) => CallbackResult) | undefined;
    if (typeof method !== 'function') continue;
    // tfjs callbacks get tfjs's arguments: onTrainBegin({}), onTrainEnd() and a logs object for
    // the begin hooks.
    const layers = isLayersCallback(set as object);
    const given: unknown[] =
      layers && hook === 'onTrainEnd'
        ? []
        : layers && hook.endsWith('Begin')
          ? [...args, {}]
          : args;
    if ((await method.call(set, ...given)) === false) stop = true;
  }
  return stop || handle.stopTraining;
}

/**
 * Trains a classifier module the way `model.fit` trains a tfjs LayersModel: softmax
 * cross-entropy on its logits, the given tfjs optimizer, epochs of shuffled batches (the last
 * one may be smaller), per-batch and per-epoch callbacks with `loss`/`acc` logs, validation in
 * eval mode after each epoch, and early stopping when a callback returns `false` or
 * `options.signal` aborts. The module is in training mode while it trains (batch norms use
 * and update batch statistics) and gets its previous mode back afterwards, also on error.
 *
 * Each step leaves no tensor behind; only the optimizer's own state (created on the first
 * step) stays. Batches yielded by a source are disposed after their step.
 *
 * @param module A classifier: `[batch, h, w, c]` → `[batch, classes]` (`MiniOctNet`, `octResNet`, …).
 * @param data `{ xs, ys }` (`xs` `[n, h, w, c]`, `ys` class indices or one-hot rows) or a
 *   source of such batches (async iterable, iterable, `tf.data` Dataset).
 * @returns The per-epoch history.
 * @throws InvalidArgumentError / ShapeMismatchError for bad options or data, before training.
 */
export async function fit(
  module: Classifier,
  data: FitData,
  options: FitOptions,
): Promise<FitHistory> {
  const fn = 'fit';
  const net = checkModule(fn, module);
  const o = checkOptions(fn, options, OPTION_KEYS);
  const optimizer = o.optimizer as tf.Optimizer;
  if (
    typeof optimizer !== 'object' ||
    optimizer === null ||
    typeof (optimizer as tf.Optimizer).applyGradients !== 'function'
  ) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'options.optimizer',
      value: optimizer,
      message: `options.optimizer must be a tfjs optimizer (tf.train.adam(1e-3), …), got ${optimizer === null ? 'null' : typeof optimizer}`,
    });
  }
  const epochs = countOption(fn, o, 'epochs', 1);
  const batchSize = countOption(fn, o, 'batchSize', 32);
  const shuffle = o.shuffle ?? true;
  if (typeof shuffle !== 'boolean' && !(typeof shuffle === 'number' && Number.isInteger(shuffle))) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'options.shuffle',
      value: shuffle,
      message: `options.shuffle must be true, false or an integer seed, got ${String(shuffle)}`,
    });
  }
  const callbacks = (
    o.callbacks === undefined ? [] : Array.isArray(o.callbacks) ? o.callbacks : [o.callbacks]
  ) as FitCallbacks[];
  const handle: FitModelHandle = { stopTraining: false, module: net };
  for (const [i, set] of callbacks.entries()) {
    if (typeof set !== 'object' || set === null) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: `options.callbacks[${i}]`,
        value: set,
        message: `options.callbacks[${i}] must be an object of hooks (onEpochEnd, onBatchEnd, …), got ${set === null ? 'null' : typeof set}`,
      });
    }
  }
  const signal = o.signal as AbortSignal | undefined;
  const plan = await planData(fn, 'data', data, batchSize);
  const validation =
    o.validationData === undefined
      ? null
      : await planData(fn, 'options.validationData', o.validationData, batchSize);
  for (const set of callbacks) {
    if (!isLayersCallback(set)) continue;
    set.setParams({
      epochs,
      initialEpoch: 0,
      samples: plan.count,
      steps: plan.count === null ? null : Math.ceil(plan.count / batchSize),
      batchSize,
      verbose: 0,
      doValidation: validation !== null,
      metrics: ['loss', 'acc', ...(validation ? ['val_loss', 'val_acc'] : [])],
    });
    // Assigned, not through setModel: tf.Callback's setModel accepts only a LayersModel.
    (set as unknown as { model: FitModelHandle }).model = handle;
  }

  // The tensor form is checked whole (shapes, every label) before training starts.
  if (plan.whole) checkBatch(fn, net, plan.whole, true);
  if (validation?.whole) checkBatch(fn, net, validation.whole, false);
  const wasTraining = net.training;
  const history: FitHistory = { epoch: [], history: { loss: [], acc: [] }, stopped: false };
  let seed = typeof shuffle === 'number' ? shuffle : Math.floor(Math.random() * 2 ** 32);
  try {
    net.train();
    let stop = await callHook(callbacks, handle, 'onTrainBegin');
    for (let epoch = 0; epoch < epochs && !stop && !signal?.aborted; epoch++) {
      stop = (await callHook(callbacks, handle, 'onEpochBegin', epoch)) || stop;
      net.train();
      const order = plan.count !== null && shuffle !== false ? permutation(plan.count, seed) : null;
      seed = (seed + 0x9e3779b9) >>> 0;
      let seen = 0;
      let lossSum = 0;
      let correctSum = 0;
      let index = 0;
      for await (const batch of plan.batches(order)) {
        try {
          if (stop || signal?.aborted) break;
          stop = (await callHook(callbacks, handle, 'onBatchBegin', index)) || stop;
          checkBatch(fn, net, batch, true);
          let correct: tf.Scalar | null = null;
          let value: tf.Scalar | null = null;
          let grads: tf.NamedTensorMap = {};
          let loss: Float32Array | Int32Array | Uint8Array;
          let hits: Float32Array | Int32Array | Uint8Array;
          try {
            ({ value, grads } = tf.variableGrads(() => {
              const logits = net.apply(batch.xs);
              correct = tf.keep(
                tf.sum<tf.Scalar>(
                  tf.cast(
                    tf.equal(tf.argMax(logits, 1), tf.tensor1d(batch.labels, 'int32')),
                    'float32',
                  ),
                ),
              );
              return softmaxCrossEntropy(logits, batch.labels);
            }, net.parameters()));
            optimizer.applyGradients(grads);
            // Read per batch: onBatchEnd gets this batch's loss and accuracy, as in tfjs.
            [loss, hits] = await Promise.all([value.data(), correct!.data()]);
          } finally {
            // Also when the step or the read throws: nothing of the step is left behind.
            tf.dispose([value, correct, ...Object.values(grads)].filter((t) => t !== null));
          }
          const size = batch.labels.length;
          seen += size;
          lossSum += loss[0]! * size;
          correctSum += hits[0]!;
          const logs: FitLogs = { loss: loss[0]!, acc: hits[0]! / size, size };
          stop = (await callHook(callbacks, handle, 'onBatchEnd', index, logs)) || stop;
          index += 1;
        } finally {
          if (batch.owned) batch.xs.dispose();
        }
      }
      if (seen === 0) {
        throw new InvalidArgumentError({
          functionName: fn,
          argument: 'data',
          value: data,
          message: `epoch ${epoch} got no batch from data; a one-shot iterator (a generator) is used up after one epoch: pass an array, a tf.data Dataset, or an object whose iterator starts over`,
        });
      }
      const logs: FitLogs = { loss: lossSum / seen, acc: correctSum / seen };
      if (validation) {
        const result = await evaluateBatches(fn, net, validation);
        logs.val_loss = result.loss;
        logs.val_acc = result.accuracy;
        net.train();
      }
      history.epoch.push(epoch);
      history.history.loss.push(logs.loss);
      history.history.acc.push(logs.acc);
      if (logs.val_loss !== undefined) {
        history.history.val_loss = [...(history.history.val_loss ?? []), logs.val_loss];
        history.history.val_acc = [...(history.history.val_acc ?? []), logs.val_acc!];
      }
      stop = (await callHook(callbacks, handle, 'onEpochEnd', epoch, logs)) || stop;
    }
    history.stopped = history.epoch.length < epochs;
    await callHook(callbacks, handle, 'onTrainEnd', history);
    return history;
  } finally {
    net.train(wasTraining);
  }
}
