import { CheckpointError, InvalidArgumentError } from '@octconv/core';
import type { MiniOctNet } from '@octconv/models';
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** Where each `MiniOctNet` state entry lives in {@link miniOctNetModel}: `[layer, weight]`. */
function layerWeightFor(stateName: string): [string, string] | null {
  const bn: Record<string, string> = {
    weight: 'gamma',
    bias: 'beta',
    running_mean: 'moving_mean',
    running_var: 'moving_variance',
  };
  const parts = stateName.split('.');
  const last = parts[parts.length - 1]!;
  if (last === 'num_batches_tracked') return null;
  if (parts[0] === 'stem' && parts[1] === '0') return ['stem_conv', 'hh_kernel'];
  if (parts[0] === 'stem' && parts[1] === '1') return ['stem_bn', bn[last]!];
  if (parts[0] === 'fc') return ['fc', last === 'weight' ? 'kernel' : 'bias'];
  if ((parts[0] === 'b1' || parts[0] === 'b2') && parts[1] === 'oct')
    return [`${parts[0]}_oct`, `${parts[2]}_${last === 'weight' ? 'kernel' : 'bias'}`];
  if ((parts[0] === 'b1' || parts[0] === 'b2') && (parts[1] === 'bn_h' || parts[1] === 'bn_l'))
    return [`${parts[0]}_${parts[1]}`, bn[last]!];
  return null;
}

function isModule(value: unknown): value is MiniOctNet {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as MiniOctNet).moduleName === 'MiniOctNet' &&
    typeof (value as MiniOctNet).namedParameters === 'function' &&
    typeof (value as MiniOctNet).namedBuffers === 'function'
  );
}

function isLayersModel(value: unknown): value is tfl.LayersModel {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as tfl.LayersModel).getLayer === 'function' &&
    Array.isArray((value as tfl.LayersModel).layers)
  );
}

/**
 * Copies every weight between `MiniOctNet` (`@octconv/models`) and its layers form
 * ({@link miniOctNetModel}), in either direction: convolution kernels (both HWIO), the batch
 * norms' scale, shift and running statistics, and `fc` (both `[in, out]`). Afterwards both give
 * the same logits in eval mode / `predict`. `num_batches_tracked` has no tfjs counterpart and is
 * left as it is.
 *
 * Atomic: every name and shape is checked first; a mismatch throws `CheckpointError` naming
 * the weight and changes nothing.
 *
 * @param from A `MiniOctNet` or a model from {@link miniOctNetModel}.
 * @param to The other form, with the same `numClasses`, `alpha` and `inChannels`.
 */
export function copyMiniOctNetWeights(
  from: MiniOctNet | tfl.LayersModel,
  to: MiniOctNet | tfl.LayersModel,
): void {
  const fn = 'copyMiniOctNetWeights';
  const toLayers = isModule(from) && isLayersModel(to);
  if (!toLayers && !(isLayersModel(from) && isModule(to))) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'from',
      value: from,
      message:
        'expects a MiniOctNet and a LayersModel from miniOctNetModel (in either order), got ' +
        `${isModule(from) ? 'a module' : isLayersModel(from) ? 'a LayersModel' : String(from)} and ` +
        `${isModule(to) ? 'a module' : isLayersModel(to) ? 'a LayersModel' : String(to)}`,
    });
  }
  const net = (toLayers ? from : to) as MiniOctNet;
  const model = (toLayers ? to : from) as tfl.LayersModel;
  if (net.disposed) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: toLayers ? 'from' : 'to',
      value: net,
      message: 'the MiniOctNet is disposed',
    });
  }
  const state = new Map([...net.namedParameters(), ...net.namedBuffers()]);
  const pairs: { variable: tf.Variable; weight: tfl.LayerVariable }[] = [];
  const used = new Set<tfl.LayerVariable>();
  for (const [name, variable] of state) {
    const target = layerWeightFor(name);
    if (target === null) continue;
    const [layerName, weightName] = target;
    let layer: tfl.layers.Layer | undefined;
    try {
      layer = model.getLayer(layerName);
    } catch {
      layer = undefined;
    }
    const weight = layer?.weights.find((w) => w.originalName.split('/').pop() === weightName);
    if (!weight) {
      throw new CheckpointError({
        functionName: fn,
        message: `the LayersModel has no weight ${layerName}/${weightName} for MiniOctNet's ${name} (build it with miniOctNetModel)`,
      });
    }
    if (weight.shape.join(',') !== variable.shape.join(',')) {
      throw new CheckpointError({
        functionName: fn,
        message: `${name} is [${variable.shape.join(', ')}] in MiniOctNet but ${layerName}/${weightName} is [${weight.shape.join(', ')}] in the LayersModel (same numClasses, alpha and inChannels?)`,
      });
    }
    pairs.push({ variable, weight });
    used.add(weight);
  }
  const missing = model.weights.filter((w) => !used.has(w));
  if (missing.length > 0) {
    throw new CheckpointError({
      functionName: fn,
      message: `the LayersModel has weights MiniOctNet does not: ${missing.map((w) => w.originalName).join(', ')}`,
    });
  }
  for (const { variable, weight } of pairs) {
    if (toLayers) weight.write(variable);
    else variable.assign(weight.read());
  }
}
