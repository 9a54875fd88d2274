// A model using koshian2/OctConv-TFKeras's Keras `OctConv2D`, as tensorflowjs_converter writes
// it (snake_case Keras config, weights under the layer's own names, no bias), loads with
// tf.loadLayersModel once @octconv/layers is imported, and computes what octaveConv2d computes
// with those weights in strideMode 'conv' (the Keras layer strides every path).

import { octaveConv2d } from '@octconv/core';
import { assertClose, describeEachBackend, read } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { KerasOctConv2D } from '../src/index';

function kerasModel(strides: number): tf.io.ModelArtifacts {
  const input = (name: string, shape: number[]) => ({
    class_name: 'InputLayer',
    config: { batch_input_shape: [null, ...shape], dtype: 'float32', sparse: false, name },
    name,
    inbound_nodes: [],
  });
  const topology = {
    class_name: 'Model',
    config: {
      name: 'octconv_keras',
      layers: [
        input('high', [8, 8, 4]),
        input('low', [4, 4, 4]),
        {
          class_name: 'OctConv2D',
          config: {
            name: 'oct_conv2d_1',
            trainable: true,
            filters: 6,
            alpha: 0.3,
            kernel_size: [3, 3],
            strides: [strides, strides],
            padding: 'same',
            kernel_initializer: 'glorot_uniform',
            kernel_regularizer: null,
            kernel_constraint: null,
          },
          name: 'oct_conv2d_1',
          inbound_nodes: [
            [
              ['high', 0, 0, {}],
              ['low', 0, 0, {}],
            ],
          ],
        },
      ],
      input_layers: [
        ['high', 0, 0],
        ['low', 0, 0],
      ],
      output_layers: [
        ['oct_conv2d_1', 0, 0],
        ['oct_conv2d_1', 0, 1],
      ],
    },
    keras_version: '2.2.4',
    backend: 'tensorflow',
  };
  // floor(6 · 0.3) = 1 low output channel (round-half-even would give 2), 5 high.
  const shapes: [string, number[]][] = [
    ['high_to_high_kernel', [3, 3, 4, 5]],
    ['high_to_low_kernel', [3, 3, 4, 1]],
    ['low_to_high_kernel', [3, 3, 4, 5]],
    ['low_to_low_kernel', [3, 3, 4, 1]],
  ];
  let seed = 1;
  const values = shapes.map(([, shape]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    return Float32Array.from({ length: size }, () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647 - 0.5;
    });
  });
  const data = new Float32Array(values.reduce((sum, v) => sum + v.length, 0));
  let offset = 0;
  for (const v of values) {
    data.set(v, offset);
    offset += v.length;
  }
  return {
    modelTopology: topology as unknown as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs: shapes.map(([name, shape]) => ({
      name: `oct_conv2d_1/${name}`,
      shape,
      dtype: 'float32' as const,
    })),
    weightData: data.buffer,
  };
}

await describeEachBackend('Keras OctConv2D (koshian2/OctConv-TFKeras)', (backend) => {
  it.each([1, 2])(
    'a converted model loads and equals octaveConv2d (stride %i)',
    async (strides) => {
      const artifacts = kerasModel(strides);
      const model = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
      const layer = model.getLayer('oct_conv2d_1') as KerasOctConv2D;
      expect(layer).toBeInstanceOf(KerasOctConv2D);
      expect(layer.getConfig()).toMatchObject({ filters: 6, alpha: 0.3, kernelSize: [3, 3] });
      const high = tf.randomNormal([2, 8, 8, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
      const low = tf.randomNormal([2, 4, 4, 4], 0, 1, 'float32', 4) as tf.Tensor4D;
      const [yHigh, yLow] = model.predict([high, low]) as tf.Tensor[];
      const weights = layer.octaveWeights();
      const names = layer.weights.map((w) => w.originalName);
      expect(names).toEqual([
        'oct_conv2d_1/high_to_high_kernel',
        'oct_conv2d_1/high_to_low_kernel',
        'oct_conv2d_1/low_to_high_kernel',
        'oct_conv2d_1/low_to_low_kernel',
      ]);
      const expected = octaveConv2d({ high, low }, weights, {
        stride: strides as 1 | 2,
        padding: 'same',
        strideMode: 'conv',
      });
      const half = 8 / strides;
      expect(yHigh!.shape).toEqual([2, half, half, 5]);
      expect(yLow!.shape).toEqual([2, half / 2, half / 2, 1]);
      assertClose('high', await read(yHigh!), await read(expected.high!), backend.tolerance);
      assertClose('low', await read(yLow!), await read(expected.low!), backend.tolerance);
      // The file's own weights, not an initialisation.
      const kernel = await read(weights.hh!.filter);
      expect(kernel[0]).toBeCloseTo(new Float32Array(artifacts.weightData as ArrayBuffer)[0]!, 6);
      tf.dispose([high, low, yHigh!, yLow!, expected.high!, expected.low!]);
      model.dispose();
    },
  );
});
