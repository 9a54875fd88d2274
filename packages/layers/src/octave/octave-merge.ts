import { octaveMerge, ShapeMismatchError } from '@octconv/core';
import { serialization, type Tensor, type Tensor4D } from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { checkArgs, show } from '../config/check';
import { bandShapes, checkFloatInputs, type LayerArgs, type Shape } from './bands';

/** Config of {@link OctaveMerge}: only tfjs's own layer fields (`name`, …). */
export type OctaveMergeArgs = LayerArgs;

/**
 * Merges the octave pair `[high, low]` back into one feature map, as the seed's `merge_hl` and
 * `@octconv/core`'s `octaveMerge`: `concat([high, Up(low)])` along channels, Up the
 * nearest ×2 cropped to the high band's size. `[batch, h, w, cH + cL]` out. No weights.
 */
export class OctaveMerge extends tfl.layers.Layer {
  /** The name tfjs's serialization registers the class under (`OctaveMerge` in a saved model). */
  static className = 'OctaveMerge';

  constructor(args: OctaveMergeArgs = {}) {
    checkArgs('OctaveMerge', args, []);
    super(args as ConstructorParameters<typeof tfl.layers.Layer>[0]);
  }

  private check(inputShape: Shape | Shape[]): { high: Shape; low: Shape } {
    const fn = 'OctaveMerge';
    const { high, low } = bandShapes(fn, inputShape);
    const channels = [high?.[3], low?.[3]];
    const halves = [1, 2].every((axis) => {
      const h = high?.[axis];
      const l = low?.[axis];
      return (
        h === null || h === undefined || l === null || l === undefined || Math.ceil(h / 2) === l
      );
    });
    if (low === null || channels.some((c) => typeof c !== 'number') || !halves) {
      throw new ShapeMismatchError({
        functionName: fn,
        message: `expects [high [batch, h, w, cH], low [batch, ceil(h/2), ceil(w/2), cL]] with known channels, got ${show(inputShape)}`,
      });
    }
    return { high: high!, low };
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const { high, low } = this.check(inputShape);
    return [
      high[0] ?? null,
      high[1] ?? null,
      high[2] ?? null,
      (high[3] as number) + (low[3] as number),
    ];
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const list = (Array.isArray(inputs) ? inputs : [inputs]) as Tensor4D[];
    checkFloatInputs('OctaveMerge', this.name, list);
    this.check(list.map((t) => t.shape as Shape));
    return octaveMerge({ high: list[0]!, low: list[1]! });
  }
}
serialization.registerClass(OctaveMerge);
