import { InvalidArgumentError, ShapeMismatchError } from '@octconv/core';
import { serialization, type Tensor } from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { checkArgs, show } from '../config/check';
import { bandShapes, type LayerArgs, type Shape, toOutput } from './bands';
import { CompositeLayer, deserializeLayer } from './composite';

/** Makes the layer of one band: called once for the high band, once for the low. */
export type BandLayerFactory = (band: 'high' | 'low') => tfl.layers.Layer;

/** Config of {@link PerBand}. */
export interface PerBandArgs extends LayerArgs {
  /**
   * A function that returns a new, unbuilt tfjs layer each time it is called (it is called twice,
   * `'high'` then `'low'`), or the two layers `[high, low]`.
   */
  layer: BandLayerFactory | readonly [tfl.layers.Layer, tfl.layers.Layer];
}

const fn = 'PerBand';

/**
 * Applies a tfjs layer to each band of an octave pair, each band with its own weights:
 * `[high, low]` in, `[layerHigh(high), layerLow(low)]` out (one input: the high layer only).
 * For per-band batch norm, dropout, activations and the like, which tfjs layers cannot do on a
 * pair themselves (`tf.layers.reLU().apply([high, low])` fails at predict). Saved and loaded with
 * the model: its config holds both layers' configs.
 *
 * ```ts
 * const [high, low] = layers.perBand(() => tf.layers.batchNormalization()).apply(bands);
 * ```
 */
export class PerBand extends CompositeLayer {
  /** The name tfjs's serialization registers the class under (`PerBand` in a saved model). */
  static className = 'PerBand';
  /** The high band's layer and the low band's. */
  readonly bandLayers: readonly [tfl.layers.Layer, tfl.layers.Layer];

  constructor(args: PerBandArgs) {
    const a = checkArgs(fn, args, ['layer']);
    const given = a.layer;
    let pair: unknown[];
    if (typeof given === 'function') {
      pair = (['high', 'low'] as const).map((band) => (given as BandLayerFactory)(band));
    } else if (Array.isArray(given) && given.length === 2) {
      pair = given;
    } else {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: 'args.layer',
        value: given,
        message: `args.layer must be a function returning a new tfjs layer (e.g. () => tf.layers.batchNormalization()) or the pair [high, low] of layers, got ${show(given)}`,
      });
    }
    for (const [i, layer] of pair.entries()) {
      if (!(layer instanceof tfl.layers.Layer) || layer.built) {
        throw new InvalidArgumentError({
          functionName: fn,
          argument: 'args.layer',
          value: layer,
          message: `the ${i === 0 ? 'high' : 'low'} band's layer must be a new, unbuilt tfjs layer (each band has its own weights), got ${layer instanceof tfl.layers.Layer ? `layer ${JSON.stringify(layer.name)}, which is already built` : show(layer)}`,
        });
      }
    }
    if (pair[0] === pair[1]) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: 'args.layer',
        value: given,
        message:
          'args.layer returned the same layer for both bands; each band needs its own layer (and weights): return a new one on every call',
      });
    }
    super({ ...(args as LayerArgs) });
    this.bandLayers = pair as [tfl.layers.Layer, tfl.layers.Layer];
    this.parts = [...this.bandLayers];
    this.trainable = this.trainable_;
  }

  private shapes(inputShape: Shape | Shape[]): Shape[] {
    const { high, low } = bandShapes(fn, inputShape);
    return low === null ? [high!] : [high!, low];
  }

  override build(inputShape: Shape | Shape[]): void {
    for (const [i, shape] of this.shapes(inputShape).entries()) {
      this.buildPart(this.bandLayers[i]!, shape);
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const out = this.shapes(inputShape).map((shape, i) => {
      const result = this.bandLayers[i]!.computeOutputShape(shape);
      if (Array.isArray(result[0])) {
        throw new ShapeMismatchError({
          functionName: fn,
          message: `layer ${JSON.stringify(this.bandLayers[i]!.name)} has several outputs; PerBand needs one output per band, got ${show(result)}`,
        });
      }
      return result as Shape;
    });
    return toOutput(out[0]!, out[1] ?? null);
  }

  override call(
    inputs: Tensor | Tensor[],
    kwargs: Parameters<tfl.layers.Layer['call']>[1],
  ): Tensor | Tensor[] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const { mask: _mask, ...rest } = kwargs ?? {};
    const out = list.map((x, i) => this.bandLayers[i]!.apply(x, rest) as Tensor);
    return toOutput(out[0]!, out[1] ?? null);
  }

  override getConfig(): serialization.ConfigDict {
    return {
      layer: this.bandLayers.map((layer) => ({
        className: layer.getClassName(),
        config: layer.getConfig(),
      })),
      ...super.getConfig(),
    };
  }

  /** Rebuilds both band layers from their configs. */
  static override fromConfig<T extends serialization.Serializable>(
    cls: serialization.SerializableConstructor<T>,
    config: serialization.ConfigDict,
  ): T {
    const forms = config.layer;
    if (!Array.isArray(forms) || forms.length !== 2) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: 'config.layer',
        value: forms,
        message: `a saved PerBand holds two layer configs [high, low], got ${show(forms)}`,
      });
    }
    const pair = forms.map((form, i) => deserializeLayer(fn, `config.layer[${i}]`, form));
    return new cls({ ...config, layer: pair });
  }
}
serialization.registerClass(PerBand);
