import { countNewTensors, describeEachBackend } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { diagnoseNonFinite, type OctaveConvWeights } from '../index';

function layer(
  fill: { high?: number; low?: number; lh?: number; hh?: number; hl?: number; ll?: number } = {},
) {
  const high = tf.fill([1, 4, 4, 2], fill.high ?? 0.5) as tf.Tensor4D;
  const low = tf.fill([1, 2, 2, 2], fill.low ?? 0.5) as tf.Tensor4D;
  const filter = (value: number) => tf.fill([1, 1, 2, 2], value) as tf.Tensor4D;
  // A path filled with 0 is left out (a last layer), so only the other paths run.
  const weights: OctaveConvWeights = {};
  for (const path of ['hh', 'hl', 'lh', 'll'] as const) {
    if (fill[path] !== 0) weights[path] = { filter: filter(fill[path] ?? 1) };
  }
  const dispose = () => tf.dispose([high, low, ...Object.values(weights).map((w) => w!.filter)]);
  return { x: { high, low }, weights, dispose };
}

await describeEachBackend('diagnoseNonFinite', () => {
  it('finds the first non-finite input, weight, path or output band, and leaks nothing', async () => {
    const cases: [Parameters<typeof layer>[0], unknown][] = [
      [{}, null],
      [{ low: Number.NaN }, { stage: 'input', band: 'low', count: 8 }],
      [
        { lh: Number.POSITIVE_INFINITY },
        {
          stage: 'weights',
          path: 'lh',
          tensor: 'filter',
          count: 4,
          first: Number.POSITIVE_INFINITY,
        },
      ],
      // 2 channels × 1e38 × 2 overflows float32 in H→H alone.
      [
        { high: 1e38, hh: 2 },
        { stage: 'path', path: 'hh', band: 'high' },
      ],
      // Each path is finite (2 × 1e38 × 0.75), their sum is not.
      [
        { high: 1e38, low: 1e38, hh: 0.9, lh: 0.9, hl: 0, ll: 0 },
        { stage: 'output', band: 'high' },
      ],
    ];
    for (const [fill, expected] of cases) {
      const { x, weights, dispose } = layer(fill);
      const { result, leaked } = await countNewTensors(() =>
        diagnoseNonFinite(x, weights, { padding: 0 }),
      );
      expect(leaked, JSON.stringify(fill)).toBe(0);
      if (expected === null) expect(result).toBeNull();
      else expect(result, JSON.stringify(fill)).toMatchObject(expected as object);
      dispose();
    }
  });
});
