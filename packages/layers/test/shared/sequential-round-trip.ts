// The Sequential round trip as a plain function of the active tfjs backend, with no test
// framework: Node suites call it per backend and a browser page can bundle and call it the same
// way. It builds a tf.sequential of layers.octaveBlock2D and tfjs layers, fits it on a task the
// low band can see, saves it, reloads it with tf.loadLayersModel and predicts again.

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { layers as oct } from '../../src/index';

export interface SequentialRoundTrip {
  /** The backend it ran on. */
  backend: string;
  /** Mean training loss per epoch. */
  losses: number[];
  /** Validation loss per epoch. */
  valLosses: number[];
  /** Predictions before saving and after reloading (flattened logits). */
  before: number[];
  after: number[];
  /** Class names in the saved topology. */
  classes: string[];
  /** The block's weight names (must be unique) and the reloaded block's. */
  weightNames: string[];
  reloadedWeightNames: string[];
  /** Tensors alive after the run minus before it (0: nothing leaked). */
  leaked: number;
}

/** Saves `model` in memory and loads it back with tf.loadLayersModel; `json` is its topology. */
export async function reload(
  model: tfl.LayersModel,
): Promise<{ loaded: tfl.LayersModel; json: string }> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const json = JSON.stringify(saved!.modelTopology);
  return { loaded: await tfl.loadLayersModel(tf.io.fromMemory(saved!)), json };
}

/** Two classes: a bright top half or a bright bottom half, with noise. */
export function brightHalves(n: number, size: number, channels: number, seed: number) {
  return tf.tidy(() => {
    const labels = Array.from({ length: n }, (_, i) => i % 2);
    const noise = tf.randomUniform([n, size, size, channels], -0.3, 0.3, 'float32', seed);
    const rows = tf.reshape(tf.tensor1d(labels), [n, 1, 1, 1]);
    const half = size / 2;
    const top = tf.concat(
      [tf.ones([1, half, size, channels]), tf.zeros([1, half, size, channels])],
      1,
    );
    const xs = tf.add(
      noise,
      tf.add(tf.mul(top, tf.sub(1, rows)), tf.mul(tf.reverse(top, 1), rows)),
    );
    return { xs: xs as tf.Tensor4D, ys: tf.oneHot(tf.tensor1d(labels, 'int32'), 2) as tf.Tensor2D };
  });
}

/** Runs the round trip on the active backend; the caller checks the result (see {@link problemsOf}). */
export async function sequentialRoundTrip(epochs = 8): Promise<SequentialRoundTrip> {
  const start = tf.memory().numTensors;
  const model = tfl.sequential({
    layers: [
      oct.octaveBlock2D({
        inputShape: [8, 8, 4],
        filters: [8, 8],
        kernelSize: 3,
        alpha: 0.5,
        strides: 2,
        batchNorm: true,
        activation: 'relu',
        kernelRegularizer: tfl.regularizers.l2({ l2: 1e-4 }),
      }),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dropout({ rate: 0.1 }),
      tfl.layers.dense({ units: 2 }),
    ],
  });
  model.compile({
    optimizer: tf.train.adam(0.03),
    loss: (y: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, p),
    metrics: ['accuracy'],
  });
  const { xs, ys } = brightHalves(24, 8, 4, 11);
  const history = await model.fit(xs, ys, {
    epochs,
    batchSize: 8,
    shuffle: false,
    validationSplit: 0.25,
  });
  const original = tf.tidy(() => model.predict(xs) as tf.Tensor);
  const before = Array.from(await original.data());
  const { loaded, json } = await reload(model);
  const classes = [...json.matchAll(/"class_name":"(\w+)"/g)].map((m) => m[1]!);
  const prediction = tf.tidy(() => loaded.predict(xs) as tf.Tensor);
  const after = Array.from(await prediction.data());
  const result: SequentialRoundTrip = {
    backend: tf.getBackend(),
    losses: history.history.loss as number[],
    valLosses: history.history.val_loss as number[],
    before,
    after,
    classes,
    weightNames: model.layers[0]!.weights.map((w) => w.originalName),
    reloadedWeightNames: loaded.layers[0]!.weights.map((w) => w.originalName),
    leaked: 0,
  };
  tf.dispose([xs, ys, original, prediction]);
  model.dispose();
  loaded.dispose();
  // The optimizer's slots die with it; Sequential.dispose frees the weights.
  (model.optimizer as tf.Optimizer).dispose();
  result.leaked = tf.memory().numTensors - start;
  return result;
}

/** What is wrong with a round trip; empty when it passed. */
export function problemsOf(result: SequentialRoundTrip): string[] {
  const problems: string[] = [];
  const { losses, valLosses, before, after } = result;
  if (!(losses.at(-1)! < losses[0]! * 0.8))
    problems.push(`loss did not go down: ${losses.join(', ')}`);
  if (!valLosses.every(Number.isFinite))
    problems.push(`val_loss not finite: ${valLosses.join(', ')}`);
  if (before.length !== 48) problems.push(`expected 24 × 2 logits, got ${before.length}`);
  if (before.some((v, i) => v !== after[i]))
    problems.push('the reloaded model predicts differently');
  if (!result.classes.includes('OctaveBlock2D'))
    problems.push(`no OctaveBlock2D in ${result.classes.join(', ')}`);
  if (
    new Set(result.weightNames).size !== result.weightNames.length ||
    result.weightNames.length !== 24
  )
    problems.push(`block weight names not 24 unique ones: ${result.weightNames.join(', ')}`);
  if (result.reloadedWeightNames.join() !== result.weightNames.join())
    problems.push(`reloaded weight names differ: ${result.reloadedWeightNames.join(', ')}`);
  if (result.leaked !== 0) problems.push(`${result.leaked} tensors leaked`);
  return problems;
}
