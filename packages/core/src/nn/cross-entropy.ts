import * as tf from '@tensorflow/tfjs-core';
import { formatValue } from '../errors/format-value';
import { InvalidArgumentError, ShapeMismatchError } from '../errors/octconv-error';
import { checkTensor } from '../tensor/check-tensor';

/**
 * The mean softmax cross-entropy of `logits` against class indices, PyTorch's
 * `F.cross_entropy(logits, labels)`; differentiable in `logits` with tfjs-core alone.
 *
 * Labels are a plain array, checked here: a tensor of labels could only be range-checked by
 * reading it back from the device, and an out-of-range label would silently count as zero.
 *
 * @param logits `[batch, classes]`.
 * @param labels `batch` integers in `[0, classes)`.
 * @returns A scalar.
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: ArrayLike<number>): tf.Scalar {
  const functionName = 'softmaxCrossEntropy';
  checkTensor(functionName, 'logits', logits, 2, '[batch, classes]');
  const [batch, classes] = logits.shape;
  if (
    labels == null ||
    typeof labels !== 'object' ||
    typeof (labels as ArrayLike<number>).length !== 'number'
  ) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'labels',
      value: labels,
      message: `labels must be an array of class indices, got ${formatValue(labels)}`,
    });
  }
  if (labels.length !== batch) {
    throw new ShapeMismatchError({
      functionName,
      message: `${labels.length} labels for a batch of ${batch} logits`,
    });
  }
  const indices = new Int32Array(batch);
  for (let i = 0; i < batch; i++) {
    const label = labels[i];
    if (!(Number.isInteger(label) && label! >= 0 && label! < classes)) {
      throw new InvalidArgumentError({
        functionName,
        argument: `labels[${i}]`,
        value: label,
        message: `labels[${i}] must be an integer class in [0, ${classes}), got ${formatValue(label)}`,
      });
    }
    indices[i] = label!;
  }
  const oneHot = tf.tidy(() =>
    tf.cast(tf.oneHot(tf.tensor1d(indices, 'int32'), classes), 'float32'),
  );
  const loss = tf.customGrad((input, saveArgument) => {
    const save = saveArgument as tf.GradSaveFunc;
    const x = input as tf.Tensor2D;
    const shifted = tf.sub(x, tf.max(x, 1, true));
    const logSumExp = tf.log(tf.sum(tf.exp(shifted), 1, true));
    const logProbabilities = tf.sub(shifted, logSumExp);
    save([logProbabilities, oneHot]);
    return {
      value: tf.div(tf.neg(tf.sum(tf.mul(logProbabilities, oneHot))), batch) as tf.Scalar,
      gradFunc: (dy, saved) => {
        const [logP, target] = saved as [tf.Tensor2D, tf.Tensor2D];
        return tf.mul(tf.div(tf.sub(tf.exp(logP), target), batch), dy);
      },
    };
  });
  const result = loss(logits) as tf.Scalar;
  oneHot.dispose();
  return result;
}
