// The training demo's session: MiniOctNet on shapesAndTextures with Adam, one batch of `fit` at
// a time (so the page can redraw between steps), accuracy on a held-out set with `evaluate`,
// predictions with `predict`, and the PyTorch checkpoint of the result.
import {
  evaluate,
  fit as fitModule,
  type ImageDataset,
  MiniOctNet,
  predict,
  SHAPE_TEXTURE_CLASSES,
  saveTorchCheckpoint,
  shapesAndTextures,
} from '@octconv/models';
import * as tf from '@tensorflow/tfjs-core';
import type { FeatureMap } from './images';

/** Image size, and the data sets' sizes and seeds (the test set is what the page reports). */
export const IMAGE_SIZE = 16;
export const TRAIN_SET = { count: 2048, size: IMAGE_SIZE, seed: 1 };
export const TEST_SET = { count: 256, size: IMAGE_SIZE, seed: 2 };

export interface TrainingSettings {
  alpha: number;
  batch: number;
  learningRate: number;
  /** Seed of the initial weights. */
  seed: number;
}

export const DEFAULT_TRAINING: TrainingSettings = {
  alpha: 0.5,
  batch: 32,
  learningRate: 3e-3,
  seed: 7,
};

/** The network the demo trains (and a fresh one to load its checkpoint into). */
export function createNet(settings: Pick<TrainingSettings, 'alpha' | 'seed'>): MiniOctNet {
  return new MiniOctNet({
    inChannels: 3,
    numClasses: SHAPE_TEXTURE_CLASSES.length,
    alpha: settings.alpha,
    random: settings.seed,
  });
}

/** A data set's images as one tensor. */
export function imagesTensor(data: ImageDataset): tf.Tensor4D {
  return tf.tensor4d(data.images, [data.count, data.size, data.size, 3]);
}

/** Fraction of `labels` the network (in eval mode; its mode is restored) gets right. */
export async function accuracy(
  net: MiniOctNet,
  images: tf.Tensor4D,
  labels: ArrayLike<number>,
): Promise<number> {
  return (await evaluate(net, { xs: images, ys: labels }, { batchSize: 64 })).accuracy;
}

/** A held-out image with its class and the network's guess. */
export interface Example {
  image: FeatureMap;
  label: number;
  predicted: number;
}

/** A network, its optimizer and both data sets, on the active backend. */
export class TrainingSession {
  readonly net: MiniOctNet;
  readonly settings: TrainingSettings;
  private readonly optimizer: tf.Optimizer;
  private readonly train: ImageDataset;
  private readonly test: ImageDataset;
  private readonly testImages: tf.Tensor4D;
  steps = 0;

  constructor(settings: TrainingSettings) {
    this.settings = settings;
    this.net = createNet(settings);
    this.optimizer = tf.train.adam(settings.learningRate);
    this.train = shapesAndTextures(TRAIN_SET);
    this.test = shapesAndTextures(TEST_SET);
    this.testImages = imagesTensor(this.test);
  }

  /**
   * One Adam step on the next batch (the training set is walked in order, round and round):
   * `fit` over exactly one batch, which puts the network in training mode and back.
   */
  async step(): Promise<number> {
    const { batch } = this.settings;
    const perImage = IMAGE_SIZE * IMAGE_SIZE * 3;
    const batches = Math.floor(this.train.count / batch);
    const from = (this.steps % batches) * batch;
    const images = tf.tensor4d(
      this.train.images.subarray(from * perImage, (from + batch) * perImage),
      [batch, IMAGE_SIZE, IMAGE_SIZE, 3],
    );
    try {
      const history = await fitModule(
        this.net,
        { xs: images, ys: this.train.labels.subarray(from, from + batch) },
        { optimizer: this.optimizer, batchSize: batch, shuffle: false },
      );
      this.steps += 1;
      return history.history.loss[0]!;
    } finally {
      images.dispose();
    }
  }

  /** Accuracy on the held-out set. */
  accuracy(): Promise<number> {
    return accuracy(this.net, this.testImages, this.test.labels);
  }

  /** The first `count` held-out images (scaled into [0, 1] for display) and the predictions. */
  async examples(count: number): Promise<Example[]> {
    const images = tf.slice(this.testImages, 0, count);
    const logits = predict(this.net, images);
    const predicted = tf.argMax(logits, 1);
    const classes = await predicted.data();
    const pixels = (await images.data()) as Float32Array;
    tf.dispose([images, logits, predicted]);
    const perImage = IMAGE_SIZE * IMAGE_SIZE * 3;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const value of pixels) {
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
    return Array.from({ length: count }, (_, i) => ({
      image: {
        height: IMAGE_SIZE,
        width: IMAGE_SIZE,
        channels: 3,
        values: pixels.slice(i * perImage, (i + 1) * perImage).map((v) => (v - min) / (max - min)),
      },
      label: this.test.labels[i]!,
      predicted: classes[i]!,
    }));
  }

  /** The trained network as a safetensors file with PyTorch's state_dict names. */
  checkpoint(): Promise<Uint8Array> {
    return saveTorchCheckpoint(this.net);
  }

  dispose(): void {
    this.net.dispose();
    this.optimizer.dispose();
    this.testImages.dispose();
  }
}
