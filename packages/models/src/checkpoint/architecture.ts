import { CheckpointError, InvalidArgumentError } from '@octconv/core';
import { version } from '../../package.json';
import { OctaveConvBlock } from '../blocks/octave-conv-block';
import { BatchNorm2d } from '../layers/batch-norm2d';
import { Conv2d } from '../layers/conv2d';
import { Linear } from '../layers/linear';
import { FirstOctaveConv, LastOctaveConv, OctaveConv2d } from '../layers/octave-conv2d';
import type { Module } from '../module/module';
import { MiniOctNet } from '../networks/mini-oct-net';
import {
  OctMobileNetV1,
  OctMobileNetV2,
  octMobileNetV1,
  octMobileNetV2,
} from '../networks/oct-mobilenet';
import { OctResNet, type OctResNetOptions, octResNet } from '../networks/oct-resnet';

/** The version of `@octconv/models` that wrote a save. */
export const PACKAGE_VERSION: string = version;

/** A JSON value, as an architecture's options are stored. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * What a module is, as plain JSON: enough for {@link buildModule} to construct it again without
 * the user's code. Recorded by `saveModule` in model.json; `random` is not recorded (the weights
 * come from the save).
 */
export interface ModuleArchitecture {
  /** The registered constructor: `MiniOctNet`, `OctResNet`, `OctaveConvBlock`, … */
  className: string;
  /** The constructor's options (all of them, defaults included), as JSON. */
  options: { [key: string]: JsonValue };
  /** The network's variant where it has one (`octResNet`'s `variant`), else absent. */
  variant?: string;
  /** The `@octconv/models` version that recorded it. */
  packageVersion: string;
}

interface Registration<M extends Module> {
  type: abstract new (...args: never[]) => M;
  options(module: M): { [key: string]: JsonValue };
  build(options: Record<string, unknown>): Module;
}

function octaveConvOptions(layer: OctaveConv2d | FirstOctaveConv | LastOctaveConv) {
  return {
    inChannels: layer.inChannels,
    outChannels: layer.outChannels,
    kernelSize: [...layer.kernelSize],
    stride: layer.stride,
    padding: layer.padding,
    alphaIn: layer.alphaIn,
    alphaOut: layer.alphaOut,
    bias: layer.hasBias,
    dilation: layer.dilation,
    groups: layer.groups,
    strideMode: layer.strideMode,
  };
}

function register<M extends Module>(registration: Registration<M>): Registration<Module> {
  return registration as unknown as Registration<Module>;
}

/**
 * The modules {@link buildModule} can construct, by class name. `OctaveBatchNorm2d` and
 * `OctaveBottleneck` are not in it: the first does not keep its α (only the rounded channel
 * split), the second is built only inside `octResNet`.
 */
const REGISTRY = new Map<string, Registration<Module>>([
  [
    'MiniOctNet',
    register<MiniOctNet>({
      type: MiniOctNet,
      options: (m) => ({ inChannels: m.inChannels, numClasses: m.numClasses, alpha: m.alpha }),
      build: (o) => new MiniOctNet(o),
    }),
  ],
  [
    'OctResNet',
    register<OctResNet>({
      type: OctResNet,
      options: (m) => {
        const options: { [key: string]: JsonValue } = {
          depth: m.depth,
          alpha: m.alpha,
          numClasses: m.numClasses,
          inChannels: m.inChannels,
        };
        const variant = (m as { variant?: unknown }).variant;
        if (typeof variant === 'string') options.variant = variant;
        return options;
      },
      build: (o) => octResNet(o as unknown as OctResNetOptions),
    }),
  ],
  ...(
    [
      ['OctMobileNetV1', OctMobileNetV1, octMobileNetV1],
      ['OctMobileNetV2', OctMobileNetV2, octMobileNetV2],
    ] as const
  ).map(([name, type, build]): [string, Registration<Module>] => [
    name,
    register<OctMobileNetV1 | OctMobileNetV2>({
      type,
      options: (m) => ({
        widthMultiplier: m.widthMultiplier,
        alpha: m.alpha,
        numClasses: m.numClasses,
        inChannels: m.inChannels,
      }),
      build: (o) => build(o),
    }),
  ]),
  [
    'OctaveConvBlock',
    register<OctaveConvBlock>({
      type: OctaveConvBlock,
      options: (m) => {
        const {
          bias: _bias,
          dilation: _dilation,
          groups: _groups,
          ...rest
        } = octaveConvOptions(m.oct);
        return { ...rest, kernelSize: m.oct.kernelSize[0] };
      },
      build: (o) => new OctaveConvBlock(o as never),
    }),
  ],
  [
    'OctaveConv2d',
    register<OctaveConv2d>({
      type: OctaveConv2d,
      options: octaveConvOptions,
      build: (o) => new OctaveConv2d(o as never),
    }),
  ],
  [
    'FirstOctaveConv',
    register<FirstOctaveConv>({
      type: FirstOctaveConv,
      options: (m) => {
        const { alphaIn: _alphaIn, ...rest } = octaveConvOptions(m);
        return rest;
      },
      build: (o) => new FirstOctaveConv(o as never),
    }),
  ],
  [
    'LastOctaveConv',
    register<LastOctaveConv>({
      type: LastOctaveConv,
      options: (m) => {
        const { alphaOut: _alphaOut, ...rest } = octaveConvOptions(m);
        return rest;
      },
      build: (o) => new LastOctaveConv(o as never),
    }),
  ],
  [
    'Conv2d',
    register<Conv2d>({
      type: Conv2d,
      options: (m) => ({
        inChannels: m.inChannels,
        outChannels: m.outChannels,
        kernelSize: m.kernelSize,
        stride: m.stride,
        padding: m.padding,
        dilation: m.dilation,
        groups: m.groups,
        bias: m.bias !== null,
      }),
      build: (o) => new Conv2d(o as never),
    }),
  ],
  [
    'Linear',
    register<Linear>({
      type: Linear,
      options: (m) => ({
        inFeatures: m.inFeatures,
        outFeatures: m.outFeatures,
        bias: m.bias !== null,
      }),
      build: (o) => new Linear(o as never),
    }),
  ],
  [
    'BatchNorm2d',
    register<BatchNorm2d>({
      type: BatchNorm2d,
      options: (m) => ({ numFeatures: m.numFeatures, eps: m.eps, momentum: m.momentum }),
      build: (o) => new BatchNorm2d(o as never),
    }),
  ],
]);

/** Class names {@link buildModule} can construct. */
export const BUILDABLE_MODULES: readonly string[] = [...REGISTRY.keys()];

/**
 * The architecture of `module` (class name, constructor options, variant, package version), or
 * null when its class is not one {@link buildModule} constructs (a subclass or a user module).
 */
export function moduleArchitecture(module: Module): ModuleArchitecture | null {
  const registration = REGISTRY.get(module.moduleName);
  if (!registration || Object.getPrototypeOf(module) !== registration.type.prototype) return null;
  const options = registration.options(module);
  const architecture: ModuleArchitecture = {
    className: module.moduleName,
    options,
    packageVersion: PACKAGE_VERSION,
  };
  if (typeof options.variant === 'string') architecture.variant = options.variant;
  return architecture;
}

/**
 * Constructs the module an architecture describes (freshly initialised: load its weights next).
 *
 * @param functionName The public function the user called, for messages.
 * @throws CheckpointError when the class is unknown or its options are refused (a save from a
 *   newer version, or an edited model.json).
 */
export function buildModule(
  architecture: ModuleArchitecture,
  functionName = 'buildModule',
): Module {
  if (
    typeof architecture !== 'object' ||
    architecture === null ||
    typeof architecture.className !== 'string' ||
    typeof architecture.options !== 'object' ||
    architecture.options === null ||
    Array.isArray(architecture.options)
  ) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'architecture',
      value: architecture,
      message: 'architecture must be { className, options } as moduleArchitecture returns it',
    });
  }
  // A Map has no prototype keys: 'constructor' or '__proto__' find nothing.
  const registration = REGISTRY.get(architecture.className);
  const saved = architecture.packageVersion
    ? ` (saved by @octconv/models ${architecture.packageVersion})`
    : '';
  if (!registration) {
    throw new CheckpointError({
      functionName,
      message: `cannot rebuild a ${JSON.stringify(architecture.className)}${saved}: the modules rebuilt without your code are ${BUILDABLE_MODULES.join(', ')}; create the module yourself and pass it: loadModule(module, source)`,
    });
  }
  try {
    return registration.build({ ...architecture.options });
  } catch (error) {
    throw new CheckpointError({
      functionName,
      message: `cannot rebuild the ${architecture.className}${saved} from its recorded options ${JSON.stringify(architecture.options).slice(0, 300)}: ${(error as Error)?.message ?? String(error)}${PACKAGE_VERSION !== architecture.packageVersion ? `; this is @octconv/models ${PACKAGE_VERSION}` : ''}`,
      cause: error,
    });
  }
}
