import type * as tf from '@tensorflow/tfjs-core';
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
