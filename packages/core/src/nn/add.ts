import type * as tf from '@tensorflow/tfjs-core';
import { requireKernelAliases } from '../autograd/kernel-alias';
import { ShapeMismatchError } from '../errors/octconv-error';
import { checkTensor } from '../tensor/check-tensor';
import { ADD, addSameShape } from '../tensor/differentiable';

/**
 * `a + b` for two tensors of the same shape (a residual connection), differentiable with
 * tfjs-core alone. No broadcasting: a shape mismatch in a residual is a bug, not a broadcast.
 */
export function add<T extends tf.Tensor>(a: T, b: T): T {
  checkTensor('add', 'a', a, null, '');
  checkTensor('add', 'b', b, null, '');
  if (a.shape.some((size, axis) => size !== b.shape[axis])) {
    throw new ShapeMismatchError({
      functionName: 'add',
      message: `a [${a.shape.join(', ')}] and b [${b.shape.join(', ')}] differ in shape`,
    });
  }
  requireKernelAliases('add', [ADD]);
  return addSameShape(a, b, 'add');
}
