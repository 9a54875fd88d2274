import * as tf from '@tensorflow/tfjs-core';
import { type KernelAlias, runKernelAlias } from '../autograd/kernel-alias';
import { reluGrad } from '../kernels/fused-ops';
import { checkTensor } from '../tensor/check-tensor';

/** @internal */
export const RELU: KernelAlias = {
  name: 'OctconvRelu',
  baseKernels: ['Relu'],
  inputsToSave: ['x'],
  // PyTorch's convention: the gradient at exactly 0 is 0.
  gradFunc: (dy, saved) => {
    const [x] = saved as [tf.Tensor];
    return { x: () => reluGrad(dy as tf.Tensor, x) };
  },
};

/** @internal ReLU without input checks, for modules that already checked. */
export function reluUnchecked<T extends tf.Tensor>(x: T, caller: string): T {
  return runKernelAlias<T>(RELU, caller, { x }, {});
}

/**
 * `max(x, 0)`, differentiable with tfjs-core alone (gradient 0 at 0, as PyTorch).
 *
 * @param x A float32 tensor of any rank ≥ 1.
 */
export function relu<T extends tf.Tensor>(x: T): T {
  checkTensor('relu', 'x', x, null, '');
  return reluUnchecked(x, 'relu');
}

/** @internal */
export const RELU6: KernelAlias = {
  name: 'OctconvRelu6',
  baseKernels: ['Relu6'],
  inputsToSave: ['x'],
  // PyTorch's nn.ReLU6 is hardtanh(0, 6): the gradient passes where 0 < x < 6 only, so it is 0
  // at exactly 0 and at exactly 6 (tfjs's own Relu6 gradient passes it at 6).
  gradFunc: (dy, saved) => {
    const [x] = saved as [tf.Tensor];
    return {
      x: () =>
        tf.tidy(() => {
          const inside = tf.logicalAnd(tf.greater(x, 0), tf.less(x, 6));
          return tf.mul(dy as tf.Tensor, tf.cast(inside, 'float32'));
        }),
    };
  },
};

/** @internal ReLU6 without input checks, for modules that already checked. */
export function relu6Unchecked<T extends tf.Tensor>(x: T, caller: string): T {
  return runKernelAlias<T>(RELU6, caller, { x }, {});
}

/**
 * `min(max(x, 0), 6)`, PyTorch's `nn.ReLU6` (MobileNet v2), differentiable with tfjs-core alone.
 * The gradient is PyTorch's: 1 where `0 < x < 6`, 0 elsewhere, including exactly 0 and 6.
 * The forward is tfjs's `Relu6` kernel, so a NaN input is the backend's business (wasm's clamp
 * turns it into a number; PyTorch keeps NaN).
 *
 * @param x A float32 tensor of any rank ≥ 1.
 * @throws InvalidArgumentError when `x` is not a float32 tensor.
 */
export function relu6<T extends tf.Tensor>(x: T): T {
  checkTensor('relu6', 'x', x, null, '');
  return relu6Unchecked(x, 'relu6');
}
