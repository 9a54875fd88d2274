import { InvalidArgumentError, splitChannels } from '@octconv/core';
import * as tfl from '@tensorflow/tfjs-layers';
import { checkArgs, fraction, integer } from '../config/check';
import { OctaveConv2D } from '../octave/octave-conv2d';
import { OctaveMerge } from '../octave/octave-merge';
import { OctaveSplit } from '../octave/octave-split';

/** Options of {@link miniOctNetModel}; defaults are the seed notebook's, as `MiniOctNet`'s. */
export interface MiniOctNetModelOptions {
  /** Image height and width the model is built for; default `null` (any size). */
  size?: number | null;
  /** Image channels; default 3. */
  inChannels?: number;
  /** Default 10. */
  numClasses?: number;
  /** Low-band fraction of both OctConv blocks; default 0.5. Both bands need channels. */
  alpha?: number;
  /** The model's name; default `'mini_oct_net'`. */
  name?: string;
}

const BN = { epsilon: 1e-5, momentum: 0.9 } as const;

/**
 * The seed's `MiniOctNet` as a functional `tf.model` of tfjs layers and this package's octave
 * layers: `stem_conv` (3×3, 64, no bias; an OctaveConv2D with one band in and out), `stem_bn`, ReLU, `split`, two blocks (`b1`/`b2`:
 * `*_oct` OctaveConv2D without bias, `*_bn_h`/`*_bn_l` batch norm per band, ReLU per band),
 * `merge`, global average pool, `fc`. Outputs logits `[batch, numClasses]`.
 *
 * Its 224,842 trainable parameters are `MiniOctNet`'s (tfjs also counts the batch norms'
 * 640 moving statistics in `countParams()`); batch norm uses PyTorch's ε = 1e-5 and momentum
 * 0.1 (tfjs's 0.9). {@link copyMiniOctNetWeights} moves weights between the two forms.
 */
export function miniOctNetModel(options: MiniOctNetModelOptions = {}): tfl.LayersModel {
  const fn = 'miniOctNetModel';
  const o = checkArgs(fn, options, ['size', 'inChannels', 'numClasses', 'alpha', 'name'], false);
  const size = o.size === undefined || o.size === null ? null : integer(fn, o, 'size', 1);
  const inChannels = integer(fn, o, 'inChannels', 1, 3);
  const numClasses = integer(fn, o, 'numClasses', 1, 10);
  const alpha = fraction(fn, o, 'alpha', 0.5);
  const name = o.name ?? 'mini_oct_net';
  if (typeof name !== 'string' || name === '') {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'args.name',
      value: name,
      message: `args.name must be a non-empty string, got ${String(name)}`,
    });
  }
  for (const channels of [64, 128]) {
    const split = splitChannels(channels, alpha);
    if (split.high === 0 || split.low === 0) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: 'args.alpha',
        value: alpha,
        message: `args.alpha ${alpha} leaves a band of ${channels} channels empty; the layers form needs both bands (0 < round(${channels} · alpha) < ${channels})`,
      });
    }
  }
  const input = tfl.input({ shape: [size, size, inChannels], name: `${name}_input` });
  const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]) =>
    layer.apply(x) as tfl.SymbolicTensor | tfl.SymbolicTensor[];
  // The stem is a plain 3×3 convolution, written as an OctConv with one band in and out (only
  // its H→H path exists): tf.layers.conv2d cannot train on tfjs-backend-wasm 4.22, which has no
  // Conv2DBackpropFilter kernel, while @octconv/core's convolution has its own gradients there.
  let x = apply(
    new OctaveConv2D({
      name: 'stem_conv',
      filters: 64,
      kernelSize: 3,
      alphaOut: 0,
      padding: 1,
      useBias: false,
    }),
    input,
  ) as tfl.SymbolicTensor;
  x = apply(tfl.layers.batchNormalization({ name: 'stem_bn', ...BN }), x) as tfl.SymbolicTensor;
  x = apply(tfl.layers.reLU({ name: 'stem_relu' }), x) as tfl.SymbolicTensor;
  let bands = apply(new OctaveSplit({ name: 'split', alpha }), x) as tfl.SymbolicTensor[];
  for (const [block, filters] of [
    ['b1', 128],
    ['b2', 128],
  ] as const) {
    const [high, low] = apply(
      new OctaveConv2D({
        name: `${block}_oct`,
        filters,
        kernelSize: 3,
        alphaIn: alpha,
        alphaOut: alpha,
        padding: 1,
        useBias: false,
      }),
      bands,
    ) as tfl.SymbolicTensor[];
    bands = (['h', 'l'] as const).map((band, i) => {
      const normed = apply(
        tfl.layers.batchNormalization({ name: `${block}_bn_${band}`, ...BN }),
        [high, low][i]!,
      );
      return apply(
        tfl.layers.reLU({ name: `${block}_relu_${band}` }),
        normed,
      ) as tfl.SymbolicTensor;
    });
  }
  x = apply(new OctaveMerge({ name: 'merge' }), bands) as tfl.SymbolicTensor;
  x = apply(tfl.layers.globalAveragePooling2d({ name: 'pool' }), x) as tfl.SymbolicTensor;
  const logits = apply(
    tfl.layers.dense({ name: 'fc', units: numClasses }),
    x,
  ) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logits, name });
}
