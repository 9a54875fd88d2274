import type { PathName } from '@octconv/core';
import { serialization } from '@tensorflow/tfjs-core';
import { checkArgs, fraction, integer, invalid, pair } from '../config/check';
import type {
  ConstraintOption,
  InitializerOption,
  RegularizerOption,
} from '../config/weight-options';
import type { LayerArgs } from '../octave/bands';
import { OctaveConv2D } from '../octave/octave-conv2d';

/**
 * Config of {@link KerasOctConv2D}: the Keras layer `OctConv2D` of koshian2/OctConv-TFKeras, in
 * the camelCase tfjs gives a converted model's snake_case config.
 */
export interface KerasOctConv2DArgs extends LayerArgs {
  /** Total output channels; `floor(filters · alpha)` of them are low (Python's `int()`). */
  filters: number;
  /** Low-band fraction of the output (the input bands come from the inputs). */
  alpha: number;
  /** Default `[3, 3]`. */
  kernelSize?: number | [number, number];
  /** Default `[1, 1]`; stride 2 convolves every path with stride 2 (`strideMode: 'conv'`). */
  strides?: number | [number, number];
  /** `'same'` (default), the only padding that keeps the bands' sizes related. */
  padding?: 'same' | 'valid';
  kernelInitializer?: InitializerOption;
  kernelRegularizer?: RegularizerOption;
  kernelConstraint?: ConstraintOption;
}

const KERAS_NAMES: Record<PathName, string> = {
  hh: 'high_to_high_kernel',
  hl: 'high_to_low_kernel',
  lh: 'low_to_high_kernel',
  ll: 'low_to_low_kernel',
};

/**
 * Loads models that use the Keras `OctConv2D` layer of koshian2/OctConv-TFKeras, once converted
 * with `tensorflowjs_converter --input_format keras`: registered under that class name, it reads
 * its config (`filters`, `alpha`, `kernel_size`, `strides`, `padding`, kernel initializer,
 * regularizer and constraint) and its weights `high_to_high_kernel`, `high_to_low_kernel`,
 * `low_to_high_kernel`, `low_to_low_kernel` (HWIO, no bias), and runs them with
 * {@link OctaveConv2D}: inputs `[high, low]`, outputs `[high, low]`.
 *
 * The two agree exactly where the Keras layer is defined (even sizes, since it pools 2×2 with
 * floor and upsamples ×2 without cropping): it splits `floor(filters · alpha)` channels low
 * (so α is passed on as that count over `filters`), and at stride 2 it convolves every path
 * with stride 2, which is `strideMode: 'conv'`.
 */
export class KerasOctConv2D extends OctaveConv2D {
  /** The name tfjs's serialization registers the class under (`OctConv2D` in a saved model). */
  static override className = 'OctConv2D';
  /** The Keras layer's `alpha`, as given. */
  readonly alpha: number;

  constructor(args: KerasOctConv2DArgs) {
    const fn = 'KerasOctConv2D';
    const a = checkArgs(fn, args, [
      'filters',
      'alpha',
      'kernelSize',
      'strides',
      'padding',
      'kernelInitializer',
      'kernelRegularizer',
      'kernelConstraint',
    ]);
    const filters = integer(fn, a, 'filters', 1);
    const alpha = fraction(fn, a, 'alpha', Number.NaN);
    const kernelSize = pair(fn, a, 'kernelSize', { min: 1, fallback: 3 });
    const strides = pair(fn, a, 'strides', { min: 1, fallback: 1, square: true, allowed: [1, 2] });
    const padding = a.padding ?? 'same';
    if (padding !== 'same' && padding !== 'valid') {
      invalid(fn, 'args.padding', a.padding, "'same' or 'valid'");
    }
    const { alpha: _alpha, filters: _filters, ...rest } = args;
    super({
      ...rest,
      filters,
      kernelSize,
      strides: strides[0],
      padding: padding as 'same' | 'valid',
      alphaOut: Math.floor(filters * alpha) / filters,
      strideMode: 'conv',
      useBias: false,
    });
    this.alpha = alpha;
    this.setWeightNames({ kernel: (path) => KERAS_NAMES[path], bias: (path) => `${path}_bias` });
  }

  override getConfig(): serialization.ConfigDict {
    const own = super.getConfig();
    return {
      filters: this.filters,
      alpha: this.alpha,
      kernelSize: [...this.kernelSize],
      strides: [this.strides, this.strides],
      padding: this.padding,
      kernelInitializer: own.kernelInitializer!,
      kernelRegularizer: own.kernelRegularizer!,
      kernelConstraint: own.kernelConstraint!,
      name: own.name!,
      trainable: own.trainable!,
      ...(own.batchInputShape !== undefined && { batchInputShape: own.batchInputShape }),
      ...(own.dtype !== undefined && { dtype: own.dtype }),
    };
  }
}
serialization.registerClass(KerasOctConv2D);
