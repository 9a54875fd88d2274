import {
  type BandShapes,
  batchNorm,
  batchNormTraining,
  checkTensor4D,
  InvalidArgumentError,
} from '@octconv/core';
import * as tf from '@tensorflow/tfjs-core';
import {
  featureMapMismatch,
  formatShape,
  Module,
  shapeError,
  type TraceContext,
} from '../module/module';
import { ownedVariable } from '../module/random';
import { checkLayerOptions } from './options';

/** Options of {@link BatchNorm2d}. */
export interface BatchNorm2dOptions {
  numFeatures: number;
  /** Default 1e-5, PyTorch's. */
  eps?: number;
  /** Weight of the new batch statistic in the running average; default 0.1, PyTorch's. */
  momentum?: number;
}

/**
 * PyTorch's `nn.BatchNorm2d` with its exact semantics. Parameters `weight` (γ, ones) and `bias`
 * (β, zeros); buffers `running_mean` (zeros), `running_var` (ones) and `num_batches_tracked`
 * (int32 here, int64 in a PyTorch checkpoint).
 *
 * In training mode it normalises with the batch mean and the biased batch variance, then updates
 * `running = (1 − momentum) · running + momentum · batch`, with the unbiased variance
 * (× N / (N − 1), N = batch · height · width) for `running_var`, and counts the batch. In eval
 * mode it normalises with the running statistics and changes nothing.
 */
export class BatchNorm2d extends Module<tf.Tensor4D, tf.Tensor4D> {
  readonly moduleName: string = 'BatchNorm2d';
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  readonly numBatchesTrackedVariable: tf.Variable;
  private batchesTracked = 0;

  constructor(options: BatchNorm2dOptions) {
    super();
    const o = checkLayerOptions(
      'BatchNorm2d',
      options,
      { numFeatures: 'count', eps: 'positive', momentum: 'positive' },
      ['numFeatures'],
    );
    this.numFeatures = o.numFeatures as number;
    this.eps = (o.eps as number | undefined) ?? 1e-5;
    this.momentum = (o.momentum as number | undefined) ?? 0.1;
    if (this.momentum > 1) {
      throw new InvalidArgumentError({
        functionName: 'BatchNorm2d',
        argument: 'options.momentum',
        value: this.momentum,
        message: `options.momentum must be in (0, 1], got ${this.momentum}`,
      });
    }
    const c = this.numFeatures;
    const make = (name: string, tensor: tf.Tensor, trainable: boolean) =>
      ownedVariable(tensor, trainable, name);
    this.weight = this.registerParameter('weight', make('weight', tf.ones([c]), true));
    this.bias = this.registerParameter('bias', make('bias', tf.zeros([c]), true));
    this.runningMean = this.registerBuffer(
      'running_mean',
      make('running_mean', tf.zeros([c]), false),
    );
    this.runningVar = this.registerBuffer('running_var', make('running_var', tf.ones([c]), false));
    this.numBatchesTrackedVariable = this.registerBuffer(
      'num_batches_tracked',
      make('num_batches_tracked', tf.scalar(0, 'int32'), false),
    );
  }

  /** Batches seen in training mode (the `num_batches_tracked` buffer, readable without a download). */
  get numBatchesTracked(): number {
    return this.batchesTracked;
  }

  /** @internal Keeps the counter in step when a checkpoint assigns the buffer. */
  setNumBatchesTracked(count: number): void {
    this.batchesTracked = count;
  }

  /** `x`: `[batch, height, width, numFeatures]`, same shape out. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    checkTensor4D(`${this.moduleName}.apply`, 'x', x);
    this.checkApply({ high: x.shape, low: null });
    return this.forward(x);
  }

  /** @internal Forward of an already-checked input. */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    const scale = this.weight as tf.Tensor1D;
    const offset = this.bias as tf.Tensor1D;
    if (!this.training) {
      return batchNorm(x, {
        mean: this.runningMean as tf.Tensor1D,
        variance: this.runningVar as tf.Tensor1D,
        scale,
        offset,
        epsilon: this.eps,
      });
    }
    const { y, mean, variance, count } = batchNormTraining(x, { scale, offset, epsilon: this.eps });
    const m = this.momentum;
    tf.tidy(() => {
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
      const unbiased = tf.mul(variance, count / (count - 1));
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(unbiased, m)));
      this.batchesTracked += 1;
      this.numBatchesTrackedVariable.assign(tf.scalar(this.batchesTracked, 'int32'));
    });
    tf.dispose([mean, variance]);
    return y;
  }

  protected inputShapes(batch: number, height: number, width: number): BandShapes {
    return { high: [batch, height, width, this.numFeatures], low: null };
  }

  /** Accepts its feature map in either band (`bn_l` normalises the low band). */
  trace(input: BandShapes, name: string, context: TraceContext): BandShapes {
    const bands = [input.high, input.low].filter((band) => band !== null);
    const shape = bands[0];
    if (
      bands.length !== 1 ||
      shape === undefined ||
      shape.length !== 4 ||
      shape[3] !== this.numFeatures
    ) {
      shapeError(context, name, featureMapMismatch(this.numFeatures, input));
    }
    const [batch, height, width] = shape as number[];
    if (context.training && batch! * height! * width! < 2) {
      shapeError(
        context,
        name,
        `expected more than 1 value per channel in training, got ${formatShape(shape)}`,
      );
    }
    context.layers.push({
      kind: 'batch-norm',
      name,
      input,
      output: input,
      channels: this.numFeatures,
    });
    return input;
  }
}
