import { captureError, RefGraph, refOctaveConv } from '@octconv/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeMismatchError } from '../errors/index';
import { octaveConvOutputShape } from './octave-conv-output-shape';
import { splitChannels } from './split-channels';

describe('octaveConvOutputShape', () => {
  it("gives the seed notebook's shapes (64 → 128, α = .5, 32×32, batch 2)", () => {
    const plan = octaveConvOutputShape({
      batch: 2,
      height: 32,
      width: 32,
      inChannels: 64,
      outChannels: 128,
    });
    expect(plan.output).toEqual({ high: [2, 32, 32, 64], low: [2, 16, 16, 64] });
    expect(plan.input).toEqual({ high: [2, 32, 32, 32], low: [2, 16, 16, 32] });
    expect(plan.paths.hl).toMatchObject({
      downsample: 1,
      stride: 1,
      upsample: false,
      convInput: [16, 16],
    });
    expect(plan.paths.lh).toMatchObject({
      downsample: 0,
      stride: 1,
      upsample: true,
      convOutput: [16, 16],
    });
  });

  it('keeps odd sizes: 33×31 → low 17×16', () => {
    const plan = octaveConvOutputShape({ height: 33, width: 31, inChannels: 8, outChannels: 8 });
    expect(plan.output).toEqual({ high: [1, 33, 31, 4], low: [1, 17, 16, 4] });
  });

  it("stride 2 'pool' (paper) pools before H→H, twice before H→L, and runs L→H at stride 1 without Up", () => {
    const { output, paths } = octaveConvOutputShape({
      height: 33,
      width: 33,
      inChannels: 8,
      outChannels: 8,
      stride: 2,
    });
    expect(output).toEqual({ high: [1, 17, 17, 4], low: [1, 9, 9, 4] });
    expect(paths.hh).toMatchObject({ downsample: 1, stride: 1, convInput: [17, 17] });
    expect(paths.hl).toMatchObject({ downsample: 2, stride: 1, convInput: [9, 9] });
    expect(paths.lh).toMatchObject({
      downsample: 0,
      stride: 1,
      upsample: false,
      convOutput: [17, 17],
    });
    expect(paths.ll).toMatchObject({ downsample: 1, stride: 1, convInput: [9, 9] });
  });

  it("stride 2 'conv' (seed) strides every conv and upsamples L→H", () => {
    const { output, paths } = octaveConvOutputShape({
      height: 32,
      width: 32,
      inChannels: 8,
      outChannels: 8,
      stride: 2,
      strideMode: 'conv',
    });
    expect(output).toEqual({ high: [1, 16, 16, 4], low: [1, 8, 8, 4] });
    for (const name of ['hh', 'hl', 'lh', 'll'] as const) expect(paths[name]!.stride).toBe(2);
    expect(paths.lh!.upsample).toBe(true);
  });

  it('first and last layers have the expected paths; depthwise keeps hh and ll', () => {
    const first = octaveConvOutputShape({
      height: 8,
      width: 8,
      inChannels: 3,
      outChannels: 8,
      alphaIn: 0,
    });
    expect(
      Object.entries(first.paths)
        .filter(([, p]) => p)
        .map(([n]) => n),
    ).toEqual(['hh', 'hl']);
    const last = octaveConvOutputShape({
      height: 8,
      width: 8,
      inChannels: 8,
      outChannels: 3,
      alphaOut: 0,
    });
    expect(
      Object.entries(last.paths)
        .filter(([, p]) => p)
        .map(([n]) => n),
    ).toEqual(['hh', 'lh']);
    const depthwise = octaveConvOutputShape({
      height: 8,
      width: 8,
      inChannels: 8,
      outChannels: 16,
      groups: 8,
    });
    expect(depthwise.depthwise).toBe(true);
    expect(depthwise.paths.hh).toMatchObject({ groups: 4, inChannels: 4, outChannels: 8 });
    expect(depthwise.paths.hl).toBeNull();
  });

  it('agrees with the independent reference on random layers (channel split, odd sizes, both modes)', () => {
    const specs = fc.record({
      height: fc.integer({ min: 1, max: 12 }),
      width: fc.integer({ min: 1, max: 12 }),
      inChannels: fc.integer({ min: 1, max: 10 }),
      outChannels: fc.integer({ min: 1, max: 10 }),
      alphaIn: fc.constantFrom(0, 0.125, 0.25, 0.5, 0.75),
      alphaOut: fc.constantFrom(0, 0.125, 0.25, 0.5, 0.75, 1),
      kernelSize: fc.constantFrom(1, 3, 5),
      stride: fc.constantFrom(1 as const, 2 as const),
      strideMode: fc.constantFrom('pool' as const, 'conv' as const),
    });
    fc.assert(
      fc.property(specs, (spec) => {
        const padding = (spec.kernelSize - 1) / 2;
        const plan = octaveConvOutputShape({ ...spec, padding });
        const inSplit = splitChannels(spec.inChannels, spec.alphaIn);
        const outSplit = splitChannels(spec.outChannels, spec.alphaOut);
        const graph = new RefGraph();
        const band = (c: number, h: number, w: number) => (c ? graph.tensor([1, h, w, c]) : null);
        const x = {
          high: band(inSplit.high, spec.height, spec.width),
          low: band(inSplit.low, Math.ceil(spec.height / 2), Math.ceil(spec.width / 2)),
        };
        const w = (cin: number, cout: number) =>
          cin && cout
            ? { filter: graph.tensor([spec.kernelSize, spec.kernelSize, cin, cout]), bias: null }
            : undefined;
        const weights = {
          hh: w(inSplit.high, outSplit.high),
          hl: w(inSplit.high, outSplit.low),
          lh: w(inSplit.low, outSplit.high),
          ll: w(inSplit.low, outSplit.low),
        };
        const ref = refOctaveConv(
          graph,
          x,
          Object.fromEntries(Object.entries(weights).filter(([, v]) => v)),
          { stride: spec.stride, strideMode: spec.strideMode, padding, dilation: 1, groups: 1 },
        );
        expect(plan.output.high).toEqual(ref.high?.shape ?? null);
        expect(plan.output.low).toEqual(ref.low?.shape ?? null);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a padding that breaks low = ceil(high / 2), naming the fix', () => {
    expect(() =>
      octaveConvOutputShape({ height: 32, width: 32, inChannels: 8, outChannels: 8, padding: 0 }),
    ).toThrow(
      /octaveConvOutputShape: padding 0 with a 3×3 kernel at stride 1 maps the 32×32 high band to 30×30 and the low band to 14×14, .* ceil\(high\/2\) = 15×15; use padding 1 or 'same'/,
    );
  });

  it.each([
    [{ height: 0, width: 8, inChannels: 8, outChannels: 8 }, 'height', InvalidArgumentError],
    [
      { height: 8, width: 8, inChannels: 8, outChannels: 8, alphaIn: 2 },
      'alphaIn',
      InvalidArgumentError,
    ],
    [
      { height: 8, width: 8, inChannels: 8, outChannels: 8, stride: 3 },
      'options.stride',
      InvalidArgumentError,
    ],
    [
      { height: 8, width: 8, inChannels: 8, outChannels: 8, kernelSize: 0 },
      'kernelSize',
      InvalidArgumentError,
    ],
    [
      { height: 8, width: 8, inChannels: 8, outChannels: 8, groups: 3 },
      'options.groups',
      InvalidArgumentError,
    ],
    [
      { height: 8, width: 8, inChannels: 8, outChannels: 8, strides: 2 },
      'spec.strides',
      InvalidArgumentError,
    ],
    [
      { height: 2, width: 2, inChannels: 8, outChannels: 8, kernelSize: 7, padding: 0 },
      'options.padding',
      InvalidArgumentError,
    ],
    [
      { height: 8, width: 8, inChannels: 3, outChannels: 6, alphaIn: 0, groups: 3 },
      null,
      ShapeMismatchError,
    ],
  ])('rejects %j', (spec, argument, errorClass) => {
    const error = captureError(() => octaveConvOutputShape(spec as never));
    expect(errorClass.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/^octaveConvOutputShape: /);
    if (argument) expect((error as InvalidArgumentError).argument).toBe(argument);
  });
});
