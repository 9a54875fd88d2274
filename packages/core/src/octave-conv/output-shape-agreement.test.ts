// octaveConvOutputShape promises the shapes octaveConv2d returns, and the same refusals: checked
// on random layers (α incl. 0, 1 and rounding ties, odd sizes, non-square kernels, both stride
// modes, padding that is valid or not, depthwise) against real forwards on cpu.

import { setupBackend } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type OctaveConvWeights,
  OctconvError,
  octaveConv2d,
  octaveConvOutputShape,
  splitChannels,
} from '../index';

describe('octaveConvOutputShape agrees with octaveConv2d', () => {
  beforeAll(() => setupBackend('cpu'));

  it('on random layers: same shapes, or the same error', () => {
    const specs = fc.record({
      batch: fc.integer({ min: 1, max: 2 }),
      height: fc.integer({ min: 1, max: 11 }),
      width: fc.integer({ min: 1, max: 11 }),
      inChannels: fc.integer({ min: 1, max: 8 }),
      outChannels: fc.integer({ min: 1, max: 8 }),
      alphaIn: fc.constantFrom(0, 0.25, 0.5, 0.75, 1),
      alphaOut: fc.constantFrom(0, 0.25, 0.5, 0.75, 1),
      kernelSize: fc.oneof(
        fc.constantFrom(1, 3, 5),
        fc.tuple(fc.constantFrom(1, 2, 3), fc.constantFrom(1, 2, 3)),
      ),
      stride: fc.constantFrom(1 as const, 2 as const),
      strideMode: fc.constantFrom('pool' as const, 'conv' as const),
      padding: fc.oneof(fc.constant('same' as const), fc.integer({ min: 0, max: 2 })),
      depthwise: fc.boolean(),
    });
    fc.assert(
      fc.property(specs, ({ depthwise, ...spec }) => {
        const groups = depthwise ? spec.inChannels : 1;
        const layer = { ...spec, groups };
        const inSplit = splitChannels(spec.inChannels, spec.alphaIn);
        const outSplit = splitChannels(spec.outChannels, spec.alphaOut);
        const [kh, kw] =
          typeof spec.kernelSize === 'number'
            ? [spec.kernelSize, spec.kernelSize]
            : spec.kernelSize;
        const isDepthwise = groups > 1;
        const made: tf.Tensor[] = [];
        const band = (c: number, h: number, w: number) => {
          if (c === 0) return null;
          const t = tf.zeros([spec.batch, h, w, c]) as tf.Tensor4D;
          made.push(t);
          return t;
        };
        const x = {
          high: band(inSplit.high, spec.height, spec.width),
          low: band(inSplit.low, Math.ceil(spec.height / 2), Math.ceil(spec.width / 2)),
        };
        const weights: OctaveConvWeights = {};
        for (const [name, from, to] of [
          ['hh', 'high', 'high'],
          ['hl', 'high', 'low'],
          ['lh', 'low', 'high'],
          ['ll', 'low', 'low'],
        ] as const) {
          const cin = inSplit[from];
          const cout = outSplit[to];
          if (cin === 0 || cout === 0 || (isDepthwise && from !== to)) continue;
          const filter = tf.zeros([kh, kw, isDepthwise ? 1 : cin, cout]) as tf.Tensor4D;
          made.push(filter);
          weights[name] = { filter };
        }
        const options = {
          stride: spec.stride,
          strideMode: spec.strideMode,
          padding: spec.padding,
          groups,
        };
        const outcome = (fn: () => { high: unknown; low: unknown }) => {
          try {
            return fn();
          } catch (error) {
            if (!OctconvError.isInstance(error)) throw error;
            return { error: `${error.code} ${error.message.replace(/^\w+: /, '')}` };
          }
        };
        const planned = outcome(() => octaveConvOutputShape(layer).output);
        const ran = outcome(() => {
          const y = octaveConv2d(x, weights, options);
          made.push(...[y.high, y.low].filter((t): t is tf.Tensor4D => t !== null));
          return { high: y.high?.shape ?? null, low: y.low?.shape ?? null };
        });
        tf.dispose(made);
        // Weights cannot express a layer whose bands no path connects (e.g. a depthwise layer that
        // changes α): the spec must be refused, and the op ran some other layer.
        const used = { high: false, low: false };
        const fed = { high: false, low: false };
        for (const name of Object.keys(weights)) {
          used[name[0] === 'h' ? 'high' : 'low'] = true;
          fed[name[1] === 'h' ? 'high' : 'low'] = true;
        }
        const representable = (['high', 'low'] as const).every(
          (b) => (inSplit[b] === 0 || used[b]) && (outSplit[b] === 0 || fed[b]),
        );
        if (!representable) {
          expect(planned).toHaveProperty('error');
          return;
        }
        // Both refuse or both succeed. Refusals about geometry (padding, empty outputs) read the
        // same; channel problems are seen from the spec by one and from the weights by the other.
        expect('error' in ran, JSON.stringify({ planned, ran })).toBe('error' in planned);
        if ('error' in ran && /padding/.test(ran.error)) expect(planned).toEqual(ran);
        if (!('error' in ran)) expect(ran).toEqual(planned);
      }),
      { numRuns: 400 },
    );
  });
});
