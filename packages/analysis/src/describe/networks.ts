import {
  InvalidArgumentError,
  type ModelDescription,
  type OctaveConvLayerSpec,
  octaveConvOutputShape,
  singleBandStrideMode,
} from '@octconv/core/shape';
import { DescriptionBuilder } from './builder';
import { inTheNameOf } from './rename-errors';

/** Input size of a described network. */
export interface DescribeInput {
  /** Default 1. */
  batch?: number;
  height: number;
  /** Default `height`. */
  width?: number;
}

export function checkSize(functionName: string, input: DescribeInput): Required<DescribeInput> {
  const { batch = 1, height, width = height } = input ?? ({} as DescribeInput);
  for (const [argument, value] of [
    ['batch', batch],
    ['height', height],
    ['width', width],
  ] as const) {
    if (!(Number.isInteger(value) && value >= 1)) {
      throw new InvalidArgumentError({
        functionName,
        argument: `input.${argument}`,
        value,
        message: `input.${argument} must be an integer ≥ 1, got ${String(value)}`,
      });
    }
  }
  return { batch, height, width };
}

export function checkAlpha(functionName: string, alpha: unknown): number {
  if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1)) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'options.alpha',
      value: alpha,
      message: `options.alpha must be a number in [0, 1], got ${String(alpha)}`,
    });
  }
  return alpha;
}

/**
 * One OctConv layer as a description (the docs' calculator needs no model). Same spec as
 * `octaveConvOutputShape`; `bias` adds a bias per path.
 */
export function describeOctaveConv(
  spec: OctaveConvLayerSpec & { bias?: boolean },
): ModelDescription {
  const { bias = false, ...layer } = spec ?? ({} as OctaveConvLayerSpec);
  const plan = inTheNameOf('describeOctaveConv', () => octaveConvOutputShape(layer));
  const builder = new DescriptionBuilder('OctaveConv2d', plan.input);
  const output = builder.octaveConv('', plan.input, {
    inChannels: layer.inChannels,
    outChannels: layer.outChannels,
    alphaIn: layer.alphaIn ?? 0.5,
    alphaOut: layer.alphaOut ?? 0.5,
    kernelSize: plan.kernel,
    stride: layer.stride ?? 1,
    padding: layer.padding ?? 1,
    dilation: layer.dilation ?? 1,
    groups: layer.groups ?? 1,
    strideMode: layer.strideMode ?? 'pool',
    bias,
  });
  return builder.finish(output);
}

/** The seed's MiniOctNet, as `new MiniOctNet(options).describe(input)` gives it. */
export function describeMiniOctNet(
  options: { inChannels?: number; numClasses?: number; alpha?: number },
  input: DescribeInput,
): ModelDescription {
  const fn = 'describeMiniOctNet';
  const { inChannels = 3, numClasses = 10 } = options ?? {};
  const alpha = checkAlpha(fn, options?.alpha ?? 0.5);
  const { batch, height, width } = checkSize(fn, input);
  const builder = new DescriptionBuilder('MiniOctNet', {
    high: [batch, height, width, inChannels],
    low: null,
  });
  let x = builder.conv2d('stem.0', builder.input, {
    outChannels: 64,
    kernelSize: 3,
    padding: 1,
    bias: false,
  });
  x = builder.batchNorm('stem.1', x, false);
  x = builder.relu('stem.2', x);
  x = builder.octaveSplit('split', x, alpha);
  for (const [name, inC] of [
    ['b1', 64],
    ['b2', 128],
  ] as const) {
    x = builder.octaveConv(`${name}.oct`, x, {
      inChannels: inC,
      outChannels: 128,
      alphaIn: alpha,
      alphaOut: alpha,
    });
    builder.batchNorm(name, x, true);
    x = builder.relu(`${name}.act`, x);
  }
  x = builder.octaveMerge('merge', x);
  x = builder.globalAvgPool('pool', x);
  return builder.finish(builder.linear('fc', x, numClasses));
}

/** Blocks per stage of each Oct-ResNet depth (bottleneck ResNets). */
export const RESNET_STAGES: Readonly<Record<26 | 50 | 101 | 152, readonly number[]>> = {
  26: [2, 2, 2, 2],
  50: [3, 4, 6, 3],
  101: [3, 4, 23, 3],
  152: [3, 8, 36, 3],
};

/**
 * Which code a described Oct-ResNet follows, as `variant` of `octResNet` in `@octconv/models`:
 * `'default'` (the official code's `resnet*_v1b`, torchvision's names with the band inserted) or
 * `'d-li14'` (d-li14/octconv.pytorch, whose pretrained Oct-ResNet-50 is public: its names, α
 * fixed at 0.5, every stride 2 pooled first).
 */
export type OctResNetVariant = 'default' | 'd-li14';

/** The part names of one bottleneck under each variant (the models' state-dict names). */
const BOTTLENECK_NAMES: Record<
  OctResNetVariant,
  {
    conv: [string, string, string];
    bn: [string, string, string];
    relu: [string, string, string];
    downsample: [string, string];
  }
> = {
  default: {
    conv: ['conv1', 'conv2', 'conv3'],
    bn: ['bn1', 'bn2', 'bn3'],
    relu: ['relu1', 'relu2', 'relu3'],
    downsample: ['downsample.0', 'downsample.1'],
  },
  'd-li14': {
    conv: ['conv1.conv', 'conv2.conv', 'conv3.conv'],
    bn: ['conv1', 'conv2', 'conv3'],
    relu: ['conv1.act', 'conv2.act', 'relu'],
    downsample: ['downsample.0.conv', 'downsample.0'],
  },
};

/**
 * Oct-ResNet as `octResNet(options).describe(input)` of `@octconv/models` gives it: plain stem,
 * bottlenecks with the stride on the 3×3, α in stages 1–3 and 0 in stage 4, single-band layers
 * strided as plain ResNet, others in `'pool'` mode. `variant: 'd-li14'` describes
 * d-li14/octconv.pytorch's network instead (α must be 0.5; every stride-2 layer pools first,
 * which costs the same multiply-adds): 25,557,032 parameters and 2.367 GMACs at 224² for depth 50.
 */
export function describeOctResNet(
  options: {
    depth: 26 | 50 | 101 | 152;
    alpha: number;
    numClasses?: number;
    inChannels?: number;
    variant?: OctResNetVariant;
  },
  input: DescribeInput,
): ModelDescription {
  const fn = 'describeOctResNet';
  const stages = RESNET_STAGES[options?.depth];
  if (!stages) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'options.depth',
      value: options?.depth,
      message: `options.depth must be 26, 50, 101 or 152, got ${String(options?.depth)}`,
    });
  }
  const alpha = checkAlpha(fn, options.alpha);
  const variant = options.variant ?? 'default';
  if (variant !== 'default' && variant !== 'd-li14') {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'options.variant',
      value: variant,
      message: `options.variant must be 'default' or 'd-li14', got ${JSON.stringify(variant)}`,
    });
  }
  if (variant === 'd-li14' && alpha !== 0.5) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: 'options.alpha',
      value: alpha,
      message: `options.alpha must be 0.5 with variant 'd-li14' (d-li14/octconv.pytorch fixes α = 0.5 inside its bottlenecks), got ${alpha}; use variant 'default' for other α`,
    });
  }
  const names = BOTTLENECK_NAMES[variant];
  const { numClasses = 1000, inChannels = 3 } = options;
  const { batch, height, width } = checkSize(fn, input);
  const builder = new DescriptionBuilder('OctResNet', {
    high: [batch, height, width, inChannels],
    low: null,
  });
  let x = builder.conv2d('conv1', builder.input, {
    outChannels: 64,
    kernelSize: 7,
    stride: 2,
    padding: 3,
    bias: false,
  });
  x = builder.batchNorm('bn1', x, false);
  x = builder.relu('relu', x);
  x = builder.maxPool('maxpool', x, 3, 2, 1);
  const stageAlpha = [alpha, alpha, alpha, 0];
  let channels = 64;
  let alphaIn = 0;
  stages.forEach((count, stage) => {
    const planes = 64 * 2 ** stage;
    const a = stageAlpha[stage]!;
    for (let index = 0; index < count; index++) {
      const name = `layer${stage + 1}.${index}`;
      const stride: 1 | 2 = stage > 0 && index === 0 ? 2 : 1;
      const conv = (
        label: string,
        from: typeof x,
        inC: number,
        outC: number,
        k: number,
        aIn: number,
        s: 1 | 2,
      ) =>
        builder.octaveConv(`${name}.${label}`, from, {
          inChannels: inC,
          outChannels: outC,
          alphaIn: aIn,
          alphaOut: a,
          kernelSize: k,
          padding: (k - 1) / 2,
          stride: s,
          strideMode: variant === 'd-li14' ? 'pool' : singleBandStrideMode(aIn, a),
        });
      const blockInput = x;
      let y = conv(names.conv[0], blockInput, channels, planes, 1, alphaIn, 1);
      y = builder.relu(
        `${name}.${names.relu[0]}`,
        builder.batchNorm(`${name}.${names.bn[0]}`, y, true),
      );
      y = conv(names.conv[1], y, planes, planes, 3, a, stride);
      y = builder.relu(
        `${name}.${names.relu[1]}`,
        builder.batchNorm(`${name}.${names.bn[1]}`, y, true),
      );
      y = conv(names.conv[2], y, planes, planes * 4, 1, a, 1);
      y = builder.batchNorm(`${name}.${names.bn[2]}`, y, true);
      if (stride !== 1 || channels !== planes * 4 || alphaIn !== a) {
        const shortcut = conv(
          names.downsample[0],
          blockInput,
          channels,
          planes * 4,
          1,
          alphaIn,
          stride,
        );
        builder.batchNorm(`${name}.${names.downsample[1]}`, shortcut, true);
      }
      builder.add(`${name}.add`, y);
      x = builder.relu(`${name}.${names.relu[2]}`, y);
      channels = planes * 4;
      alphaIn = a;
    }
  });
  x = builder.globalAvgPool('avgpool', x);
  return builder.finish(builder.linear('fc', x, numClasses));
}
