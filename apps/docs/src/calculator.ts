// The calculator's numbers, from @octconv/analysis: one layer against its vanilla twin, α
// sweeps of a layer and of Oct-ResNet-26/50/101, and the official Oct-MobileNets.
import {
  type Comparison,
  compareOctaveConv,
  describeOctaveConv,
  describeOctMobileNetV1,
  describeOctMobileNetV2,
  describeOctResNet,
  type SweepRow,
  sweepAlpha,
} from '@octconv/analysis';
import type { OctaveConvLayerSpec } from '@octconv/core/shape';

/** The α values the charts sweep (α_in = α_out = α for a layer). */
export const SWEEP_ALPHAS = [0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1];

/** The α values of the paper's Table 2. */
export const TABLE_ALPHAS = [0, 0.125, 0.25, 0.5, 0.75];

export const RESNET_DEPTHS = [26, 50, 101] as const;
export type ResNetDepth = (typeof RESNET_DEPTHS)[number];

export interface LayerResult {
  comparison: Comparison;
  sweep: SweepRow[];
}

/** One layer at its own α, and the sweep of the same layer with α_in = α_out = α. */
export function layerResult(spec: OctaveConvLayerSpec): LayerResult {
  return {
    comparison: compareOctaveConv(spec),
    sweep: sweepAlpha(
      (alpha) => describeOctaveConv({ ...spec, alphaIn: alpha, alphaOut: alpha }),
      SWEEP_ALPHAS,
    ),
  };
}

/** Oct-ResNet of one depth at `alphas`, for a square input of `size`. */
export function resnetSweep(
  depth: ResNetDepth,
  size: number,
  alphas: readonly number[],
): SweepRow[] {
  return sweepAlpha((alpha) => describeOctResNet({ depth, alpha }, { height: size }), alphas);
}

/** The four Oct-MobileNets of the official code, with their published figures (224²). */
export const MOBILENETS = [
  { id: 'v1-0.75', version: 1, width: 0.75, alpha: 0.375, params: '2.6 M', macs: '213 M' },
  { id: 'v1-1', version: 1, width: 1, alpha: 0.5, params: '4.2 M', macs: '321 M' },
  { id: 'v2-1', version: 2, width: 1, alpha: 0.375, params: '3.5 M', macs: '256 M' },
  { id: 'v2-1.125', version: 2, width: 1.125, alpha: 0.5, params: '4.2 M', macs: '295 M' },
] as const;

export type MobileNetChoice = (typeof MOBILENETS)[number];

/** One Oct-MobileNet at its own α and its α = 0 twin (the plain MobileNet), for a square input. */
export function mobileNetSweep(model: MobileNetChoice, size: number): SweepRow[] {
  const describe = model.version === 1 ? describeOctMobileNetV1 : describeOctMobileNetV2;
  return sweepAlpha(
    (alpha) => describe({ widthMultiplier: model.width, alpha }, { height: size }),
    [0, model.alpha],
  );
}
