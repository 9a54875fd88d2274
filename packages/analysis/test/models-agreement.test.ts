// The analysis against the real modules of @octconv/models: the tfjs-free descriptions equal the
// modules' describe(), and the analysed parameter count equals the weights each module holds.

import type { ModelDescription } from '@octconv/core';
import {
  Conv2d,
  FirstOctaveConv,
  LastOctaveConv,
  Linear,
  MiniOctNet,
  type Module,
  OctaveConv2d,
  OctaveConvBlock,
  octMobileNetV1,
  octMobileNetV2,
  octResNet,
} from '@octconv/models';
import { setupBackend } from '@octconv/test-utils';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  analyze,
  describeMiniOctNet,
  describeOctaveConv,
  describeOctMobileNetV1,
  describeOctMobileNetV2,
  describeOctResNet,
} from '../src/index';

beforeAll(() => setupBackend('cpu'));

function check(module: Module, description: ModelDescription): void {
  try {
    expect(analyze(description).totals.params).toBe(module.parameterCount());
  } finally {
    module.dispose();
  }
}

describe('analysis agrees with @octconv/models [cpu]', () => {
  it('describeMiniOctNet equals MiniOctNet.describe, even and odd sizes, every α', () => {
    for (const alpha of [0, 0.25, 0.5, 0.75]) {
      for (const [height, width] of [
        [32, 32],
        [15, 17],
      ] as const) {
        const net = new MiniOctNet({ alpha, numClasses: 7, random: 1 });
        const described = net.describe({ batch: 2, height, width });
        expect(describeMiniOctNet({ alpha, numClasses: 7 }, { batch: 2, height, width })).toEqual(
          described,
        );
        check(net, described);
      }
    }
  });

  it('describeOctMobileNetV1/V2 equal the models’ describe at 224² and 225², and count their weights', () => {
    for (const [make, describe, widthMultiplier, alpha] of [
      [octMobileNetV1, describeOctMobileNetV1, 1, 0.5],
      [octMobileNetV1, describeOctMobileNetV1, 0.75, 0.375],
      [octMobileNetV1, describeOctMobileNetV1, 0.25, 0],
      [octMobileNetV2, describeOctMobileNetV2, 1, 0.375],
      [octMobileNetV2, describeOctMobileNetV2, 1.125, 0.5],
      // int() and round-half-even differ here (block 0: int(0.375 · 4) = 1).
      [octMobileNetV2, describeOctMobileNetV2, 0.125, 0.375],
      [octMobileNetV2, describeOctMobileNetV2, 1, 0],
    ] as const) {
      const net = make({ widthMultiplier, alpha, numClasses: 10, random: 1 });
      for (const size of [224, 225]) {
        expect(
          describe({ widthMultiplier, alpha, numClasses: 10 }, { height: size }),
          `${net.moduleName} ${widthMultiplier} α ${alpha} ${size}²`,
        ).toEqual(net.describe({ height: size, width: size }));
      }
      check(net, net.describe({ height: 224, width: 224 }));
    }
  });

  it('describeOctResNet equals octResNet(...).describe at 224² and 225²', () => {
    for (const depth of [26, 50] as const) {
      for (const alpha of [0, 0.5]) {
        const net = octResNet({ depth, alpha, random: 1 });
        for (const size of [224, 225]) {
          expect(describeOctResNet({ depth, alpha }, { height: size })).toEqual(
            net.describe({ height: size, width: size }),
          );
        }
        check(net, net.describe({ height: 224, width: 224 }));
      }
    }
  });

  it('describeOctResNet({ variant: d-li14 }) equals the d-li14 octResNet’s describe at 224² and 240²', () => {
    const net = octResNet({ depth: 50, alpha: 0.5, variant: 'd-li14', random: 1 });
    for (const size of [224, 240]) {
      expect(
        describeOctResNet({ depth: 50, alpha: 0.5, variant: 'd-li14' }, { height: size }),
      ).toEqual(net.describe({ height: size, width: size }));
    }
    check(net, net.describe({ height: 224, width: 224 }));
  });

  it('every module’s analysed parameter count is the number of weights it holds (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          inChannels: fc.integer({ min: 1, max: 12 }),
          outChannels: fc.integer({ min: 1, max: 12 }),
          alphaIn: fc.constantFrom(0, 0.125, 0.25, 0.5, 0.75, 1),
          alphaOut: fc.constantFrom(0, 0.125, 0.25, 0.5, 0.75, 1),
          kernelSize: fc.constantFrom(1, 3, 5),
          stride: fc.constantFrom(1 as const, 2 as const),
          strideMode: fc.constantFrom('pool' as const, 'conv' as const),
          bias: fc.boolean(),
          size: fc.integer({ min: 6, max: 19 }),
          kind: fc.constantFrom('middle', 'first', 'last', 'block', 'conv', 'linear'),
        }),
        (c) => {
          const common = {
            inChannels: c.inChannels,
            outChannels: c.outChannels,
            kernelSize: c.kernelSize,
            padding: (c.kernelSize - 1) / 2,
            stride: c.stride,
            strideMode: c.strideMode,
            random: 1,
          };
          const input = { height: c.size, width: c.size + 1 };
          let module: Module;
          try {
            module =
              c.kind === 'middle'
                ? new OctaveConv2d({
                    ...common,
                    alphaIn: c.alphaIn,
                    alphaOut: c.alphaOut,
                    bias: c.bias,
                  })
                : c.kind === 'first'
                  ? new FirstOctaveConv({ ...common, alphaOut: c.alphaOut, bias: c.bias })
                  : c.kind === 'last'
                    ? new LastOctaveConv({ ...common, alphaIn: c.alphaIn, bias: c.bias })
                    : c.kind === 'block'
                      ? new OctaveConvBlock({ ...common, alphaIn: c.alphaIn, alphaOut: c.alphaOut })
                      : c.kind === 'conv'
                        ? new Conv2d({
                            inChannels: c.inChannels,
                            outChannels: c.outChannels,
                            kernelSize: c.kernelSize,
                            padding: (c.kernelSize - 1) / 2,
                            stride: c.stride,
                            bias: c.bias,
                            random: 1,
                          })
                        : new Linear({
                            inFeatures: c.inChannels,
                            outFeatures: c.outChannels,
                            bias: c.bias,
                            random: 1,
                          });
          } catch {
            return; // a configuration the modules refuse (no output band, …): nothing to count
          }
          const description = module.describe(input);
          if (c.kind === 'middle') {
            expect(
              describeOctaveConv({
                ...input,
                inChannels: c.inChannels,
                outChannels: c.outChannels,
                alphaIn: c.alphaIn,
                alphaOut: c.alphaOut,
                kernelSize: c.kernelSize,
                padding: (c.kernelSize - 1) / 2,
                stride: c.stride,
                strideMode: c.strideMode,
                bias: c.bias,
              }).layers,
            ).toEqual(description.layers);
          }
          check(module, description);
        },
      ),
      { numRuns: 150, seed: 4 },
    );
  });
});
