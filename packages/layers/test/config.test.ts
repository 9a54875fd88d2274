// Configs: getConfig → fromConfig round-trips every field (initializers, regularizers and
// constraints in tfjs's serialized form), and a bad config is a typed error of the
// invalid-argument table that creates no tensor.

import { CheckpointError, InvalidArgumentError, ShapeMismatchError } from '@octconv/core';
import { nextTensorId, setupBackend } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  copyMiniOctNetWeights,
  KerasOctConv2D,
  miniOctNetModel,
  OctaveConv2D,
  OctaveMerge,
  OctaveSplit,
} from '../src/index';

type ErrorClass = typeof InvalidArgumentError | typeof ShapeMismatchError | typeof CheckpointError;
const CODES = new Map<ErrorClass, string>([
  [InvalidArgumentError, 'ERR_OCTCONV_INVALID_ARGUMENT'],
  [ShapeMismatchError, 'ERR_OCTCONV_SHAPE_MISMATCH'],
  [CheckpointError, 'ERR_OCTCONV_CHECKPOINT'],
]);

function roundTrip<T extends tf.serialization.Serializable>(
  cls: tf.serialization.SerializableConstructor<T>,
  layer: T,
): T {
  const config = JSON.parse(JSON.stringify(layer.getConfig()));
  return cls.fromConfig(cls, config);
}

describe('@octconv/layers configs [cpu]', () => {
  beforeAll(() => setupBackend('cpu'));

  it('getConfig → fromConfig round-trips OctaveConv2D, OctaveSplit, OctaveMerge and KerasOctConv2D', () => {
    const conv = new OctaveConv2D({
      name: 'oct_a',
      filters: 12,
      kernelSize: [3, 1],
      alphaIn: 0.25,
      alphaOut: 0.75,
      strides: 2,
      padding: 1,
      strideMode: 'conv',
      groups: 2,
      useBias: false,
      kernelInitializer: 'heNormal',
      biasInitializer: tfl.initializers.constant({ value: 0.5 }),
      kernelRegularizer: tfl.regularizers.l2({ l2: 0.003 }),
      activityRegularizer: 'l1l2',
      kernelConstraint: 'maxNorm',
      trainable: false,
    });
    const config = conv.getConfig();
    expect(config).toMatchObject({
      filters: 12,
      kernelSize: [3, 1],
      alphaIn: 0.25,
      alphaOut: 0.75,
      strides: 2,
      padding: 1,
      strideMode: 'conv',
      groups: 2,
      depthwise: false,
      useBias: false,
      name: 'oct_a',
      trainable: false,
      kernelInitializer: { className: 'VarianceScaling' },
      biasInitializer: { className: 'Constant', config: { value: 0.5 } },
      kernelRegularizer: { className: 'L1L2', config: { l1: 0, l2: 0.003 } },
      kernelConstraint: { className: 'MaxNorm' },
    });
    const clone = roundTrip(OctaveConv2D, conv);
    expect(clone).toBeInstanceOf(OctaveConv2D);
    expect(clone.getConfig()).toEqual(config);
    const depthwise = new OctaveConv2D({
      filters: 8,
      kernelSize: 3,
      depthwise: true,
      dilationRate: [2, 2],
    });
    expect(roundTrip(OctaveConv2D, depthwise).getConfig()).toEqual(depthwise.getConfig());

    const split = new OctaveSplit({ alpha: 0.125, name: 'split_a' });
    expect(roundTrip(OctaveSplit, split).getConfig()).toEqual(split.getConfig());
    expect(split.getConfig()).toMatchObject({ alpha: 0.125, name: 'split_a' });
    const merge = new OctaveMerge({ name: 'merge_a' });
    expect(roundTrip(OctaveMerge, merge).getConfig()).toEqual(merge.getConfig());
    const keras = new KerasOctConv2D({
      filters: 6,
      alpha: 0.3,
      kernelSize: [3, 3],
      name: 'keras_a',
    });
    expect(keras.getConfig()).toMatchObject({
      filters: 6,
      alpha: 0.3,
      strides: [1, 1],
      padding: 'same',
    });
    expect(roundTrip(KerasOctConv2D, keras).getConfig()).toEqual(keras.getConfig());
  });

  it('bad configs and inputs are typed errors naming the function and value, creating no tensor', () => {
    const single = tf.zeros([1, 8, 8, 4]) as tf.Tensor4D;
    const pair = [tf.zeros([1, 8, 8, 4]), tf.zeros([1, 4, 4, 4])] as tf.Tensor4D[];
    const rows: [string, () => unknown, ErrorClass, string][] = [
      [
        'OctaveConv2D',
        () => new OctaveConv2D({ filters: 0, kernelSize: 3 }),
        InvalidArgumentError,
        'args.filters',
      ],
      [
        'OctaveConv2D',
        () => new OctaveConv2D({ filters: 4 } as never),
        InvalidArgumentError,
        'args.kernelSize',
      ],
      [
        'OctaveConv2D',
        () => new OctaveConv2D({ filters: 4, kernelSize: 3, strides: 3 }),
        InvalidArgumentError,
        'one of 1, 2',
      ],
      [
        'OctaveConv2D',
        () => new OctaveConv2D({ filters: 4, kernelSize: 3, strides: [1, 2] }),
        InvalidArgumentError,
        '[1, 2]',
      ],
      [
        'OctaveConv2D',
        () => new OctaveConv2D({ filters: 4, kernelSize: 3, padding: 'causal' as never }),
        InvalidArgumentError,
        '"causal"',
      ],
      [
        'OctaveConv2D',
        () => new OctaveConv2D({ filters: 4, kernelSize: 3, strideMode: 'max' as never }),
        InvalidArgumentError,
        '"max"',
      ],
      [
        'OctaveConv2D',
        () => new OctaveConv2D({ filters: 4, kernelSize: 3, alphaOut: 1.5 }),
        InvalidArgumentError,
        '1.5',
      ],
      [
        'OctaveConv2D',
        () => new OctaveConv2D({ filters: 4, kernelSize: 3, dataFormat: 'channelsFirst' as never }),
        InvalidArgumentError,
        'channelsLast',
      ],
      [
        'OctaveConv2D',
        () => new OctaveConv2D({ filters: 4, kernelSize: 3, kernelInitializer: 'noSuchInit' }),
        InvalidArgumentError,
        'args.kernelInitializer',
      ],
      [
        'OctaveConv2D',
        () =>
          new OctaveConv2D({
            filters: 4,
            kernelSize: 3,
            // A valid instance first: the bad serialized option after it takes the blame.
            kernelInitializer: tfl.initializers.heNormal({ seed: 1 }),
            biasConstraint: { className: 'NoSuchConstraint', config: {} } as never,
          }),
        InvalidArgumentError,
        'args.biasConstraint',
      ],
      [
        'OctaveConv2D',
        () => new OctaveConv2D({ filters: 4, kernelSize: 3, depthwise: true, groups: 2 }),
        InvalidArgumentError,
        'exclusive',
      ],
      [
        'OctaveConv2D',
        () => new OctaveConv2D({ filters: 4, kernelSize: 3, alpha: 0.5 } as never),
        InvalidArgumentError,
        'args.alpha',
      ],
      [
        'OctaveConv2D',
        () => new OctaveConv2D({ filters: 4, kernelSize: 3, dtype: 'int32' }),
        InvalidArgumentError,
        'float32',
      ],
      [
        'OctaveConv2D',
        () =>
          new OctaveConv2D({
            filters: 4,
            kernelSize: 3,
            strides: 2,
            strideMode: 'conv',
            dilationRate: 2,
          }),
        InvalidArgumentError,
        'dilationRate',
      ],
      [
        'OctaveConv2D',
        () => new OctaveConv2D({ filters: 4, kernelSize: 3, alphaIn: 0.5 }).apply(single),
        ShapeMismatchError,
        'a single input is α_in = 0',
      ],
      [
        'OctaveConv2D',
        () => new OctaveConv2D({ filters: 4, kernelSize: 3, padding: 'valid' }).apply(pair),
        InvalidArgumentError,
        'padding',
      ],
      [
        'OctaveConv2D',
        () => new OctaveConv2D({ filters: 6, kernelSize: 3, groups: 3 }).apply(pair),
        InvalidArgumentError,
        'groups',
      ],
      [
        'OctaveConv2D',
        () => new OctaveConv2D({ filters: 4, kernelSize: 3 }).apply([...pair, single]),
        ShapeMismatchError,
        '[high, low]',
      ],
      [
        'OctaveConv2D',
        () => new OctaveConv2D({ filters: 4, kernelSize: 3 }).apply([pair[0]!, pair[0]!]),
        ShapeMismatchError,
        'half size',
      ],
      ['OctaveSplit', () => new OctaveSplit({ alpha: 2 }), InvalidArgumentError, 'args.alpha'],
      [
        'OctaveSplit',
        () => new OctaveSplit({ alpha: 0.01 }).apply(single),
        ShapeMismatchError,
        'both bands need',
      ],
      ['OctaveMerge', () => new OctaveMerge().apply(single), ShapeMismatchError, '[high'],
      ['miniOctNetModel', () => miniOctNetModel({ alpha: 0 }), InvalidArgumentError, 'args.alpha'],
      [
        'miniOctNetModel',
        () => miniOctNetModel({ numClasses: 0 }),
        InvalidArgumentError,
        'args.numClasses',
      ],
      [
        'copyMiniOctNetWeights',
        () => copyMiniOctNetWeights(1 as never, 2 as never),
        InvalidArgumentError,
        'MiniOctNet',
      ],
      [
        'KerasOctConv2D',
        () => new KerasOctConv2D({ filters: 4 } as never),
        InvalidArgumentError,
        'args.alpha',
      ],
    ];
    for (const [fn, call, kind, shows] of rows) {
      const start = nextTensorId();
      let error: unknown;
      try {
        call();
      } catch (caught) {
        error = caught;
      }
      const label = `${fn} (${shows}): ${String(error)}`;
      expect(nextTensorId(), label).toBe(start + 1);
      expect(kind.isInstance(error), label).toBe(true);
      expect((error as InvalidArgumentError).code, label).toBe(CODES.get(kind));
      expect((error as Error).message.startsWith(`${fn}: `), label).toBe(true);
      expect((error as Error).message, label).toContain(shows);
    }
    tf.dispose([single, ...pair]);
  });
});
