import { octaveSplit, ShapeMismatchError, splitChannels } from '@octconv/core';
import { serialization, type Tensor, type Tensor4D } from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { checkArgs, fraction, show } from '../config/check';
import { bandShapes, checkFloatInputs, type LayerArgs, type Shape } from './bands';

/** Config of {@link OctaveSplit}. */
export interface OctaveSplitArgs extends LayerArgs {
  /** Fraction of the channels in the low band, strictly between 0 and 1 once rounded; default 0.5. */
  alpha?: number;
}

/**
 * Splits one feature map `[batch, h, w, c]` into the octave pair `[high, low]`, as the seed's
 * `split_hl` and `@octconv/core`'s `octaveSplit`: the first `c − round(c · α)` channels
 * stay at full resolution, the rest are average-pooled 2×2 (ceil mode) into
 * `[batch, ceil(h/2), ceil(w/2), round(c · α)]`. No weights.
 */
export class OctaveSplit extends tfl.layers.Layer {
  /** The name tfjs's serialization registers the class under (`OctaveSplit` in a saved model). */
  static className = 'OctaveSplit';
  readonly alpha: number;

  constructor(args: OctaveSplitArgs = {}) {
    const fn = 'OctaveSplit';
    const a = checkArgs(fn, args, ['alpha']);
    const alpha = fraction(fn, a, 'alpha', 0.5);
    super(args as ConstructorParameters<typeof tfl.layers.Layer>[0]);
    this.alpha = alpha;
  }

  private split(inputShape: Shape | Shape[]): { high: number; low: number; shape: Shape } {
    const fn = 'OctaveSplit';
    const { high: shape, low } = bandShapes(fn, inputShape);
    const channels = shape![3];
    if (low !== null || typeof channels !== 'number') {
      throw new ShapeMismatchError({
        functionName: fn,
        message: `expects one [batch, height, width, channels] input with known channels, got ${show(inputShape)}`,
      });
    }
    const split = splitChannels(channels, this.alpha);
    if (split.high === 0 || split.low === 0) {
      throw new ShapeMismatchError({
        functionName: fn,
        message: `alpha ${this.alpha} puts ${split.low} of ${channels} channels in the low band; both bands need at least one channel (choose alpha with 0 < round(${channels} · alpha) < ${channels})`,
      });
    }
    return { ...split, shape: shape! };
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape[] {
    const { high, low, shape } = this.split(inputShape);
    const half = (size: number | null | undefined) =>
      size === null || size === undefined ? null : Math.ceil(size / 2);
    return [
      [shape[0] ?? null, shape[1] ?? null, shape[2] ?? null, high],
      [shape[0] ?? null, half(shape[1]), half(shape[2]), low],
    ];
  }

  override call(inputs: Tensor | Tensor[]): Tensor[] {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as Tensor4D;
    checkFloatInputs('OctaveSplit', this.name, [x]);
    this.split(x.shape as Shape);
    const { high, low } = octaveSplit(x, this.alpha);
    return [high!, low!];
  }

  override getConfig(): serialization.ConfigDict {
    return { alpha: this.alpha, ...super.getConfig() };
  }
}
serialization.registerClass(OctaveSplit);
