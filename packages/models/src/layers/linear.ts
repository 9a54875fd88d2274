import { type BandShapes, checkTensor, linear } from '@octconv/core';
import type * as tf from '@tensorflow/tfjs-core';
import { formatShape, Module, shapeError, type TraceContext } from '../module/module';
import { type RandomInit, resolveRandom, uniformVariable } from '../module/random';
import { checkLayerOptions } from './options';

/** Options of {@link Linear}. */
export interface LinearOptions {
  inFeatures: number;
  outFeatures: number;
  /** Default true. */
  bias?: boolean;
  random?: RandomInit;
}

/**
 * PyTorch's `nn.Linear`: `weight` is `[inFeatures, outFeatures]` here (tfjs's layout) and
 * `[out, in]` in a PyTorch checkpoint; `bias` is `[outFeatures]`. Initialised as PyTorch does.
 */
export class Linear extends Module<tf.Tensor2D, tf.Tensor2D> {
  readonly moduleName: string = 'Linear';
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(options: LinearOptions) {
    super();
    const o = checkLayerOptions(
      'Linear',
      options,
      { inFeatures: 'count', outFeatures: 'count', bias: 'boolean', random: 'random' },
      ['inFeatures', 'outFeatures'],
    );
    this.inFeatures = o.inFeatures as number;
    this.outFeatures = o.outFeatures as number;
    const random = resolveRandom(o.random as RandomInit);
    this.weight = this.registerParameter(
      'weight',
      uniformVariable(random, [this.inFeatures, this.outFeatures], this.inFeatures, 'weight'),
    );
    this.bias =
      (o.bias ?? true)
        ? this.registerParameter(
            'bias',
            uniformVariable(random, [this.outFeatures], this.inFeatures, 'bias'),
          )
        : null;
  }

  /** `x`: `[batch, inFeatures]` → `[batch, outFeatures]`. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    checkTensor(`${this.moduleName}.apply`, 'x', x, 2, '[batch, inFeatures]');
    this.checkApply({ high: x.shape, low: null });
    return this.forward(x);
  }

  /** @internal */
  forward(x: tf.Tensor2D): tf.Tensor2D {
    return linear(x, this.weight as tf.Tensor2D, this.bias as tf.Tensor1D | null);
  }

  protected inputShapes(batch: number): BandShapes {
    return { high: [batch, this.inFeatures], low: null };
  }

  trace(input: BandShapes, name: string, context: TraceContext): BandShapes {
    const shape = input.high;
    if (
      input.low !== null ||
      shape === null ||
      shape.length !== 2 ||
      shape[1] !== this.inFeatures
    ) {
      shapeError(
        context,
        name,
        `expects [batch, ${this.inFeatures}], got high ${formatShape(shape)}, low ${formatShape(input.low)}`,
      );
    }
    const output: BandShapes = { high: [shape![0]!, this.outFeatures], low: null };
    context.layers.push({
      kind: 'linear',
      name,
      input,
      output,
      inFeatures: this.inFeatures,
      outFeatures: this.outFeatures,
      bias: this.bias !== null,
    });
    return output;
  }
}
