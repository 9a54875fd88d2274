import { InvalidArgumentError } from '@octconv/core';
import * as tf from '@tensorflow/tfjs-core';

/** A source of uniform numbers in [0, 1); every weight initialiser draws from one. */
export interface RandomSource {
  next(): number;
}

/**
 * A seeded random source (mulberry32): the same seed gives the same weights on every backend
 * and platform, since numbers are drawn in JavaScript, not by a backend's kernel.
 */
export function createRandomSource(seed: number): RandomSource {
  let state = seed >>> 0;
  return {
    next() {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** How a module gets its initial weights: a seed, a shared source, or (omitted) a random seed. */
export type RandomInit = number | RandomSource | undefined;

/** @internal */
export function resolveRandom(random: RandomInit): RandomSource {
  if (random === undefined) return createRandomSource(Math.floor(Math.random() * 2 ** 32));
  if (typeof random === 'number') return createRandomSource(random);
  return random;
}

/**
 * @internal PyTorch's default for `nn.Conv2d` and `nn.Linear` weights and biases:
 * `kaiming_uniform_(a = √5)` is U(−1/√fanIn, 1/√fanIn), and so is the bias.
 */
export function uniformVariable(
  random: RandomSource,
  shape: number[],
  fanIn: number,
  name: string,
): tf.Variable {
  const bound = 1 / Math.sqrt(fanIn);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) {
    const u = random.next();
    if (!(u >= 0 && u < 1)) {
      throw new InvalidArgumentError({
        functionName: 'RandomSource',
        argument: 'random.next()',
        value: u,
        message: `random.next() must return a number in [0, 1), returned ${String(u)}`,
      });
    }
    values[i] = (u * 2 - 1) * bound;
  }
  return ownedVariable(tf.tensor(values, shape), true, name);
}

let counter = 0;

/**
 * @internal tfjs keeps variables in one global registry by name; a second model with the same
 * PyTorch names must not collide, so the registry name gets a unique suffix. The PyTorch name is
 * what `namedParameters()` reports.
 */
export function uniqueName(name: string): string {
  counter += 1;
  return `octconv/${name}/${counter}`;
}

/**
 * @internal A variable made from `initial`, which it takes over: the initial tensor is disposed
 * (a variable shares its data), so only the variable is left to count and dispose.
 */
export function ownedVariable(initial: tf.Tensor, trainable: boolean, name: string): tf.Variable {
  const variable = tf.variable(initial, trainable, uniqueName(name));
  initial.dispose();
  return variable;
}
