import { InvalidArgumentError } from '@octconv/core';
import type { serialization } from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** A tfjs-layers initializer (`tf.initializers.glorotUniform()` and friends). */
export type Initializer = ReturnType<typeof tfl.initializers.glorotUniform>;
/** A tfjs-layers regularizer (`tf.regularizers.l2()` and friends). */
export type Regularizer = ReturnType<typeof tfl.regularizers.l1l2>;
/** A tfjs-layers constraint (`tf.constraints.maxNorm()` and friends). */
export type Constraint = ReturnType<typeof tfl.constraints.maxNorm>;

/**
 * An initializer as `tf.layers.conv2d` takes one: its camelCase identifier (`'glorotUniform'`,
 * `'heNormal'`, `'zeros'`, …), an instance, or its serialized `{ className, config }` form.
 */
export type InitializerOption = string | Initializer | serialization.ConfigDict;
/** A regularizer as `tf.layers.conv2d` takes one: `'l1l2'`, an instance or its serialized form. */
export type RegularizerOption = string | Regularizer | serialization.ConfigDict;
/** A constraint as `tf.layers.conv2d` takes one: `'maxNorm'`, …, an instance or its serialized form. */
export type ConstraintOption = string | Constraint | serialization.ConfigDict;

/** The weight options of {@link OctaveConv2D}, named as `tf.layers.conv2d` names them. */
export interface WeightOptions {
  kernelInitializer?: InitializerOption;
  biasInitializer?: InitializerOption;
  kernelRegularizer?: RegularizerOption;
  biasRegularizer?: RegularizerOption;
  activityRegularizer?: RegularizerOption;
  kernelConstraint?: ConstraintOption;
  biasConstraint?: ConstraintOption;
}

/** @internal The resolved objects and their serialized forms (for `getConfig`). */
export interface ResolvedWeightOptions {
  kernelInitializer: Initializer;
  biasInitializer: Initializer;
  kernelRegularizer: Regularizer | null;
  biasRegularizer: Regularizer | null;
  activityRegularizer: Regularizer | null;
  kernelConstraint: Constraint | null;
  biasConstraint: Constraint | null;
  serialized: serialization.ConfigDict;
}

export const WEIGHT_OPTION_KEYS = [
  'kernelInitializer',
  'biasInitializer',
  'kernelRegularizer',
  'biasRegularizer',
  'activityRegularizer',
  'kernelConstraint',
  'biasConstraint',
] as const;

interface ConvInternals {
  kernelInitializer: Initializer;
  biasInitializer: Initializer;
  kernelRegularizer?: Regularizer;
  biasRegularizer?: Regularizer;
  activityRegularizer?: Regularizer;
  kernelConstraint?: Constraint;
  biasConstraint?: Constraint;
}

/**
 * Resolves the initializers, regularizers and constraints exactly as `tf.layers.conv2d` does,
 * by letting an unbuilt Conv2D parse them (it creates no weight and, named explicitly, takes no
 * name from the global counter): identifiers, instances and serialized forms all behave as in
 * tfjs, and `getConfig` writes them in tfjs's own serialized form.
 */
export function resolveWeightOptions(
  functionName: string,
  args: Record<string, unknown>,
  defaults: { kernelInitializer: string; biasInitializer: string },
): ResolvedWeightOptions {
  const given: Record<string, unknown> = {};
  for (const key of WEIGHT_OPTION_KEYS) {
    if (args[key] !== undefined && args[key] !== null) given[key] = args[key];
  }
  const probeWith = (options: Record<string, unknown>) =>
    tfl.layers.conv2d({
      filters: 1,
      kernelSize: 1,
      name: 'octconv_weight_options',
      kernelInitializer: defaults.kernelInitializer,
      biasInitializer: defaults.biasInitializer,
      ...options,
    } as Parameters<typeof tfl.layers.conv2d>[0]);
  let probe: tfl.layers.Layer;
  try {
    probe = probeWith(given);
  } catch (error) {
    // Which option tfjs refused: the first that fails on its own (an instance or a serialized
    // form prints as "[object Object]", so the error text cannot tell).
    const fails = (k: string) => {
      try {
        probeWith({ [k]: given[k] });
        return false;
      } catch {
        return true;
      }
    };
    const key =
      WEIGHT_OPTION_KEYS.find((k) => given[k] !== undefined && fails(k)) ??
      WEIGHT_OPTION_KEYS.find((k) => given[k] !== undefined) ??
      'args';
    throw new InvalidArgumentError({
      functionName,
      argument: `args.${key}`,
      value: given[key],
      message: `args.${key} is not an initializer, regularizer or constraint tf.layers.conv2d accepts (${(error as Error).message})`,
      cause: error,
    });
  }
  const conv = probe as unknown as ConvInternals;
  const config = probe.getConfig();
  const serialized: serialization.ConfigDict = {};
  for (const key of WEIGHT_OPTION_KEYS) serialized[key] = config[key] ?? null;
  return {
    kernelInitializer: conv.kernelInitializer,
    biasInitializer: conv.biasInitializer,
    kernelRegularizer: conv.kernelRegularizer ?? null,
    biasRegularizer: conv.biasRegularizer ?? null,
    activityRegularizer: conv.activityRegularizer ?? null,
    kernelConstraint: conv.kernelConstraint ?? null,
    biasConstraint: conv.biasConstraint ?? null,
    serialized,
  };
}
