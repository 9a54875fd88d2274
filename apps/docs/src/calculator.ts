// The calculator's numbers, from @octconv/analysis: one layer against its vanilla twin, and α
// sweeps of a layer and of Oct-ResNet-26/50/101.
import {
  type Comparison,
  compareOctaveConv,
  describeOctaveConv,
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
