// Strict TypeScript consumer of @octconv/layers. Checked with skipLibCheck: @tensorflow/tfjs-layers
// 4.22's own declarations do not compile under skipLibCheck: false (TS2411 in keras_format/*.d.ts,
// TS2420 in engine/training.d.ts), whoever imports them; this file's own code is checked strictly.

import {
  copyMiniOctNetWeights,
  KerasOctConv2D,
  miniOctNetModel,
  type OctaveConv2DArgs,
  OctaveSplit,
  layers as octaveLayers,
} from '@octconv/layers';
import { MiniOctNet } from '@octconv/models';
import * as tf from '@tensorflow/tfjs';

export function check(): number {
  const args: OctaveConv2DArgs = {
    filters: 8,
    kernelSize: 3,
    alphaOut: 0.25,
    kernelRegularizer: 'l1l2',
  };
  const image = tf.input({ shape: [16, 16, 3] });
  const bands = octaveLayers.octaveConv2d(args).apply(image) as tf.SymbolicTensor[];
  const merged = octaveLayers.octaveMerge().apply(bands) as tf.SymbolicTensor;
  const model: tf.LayersModel = miniOctNetModel({ numClasses: 4 });
  copyMiniOctNetWeights(new MiniOctNet({ numClasses: 4 }), model);
  const keras = new KerasOctConv2D({ filters: 4, alpha: 0.5 });
  const split = new OctaveSplit({ alpha: 0.25 });
  return merged.shape.length + model.countParams() + keras.filters + split.alpha;
}
