import {
  InvalidArgumentError,
  type ModelDescription,
  type OctaveConvLayerSpec,
} from '@octconv/core/shape';
import { describeOctaveConv } from '../describe/networks';
import { inTheNameOf } from '../describe/rename-errors';
import { type Analysis, type AnalysisTotals, analyze } from './analyze';

/** An analysis next to its vanilla twin (the same network at α = 0). */
export interface Comparison {
  octave: AnalysisTotals;
  vanilla: AnalysisTotals;
  /** octave / vanilla, for multiply-adds counted as the paper does (convolutions and linear). */
  macsRatio: number;
  paramsRatio: number;
  activationRatio: number;
  /** vanilla / octave convolution MACs: the speed-up the FLOP cut allows. */
  theoreticalSpeedup: number;
}

/** Ratios of an octave analysis to its vanilla twin's. */
export function compare(octave: Analysis, vanilla: Analysis): Comparison {
  const o = octave.totals;
  const v = vanilla.totals;
  return {
    octave: o,
    vanilla: v,
    macsRatio: o.convMacs / v.convMacs,
    paramsRatio: o.params / v.params,
    activationRatio: o.activationBytes / v.activationBytes,
    theoreticalSpeedup: v.convMacs / o.convMacs,
  };
}

/** One row of {@link sweepAlpha}. */
export interface SweepRow extends Comparison {
  alpha: number;
  analysis: Analysis;
}

/**
 * Analyses `build(α)` for every α and compares each with `build(0)`, for charts and tables.
 *
 * @example sweepAlpha((alpha) => describeOctResNet({ depth: 50, alpha }, { height: 224 }), [0, 0.25, 0.5])
 */
export function sweepAlpha(
  build: (alpha: number) => ModelDescription,
  alphas: readonly number[],
): SweepRow[] {
  if (!Array.isArray(alphas) || alphas.length === 0) {
    throw new InvalidArgumentError({
      functionName: 'sweepAlpha',
      argument: 'alphas',
      value: alphas,
      message: `alphas must be a non-empty list of numbers in [0, 1], got ${JSON.stringify(alphas)}`,
    });
  }
  alphas.forEach((alpha, index) => {
    if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1)) {
      throw new InvalidArgumentError({
        functionName: 'sweepAlpha',
        argument: `alphas[${index}]`,
        value: alpha,
        message: `alphas[${index}] must be a number in [0, 1], got ${JSON.stringify(alpha)}`,
      });
    }
  });
  const vanilla = analyze(build(0));
  return alphas.map((alpha) => {
    const analysis = alpha === 0 ? vanilla : analyze(build(alpha));
    return { alpha, analysis, ...compare(analysis, vanilla) };
  });
}

/**
 * One OctConv layer against the plain convolution with the same channels, kernel and stride (its
 * α = 0 twin): the numbers of the paper's Table 1.
 */
export function compareOctaveConv(spec: OctaveConvLayerSpec): Comparison {
  return inTheNameOf('compareOctaveConv', () =>
    compare(
      analyze(describeOctaveConv(spec)),
      analyze(describeOctaveConv({ ...spec, alphaIn: 0, alphaOut: 0 })),
    ),
  );
}
