// WebGPU device loss (Dawn: device.destroy()): the next op fails at once with a typed error
// naming the backend and what to do; the benchmark records the loss and goes on with the other
// backends; startBackend('webgpu') afterwards starts a new device and work succeeds again.

import { octaveConv2d, UnsupportedBackendError } from '@octconv/core';
import { OctaveConvBlock } from '@octconv/models';
import { testBackends } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  type BenchCase,
  runBenchmark,
  selectCases,
  startBackend,
  webgpuDeviceLost,
} from '../src/index';

const webgpu = (await testBackends()).find((backend) => backend.name === 'webgpu');

async function destroyDevice(): Promise<void> {
  const device = (
    tf.backend() as unknown as { device: { destroy(): void; lost: Promise<unknown> } }
  ).device;
  device.destroy();
  await device.lost;
  await new Promise((resolve) => setTimeout(resolve, 0));
}

describe.skipIf(!webgpu?.available)('WebGPU device loss [webgpu]', () => {
  it('fails the next op typed, lets the bench go on with cpu, and recovers on restart', async () => {
    expect((await startBackend('webgpu')).available).toBe(true);
    const high = tf.ones([1, 4, 4, 2]) as tf.Tensor4D;
    const filter = tf.ones([1, 1, 2, 2]) as tf.Tensor4D;
    expect(
      Array.from(
        await octaveConv2d({ high, low: null }, { hh: { filter } }, { padding: 0 }).high!.data(),
      ).slice(0, 2),
    ).toEqual([2, 2]);

    await destroyDevice();
    expect(webgpuDeviceLost()).toContain('destroyed');
    let error: unknown;
    try {
      octaveConv2d({ high, low: null }, { hh: { filter } }, { padding: 0 });
    } catch (caught) {
      error = caught;
    }
    expect(UnsupportedBackendError.isInstance(error), String(error)).toBe(true);
    expect((error as UnsupportedBackendError).backend).toBe('webgpu');
    expect(String(error)).toMatch(
      /octaveConv2d: the webgpu device was lost \(destroyed.*start the backend again/,
    );

    // A device lost in the middle of a benchmark: the case that lost it and the rest of webgpu are
    // recorded as failures, cpu still runs.
    const [layer] = selectCases('default', ['layer-c256-s14-a0.5']);
    const losing: BenchCase = {
      ...layer!,
      id: 'loses-the-device',
      setup: (seed) => {
        const prepared = layer!.setup(seed);
        return {
          ...prepared,
          octave: () => {
            (tf.backend() as unknown as { device?: { destroy(): void } }).device?.destroy();
            return prepared.octave();
          },
        };
      },
    };
    const result = await runBenchmark({
      cases: [losing, layer!],
      backends: ['webgpu', 'cpu'],
      warmup: 1,
      runs: 1,
    });
    expect(result.failures.map((f) => f.backend)).toEqual(['webgpu']);
    expect(result.failures[0]!.error).toContain('the webgpu device was lost');
    expect(result.results.map((r) => `${r.caseId}@${r.backend}`)).toEqual([
      'loses-the-device@cpu',
      'layer-c256-s14-a0.5@cpu',
    ]);

    // Recovery: a new device, and models made afterwards run.
    const facts = await startBackend('webgpu');
    expect(facts.available, facts.reason).toBe(true);
    expect(webgpuDeviceLost()).toBeNull();
    const block = new OctaveConvBlock({ inChannels: 4, outChannels: 4, random: 1 }).eval();
    const x = {
      high: tf.ones([1, 6, 6, 2]) as tf.Tensor4D,
      low: tf.ones([1, 3, 3, 2]) as tf.Tensor4D,
    };
    const y = block.apply(x);
    expect((await y.high!.data()).every(Number.isFinite)).toBe(true);
    tf.dispose([x.high, x.low, y.high!, y.low!]);
    block.dispose();
  });
});
