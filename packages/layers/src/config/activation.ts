import { InvalidArgumentError } from '@octconv/core';
import type { Tensor } from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { show } from './check';

/**
 * An activation as `tf.layers.conv2d` names it: `'linear'` (none), `'relu'`, `'relu6'`, `'elu'`,
 * `'selu'`, `'sigmoid'`, `'hardSigmoid'`, `'tanh'`, `'softplus'`, `'softsign'`, `'softmax'`,
 * `'swish'`, `'mish'`, `'gelu'`, `'gelu_new'`.
 */
export type ActivationIdentifier = NonNullable<
  Parameters<typeof tfl.layers.activation>[0]
>['activation'];

/** @internal An activation resolved by tfjs itself: its name and its function (null: linear). */
export interface ResolvedActivation {
  name: string;
  apply: ((x: Tensor) => Tensor) | null;
}

/**
 * Resolves `value` exactly as `tf.layers.conv2d` resolves its `activation`, by letting an
 * unbuilt `tf.layers.activation` parse it (named explicitly, it takes no name from the global
 * counter). An unknown name is an {@link InvalidArgumentError} naming `argument`.
 * @internal
 */
export function resolveActivation(
  functionName: string,
  argument: string,
  value: unknown,
): ResolvedActivation {
  const given = value ?? 'linear';
  let probe: tfl.layers.Layer;
  try {
    if (typeof given !== 'string') throw new Error('not a string');
    probe = tfl.layers.activation({
      activation: given as ActivationIdentifier,
      name: 'octconv_activation',
    });
  } catch (error) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      value,
      message: `${argument} must be an activation tf.layers.conv2d accepts ('relu', 'relu6', 'linear', 'elu', 'tanh', 'sigmoid', …), got ${show(value)}`,
      cause: error,
    });
  }
  const name = probe.getConfig().activation as string;
  const fn = (probe as unknown as { activation: { apply(x: Tensor): Tensor } }).activation;
  return { name, apply: name === 'linear' ? null : (x) => fn.apply(x) };
}
