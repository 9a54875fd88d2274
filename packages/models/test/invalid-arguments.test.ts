// One table, every public function and constructor of @octconv/models: a bad argument gives the
// documented error class with its stable code and a message that starts with the function's
// name and shows the offending value; a rejected call creates no tensor.

import { CheckpointError, InvalidArgumentError, ShapeMismatchError } from '@octconv/core';
import { nextTensorId, setupBackend } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BatchNorm2d,
  buildModule,
  Conv2d,
  FirstOctaveConv,
  LastOctaveConv,
  Linear,
  loadModule,
  loadTorchCheckpoint,
  MiniOctNet,
  OctaveBatchNorm2d,
  OctaveConv2d,
  OctaveConvBlock,
  octResNet,
  readTorchStateDict,
  saveModule,
  saveTorchCheckpoint,
  shapesAndTextures,
  trainStep,
} from '../src/index';
import { fileHandler } from '../src/node/index';

type ErrorClass = typeof InvalidArgumentError | typeof ShapeMismatchError | typeof CheckpointError;
const CODES = new Map<ErrorClass, string>([
  [InvalidArgumentError, 'ERR_OCTCONV_INVALID_ARGUMENT'],
  [ShapeMismatchError, 'ERR_OCTCONV_SHAPE_MISMATCH'],
  [CheckpointError, 'ERR_OCTCONV_CHECKPOINT'],
]);

function check(fn: string, error: unknown, kind: ErrorClass, shows: string): void {
  const label = `${fn}: ${String(error)}`;
  expect(kind.isInstance(error), label).toBe(true);
  expect((error as InvalidArgumentError).code, label).toBe(CODES.get(kind));
  expect((error as Error).message.startsWith(`${fn}: `), label).toBe(true);
  expect((error as Error).message, label).toContain(shows);
}

describe('invalid arguments of @octconv/models [cpu]', () => {
  beforeAll(() => setupBackend('cpu'));

  it('constructors, apply, describe, checkpoints, training and data', async () => {
    const net = new MiniOctNet({ random: 1 });
    const block = new OctaveConvBlock({ inChannels: 4, outChannels: 4, random: 1 });
    const image = tf.zeros([1, 8, 8, 5]) as tf.Tensor4D;
    const optimizer = tf.train.sgd(0.1);
    const disposed = new Linear({ inFeatures: 2, outFeatures: 2, random: 1 });
    disposed.dispose();
    const rows: [string, () => unknown, ErrorClass, string][] = [
      [
        'OctaveConv2d',
        () => new OctaveConv2d({ inChannels: 4, outChannels: -1 }),
        InvalidArgumentError,
        '-1',
      ],
      [
        'OctaveConv2d',
        () =>
          new OctaveConv2d(
            { inChannels: 4, outChannels: 4 },
            { names: { hh: 'a', hl: 'a', lh: 'b', ll: 'c' }, order: ['hh', 'hl', 'lh', 'll'] },
          ),
        InvalidArgumentError,
        'four distinct non-empty strings',
      ],
      [
        'OctResNet',
        () => octResNet({ depth: 26, alpha: 0.3, variant: 'd-li14' }),
        InvalidArgumentError,
        "options.alpha 0.3 does not fit variant 'd-li14'",
      ],
      [
        'FirstOctaveConv',
        () => new FirstOctaveConv({ inChannels: 3, outChannels: 4, kernelSize: 0 }),
        InvalidArgumentError,
        '0',
      ],
      [
        'LastOctaveConv',
        () => new LastOctaveConv({ inChannels: 4, outChannels: 4, strideMode: 'max' as 'pool' }),
        InvalidArgumentError,
        '"max"',
      ],
      [
        'Conv2d',
        () => new Conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3, groups: 2 }),
        InvalidArgumentError,
        '2',
      ],
      [
        'BatchNorm2d',
        () => new BatchNorm2d({ numFeatures: 4, eps: -1 }),
        InvalidArgumentError,
        '-1',
      ],
      [
        'OctaveBatchNorm2d',
        () => new OctaveBatchNorm2d({ channels: 4, alpha: 2 }),
        InvalidArgumentError,
        '2',
      ],
      [
        'Linear',
        () => new Linear({ inFeatures: 4, outFeatures: 2, bias: 'yes' as unknown as boolean }),
        InvalidArgumentError,
        '"yes"',
      ],
      [
        'OctaveConvBlock',
        () => new OctaveConvBlock({ inChannels: 4, outChannels: 4, stride: 4 as 2 }),
        InvalidArgumentError,
        '4',
      ],
      ['MiniOctNet', () => new MiniOctNet({ numClasses: 0 }), InvalidArgumentError, '0'],
      ['OctResNet', () => octResNet({ depth: 34 as 50, alpha: 0.5 }), InvalidArgumentError, '34'],
      ['MiniOctNet.apply', () => net.apply(image), ShapeMismatchError, '5]'],
      [
        'MiniOctNet.describe',
        () => net.describe({ height: 0, width: 8 }),
        InvalidArgumentError,
        '0',
      ],
      [
        'OctaveConvBlock.apply',
        () => block.apply({ high: image, low: null }),
        ShapeMismatchError,
        '[1, 8, 8, 5]',
      ],
      [
        'Linear.apply',
        () => disposed.apply(tf.zeros([1, 2]) as tf.Tensor2D),
        InvalidArgumentError,
        'disposed',
      ],
      [
        'loadTorchCheckpoint',
        () => loadTorchCheckpoint(net, new Uint8Array(3)),
        CheckpointError,
        '3 bytes',
      ],
      [
        'loadTorchCheckpoint',
        () => loadTorchCheckpoint(net, new Uint8Array(3), { key: 42 as unknown as string }),
        InvalidArgumentError,
        '42',
      ],
      [
        'readTorchStateDict',
        () => readTorchStateDict(new TextEncoder().encode('{"a": 1}')),
        CheckpointError,
        'JSON',
      ],
      [
        'buildModule',
        () => buildModule({ className: 'MiniOctNet' } as Parameters<typeof buildModule>[0]),
        InvalidArgumentError,
        'className, options',
      ],
      ['trainStep', () => trainStep(net, optimizer, image, [0]), ShapeMismatchError, '5]'],
      [
        'shapesAndTextures',
        () => shapesAndTextures({ count: 10, size: 8 }),
        InvalidArgumentError,
        '8',
      ],
      ['fileHandler', () => fileHandler(''), InvalidArgumentError, 'path'],
    ];
    for (const [fn, call, kind, shows] of rows) {
      const start = nextTensorId();
      let error: unknown;
      try {
        call();
      } catch (caught) {
        error = caught;
      }
      check(fn, error, kind, shows);
      // Linear.apply's own input tensor is the row's; every other rejected call creates nothing.
      if (fn !== 'Linear.apply') expect(nextTensorId(), fn).toBe(start + 1);
    }
    check(
      'saveTorchCheckpoint',
      await saveTorchCheckpoint(disposed).catch((e: unknown) => e),
      InvalidArgumentError,
      'disposed',
    );
    check(
      'saveModule',
      await saveModule(net, 'nowhere://x').catch((e: unknown) => e),
      InvalidArgumentError,
      'nowhere://x',
    );
    check(
      'loadModule',
      await loadModule(net, 42 as unknown as string).catch((e: unknown) => e),
      InvalidArgumentError,
      'number',
    );
    check(
      'loadModule',
      await loadModule('nowhere://x').catch((e: unknown) => e),
      InvalidArgumentError,
      'nowhere://x',
    );
    tf.dispose(image);
    optimizer.dispose();
    net.dispose();
    block.dispose();
  });
});
