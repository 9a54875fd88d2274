import * as tf from '@tensorflow/tfjs-core';
import { type KernelAlias, runKernelAlias } from '../autograd/kernel-alias';
import { formatValue } from '../errors/format-value';
import { InvalidArgumentError, ShapeMismatchError } from '../errors/octconv-error';
import { channelAffine, channelStats } from '../kernels/fused-ops';
import { checkRecord } from '../shape/check-record';
import { checkTensor, checkTensor4D } from '../tensor/check-tensor';

/** Per-channel parameters of {@link batchNorm} (all `[channels]`). */
export interface BatchNormParameters {
  /** γ, PyTorch's `weight`. */
  scale: tf.Tensor1D;
  /** β, PyTorch's `bias`. */
  offset: tf.Tensor1D;
  /** Added to the variance before the square root. Default 1e-5, PyTorch's. */
  epsilon?: number;
}

/** Statistics {@link batchNorm} normalises with in inference (all `[channels]`). */
export interface BatchNormStatistics {
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/** Result of {@link batchNormTraining}. */
export interface BatchNormTrainingResult {
  /** The normalised output, `[batch, height, width, channels]`. */
  y: tf.Tensor4D;
  /** The batch mean per channel, `[channels]`. */
  mean: tf.Tensor1D;
  /** The batch variance per channel, biased (divided by N), as used to normalise. */
  variance: tf.Tensor1D;
  /** N = batch · height · width, the values each channel's statistics were taken over. */
  count: number;
}

const INFERENCE_KEYS = ['mean', 'variance', 'scale', 'offset', 'epsilon'];
const TRAINING_KEYS = ['scale', 'offset', 'epsilon'];

/** @internal */
export const BATCH_NORM: KernelAlias = {
  name: 'OctconvBatchNorm',
  baseKernels: ['FusedBatchNorm'],
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const [x, mean, variance, scale] = saved as tf.Tensor[];
    const grad = dy as tf.Tensor4D;
    const epsilon = attrs.varianceEpsilon as number;
    const invStd = () => tf.rsqrt(tf.add(variance!, epsilon));
    return {
      x: () => tf.mul(grad, tf.mul(scale!, invStd())),
      scale: () => tf.sum(tf.mul(grad, tf.mul(tf.sub(x!, mean!), invStd())), [0, 1, 2]),
      offset: () => tf.sum(grad, [0, 1, 2]),
      mean: () => tf.neg(tf.mul(tf.sum(grad, [0, 1, 2]), tf.mul(scale!, invStd()))),
      variance: () =>
        tf.mul(
          tf.sum(tf.mul(grad, tf.sub(x!, mean!)), [0, 1, 2]),
          tf.mul(scale!, tf.mul(-0.5, tf.pow(invStd(), 3))),
        ),
    };
  },
};

function checkParameters(
  functionName: string,
  x: tf.Tensor4D,
  parameters: unknown,
  keys: string[],
): number {
  const record = checkRecord(functionName, 'parameters', parameters, keys, 'field');
  const channels = x.shape[3];
  for (const key of keys) {
    if (key === 'epsilon') continue;
    const value = checkTensor(functionName, `parameters.${key}`, record[key], 1, '[channels]');
    if (value.shape[0] !== channels) {
      throw new ShapeMismatchError({
        functionName,
        message: `parameters.${key} has ${value.shape[0]} values, x [${x.shape.join(', ')}] has ${channels} channels`,
      });
    }
  }
  const epsilon = record.epsilon ?? 1e-5;
  if (typeof epsilon !== 'number' || !(epsilon > 0) || !Number.isFinite(epsilon)) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'parameters.epsilon',
      value: epsilon,
      message: `parameters.epsilon must be a finite number > 0, got ${formatValue(epsilon)}`,
    });
  }
  return epsilon;
}

/**
 * Batch normalisation with given statistics (PyTorch's `BatchNorm2d` in eval mode):
 * `(x − mean) / sqrt(variance + epsilon) · scale + offset` per channel. Differentiable in every
 * input with tfjs-core alone.
 *
 * @param x `[batch, height, width, channels]`.
 */
export function batchNorm(
  x: tf.Tensor4D,
  parameters: BatchNormParameters & BatchNormStatistics,
): tf.Tensor4D {
  checkTensor4D('batchNorm', 'x', x);
  const epsilon = checkParameters('batchNorm', x, parameters, INFERENCE_KEYS);
  const { mean, variance, scale, offset } = parameters;
  return runKernelAlias<tf.Tensor4D>(
    BATCH_NORM,
    'batchNorm',
    { x, mean, variance, offset, scale },
    { varianceEpsilon: epsilon },
  );
}

/**
 * Batch normalisation with the batch's own statistics (PyTorch's `BatchNorm2d` in train mode):
 * normalises with the per-channel mean and the biased variance over batch, height and width,
 * and returns them so that a module can update its running statistics. The gradient with
 * respect to `x` includes the dependence of the statistics on `x`.
 *
 * @param x `[batch, height, width, channels]`, with more than one value per channel.
 * @throws InvalidArgumentError when batch · height · width is 1 (PyTorch refuses it too: the
 *   variance of one value is 0 and the output would be all `offset`).
 */
export function batchNormTraining(
  x: tf.Tensor4D,
  parameters: BatchNormParameters,
): BatchNormTrainingResult {
  checkTensor4D('batchNormTraining', 'x', x);
  const epsilon = checkParameters('batchNormTraining', x, parameters, TRAINING_KEYS);
  const [batch, height, width] = x.shape;
  const count = batch * height * width;
  if (count < 2) {
    throw new InvalidArgumentError({
      functionName: 'batchNormTraining',
      argument: 'x',
      value: x.shape,
      message: `expected more than 1 value per channel in training, x is [${x.shape.join(', ')}]`,
    });
  }
  const { scale, offset } = parameters;
  const fused = batchNormTrainingFused(x, scale, offset, epsilon, count);
  if (fused) return fused;
  // Statistics outside the custom gradient: they feed the running averages, and the gradient
  // below already accounts for their dependence on x, so the tape never differentiates them.
  const { mean, variance } = tf.tidy(() => tf.moments(x, [0, 1, 2])) as {
    mean: tf.Tensor1D;
    variance: tf.Tensor1D;
  };
  const normalise = tf.customGrad((input, gamma, beta, saveArgument) => {
    const save = saveArgument as tf.GradSaveFunc;
    const invStd = tf.rsqrt(tf.add(variance, epsilon));
    const normalised = tf.mul(tf.sub(input as tf.Tensor4D, mean), invStd);
    save([normalised, invStd, gamma as tf.Tensor]);
    return {
      value: tf.add(tf.mul(normalised, gamma as tf.Tensor), beta as tf.Tensor),
      gradFunc: (dy, saved) => {
        const [xHat, inverse, g] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
        const sumDy = tf.sum(dy, [0, 1, 2]);
        const sumDyXHat = tf.sum(tf.mul(dy, xHat), [0, 1, 2]);
        const dx = tf.mul(
          tf.mul(g, tf.div(inverse, count)),
          tf.sub(tf.sub(tf.mul(dy, count), sumDy), tf.mul(xHat, sumDyXHat)),
        );
        return [dx, sumDyXHat, sumDy];
      },
    };
  });
  const y = normalise(x, scale, offset) as tf.Tensor4D;
  return { y, mean, variance, count };
}

/**
 * wasm: the same batch norm in four passes over the feature map instead of about fourteen. The
 * statistics come from one float64 pass (mean and biased variance), the forward is one
 * per-channel affine pass `x·a + b`, and the backward is one float64 pass (`Σdy`,
 * `Σ dy·(x − μ)`) and one affine pass `dx = A·dy + B·x + C`, with
 * `A = γs`, `B = −γs²·Σ(dy·x̂)/N`, `C = −γs·Σdy/N − B·μ` (`s = 1/√(σ² + ε)`, `x̂ = (x − μ)s`).
 * Null where the kernels do not run.
 */
function batchNormTrainingFused(
  x: tf.Tensor4D,
  scale: tf.Tensor1D,
  offset: tf.Tensor1D,
  epsilon: number,
  count: number,
): BatchNormTrainingResult | null {
  const stats = channelStats(x);
  if (stats === null) return null;
  const [mean, variance] = tf.tidy(() => tf.unstack(stats) as [tf.Tensor1D, tf.Tensor1D]);
  stats.dispose();
  const normalise = tf.customGrad((input, gamma, beta, saveArgument) => {
    const save = saveArgument as tf.GradSaveFunc;
    const invStd = tf.rsqrt(tf.add(variance, epsilon)) as tf.Tensor1D;
    const a = tf.mul(gamma as tf.Tensor1D, invStd) as tf.Tensor1D;
    const shift = tf.sub(beta as tf.Tensor1D, tf.mul(mean, a)) as tf.Tensor1D;
    save([input as tf.Tensor4D, mean, invStd, gamma as tf.Tensor1D]);
    return {
      value: channelAffine(input as tf.Tensor4D, a, shift)!,
      gradFunc: (dy, saved) => {
        const [xs, mu, s, g] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        const grad = dy as tf.Tensor4D;
        const sums = channelStats(grad, xs, mu)!;
        const [sumDy, sumDyCentred] = tf.unstack(sums) as [tf.Tensor1D, tf.Tensor1D];
        const sumDyXHat = tf.mul(sumDyCentred, s) as tf.Tensor1D;
        const gs = tf.mul(g, s) as tf.Tensor1D;
        const A = gs;
        const B = tf.neg(tf.mul(tf.mul(gs, s), tf.div(sumDyXHat, count))) as tf.Tensor1D;
        const C = tf.sub(tf.neg(tf.mul(gs, tf.div(sumDy, count))), tf.mul(B, mu)) as tf.Tensor1D;
        const dx = channelAffine(grad, A, C, xs, B)!;
        return [dx, sumDyXHat, sumDy];
      },
    };
  });
  const y = normalise(x, scale, offset) as tf.Tensor4D;
  return { y, mean, variance, count };
}
