import {
  type BandShapes,
  mobileNetBandAlpha as bandAlpha,
  InvalidArgumentError,
  MOBILENET_V1_BLOCKS,
  MOBILENET_V2_BLOCKS,
  type ModelDescription,
  singleBandStrideMode,
} from '@octconv/core/shape';
import { DescriptionBuilder } from './builder';
import { checkAlpha, checkSize, type DescribeInput } from './networks';

/** Options of {@link describeOctMobileNetV1} and {@link describeOctMobileNetV2}. */
export interface OctMobileNetDescribeOptions {
  /** Width multiplier: channels are `int(c · m)`. Default 1. */
  widthMultiplier?: number;
  /** Low-band fraction of the octave layers; default 0.5 (v1) or 0.375 (v2). 0: plain MobileNet. */
  alpha?: number;
  /** Default 1000. */
  numClasses?: number;
  /** Image channels; default 3. */
  inChannels?: number;
}

function resolve(
  functionName: string,
  options: OctMobileNetDescribeOptions | undefined,
  defaultAlpha: number,
  narrowest: number,
) {
  const {
    widthMultiplier = 1,
    numClasses = 1000,
    inChannels = 3,
  } = options ?? ({} as OctMobileNetDescribeOptions);
  const alpha = checkAlpha(functionName, options?.alpha ?? defaultAlpha);
  if (
    typeof widthMultiplier !== 'number' ||
    !Number.isFinite(widthMultiplier) ||
    Math.floor(narrowest * widthMultiplier) < 1
  ) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'options.widthMultiplier',
      value: widthMultiplier,
      message: `options.widthMultiplier must be a number ≥ ${1 / narrowest} (every layer keeps a channel), got ${String(widthMultiplier)}`,
    });
  }
  for (const [argument, value] of [
    ['numClasses', numClasses],
    ['inChannels', inChannels],
  ] as const) {
    if (!(Number.isInteger(value) && value >= 1)) {
      throw new InvalidArgumentError({
        functionName,
        argument: `options.${argument}`,
        value,
        message: `options.${argument} must be an integer ≥ 1, got ${String(value)}`,
      });
    }
  }
  return { widthMultiplier, alpha, numClasses, inChannels };
}

function stem(builder: DescriptionBuilder, channels: number, max: number | undefined): BandShapes {
  let x = builder.conv2d('conv1', builder.input, {
    outChannels: channels,
    kernelSize: 3,
    stride: 2,
    padding: 1,
    bias: false,
  });
  x = builder.batchNorm('bn1', x, false);
  return builder.relu('relu', x, max);
}

/**
 * Oct-MobileNet v1 as `octMobileNetV1(options).describe(input)` of `@octconv/models` gives it
 * (the official `mobilenet_v1_*` with `ratio = α`): plain stem, 13 depthwise separable blocks
 * with α in the depthwise convs of blocks 1–10 and the pointwise convs of blocks 0–9, pooled
 * features and a classifier.
 */
export function describeOctMobileNetV1(
  options: OctMobileNetDescribeOptions,
  input: DescribeInput,
): ModelDescription {
  const fn = 'describeOctMobileNetV1';
  const o = resolve(fn, options, 0.5, 32);
  const { batch, height, width } = checkSize(fn, input);
  const w = (c: number) => Math.floor(c * o.widthMultiplier);
  const builder = new DescriptionBuilder('OctMobileNetV1', {
    high: [batch, height, width, o.inChannels],
    low: null,
  });
  let x = stem(builder, w(32), undefined);
  MOBILENET_V1_BLOCKS.forEach(([dw, pw, stride], index) => {
    const name = `blocks.${index}`;
    const dwAlpha = bandAlpha(w(dw), index >= 1 && index <= 10 ? o.alpha : 0);
    const pwAlpha = bandAlpha(w(pw), index <= 9 ? o.alpha : 0);
    x = builder.octaveConv(`${name}.conv1`, x, {
      inChannels: w(dw),
      outChannels: w(dw),
      alphaIn: dwAlpha,
      alphaOut: dwAlpha,
      kernelSize: 3,
      padding: 1,
      stride,
      groups: w(dw),
      strideMode: singleBandStrideMode(dwAlpha, dwAlpha),
    });
    x = builder.relu(`${name}.relu1`, builder.batchNorm(`${name}.bn1`, x, true));
    x = builder.octaveConv(`${name}.conv2`, x, {
      inChannels: w(dw),
      outChannels: w(pw),
      alphaIn: dwAlpha,
      alphaOut: pwAlpha,
      kernelSize: 1,
      padding: 0,
      strideMode: 'pool',
    });
    x = builder.relu(`${name}.relu2`, builder.batchNorm(`${name}.bn2`, x, true));
  });
  x = builder.globalAvgPool('avgpool', x);
  return builder.finish(builder.linear('classifier', x, o.numClasses));
}

/**
 * Oct-MobileNet v2 as `octMobileNetV2(options).describe(input)` of `@octconv/models` gives it
 * (the official `mobilenet_v2_*` with `ratio = α`): plain stem with ReLU6, 17 inverted residuals
 * whose expanded middle is octave in blocks 0–12 (the 1×1 expansion exists in every block, as in
 * the official code), the 1×1 tail to 1280 (`int(1280 · m)` for m > 1), pooled features and a
 * classifier.
 */
export function describeOctMobileNetV2(
  options: OctMobileNetDescribeOptions,
  input: DescribeInput,
): ModelDescription {
  const fn = 'describeOctMobileNetV2';
  const o = resolve(fn, options, 0.375, 16);
  const { batch, height, width } = checkSize(fn, input);
  const m = o.widthMultiplier;
  const w = (c: number) => Math.floor(c * m);
  const builder = new DescriptionBuilder('OctMobileNetV2', {
    high: [batch, height, width, o.inChannels],
    low: null,
  });
  let x = stem(builder, w(32), 6);
  MOBILENET_V2_BLOCKS.forEach(([cin, t, cout, stride], index) => {
    const name = `blocks.${index}`;
    const inC = w(cin);
    const mid = Math.floor(t * inC);
    const outC = w(cout);
    const a = bandAlpha(mid, index <= 12 ? o.alpha : 0);
    const blockInput = x;
    let y = builder.octaveConv(`${name}.conv1`, x, {
      inChannels: inC,
      outChannels: mid,
      alphaIn: 0,
      alphaOut: a,
      kernelSize: 1,
      padding: 0,
      strideMode: 'pool',
    });
    y = builder.relu(`${name}.relu1`, builder.batchNorm(`${name}.bn1`, y, true), 6);
    y = builder.octaveConv(`${name}.conv2`, y, {
      inChannels: mid,
      outChannels: mid,
      alphaIn: a,
      alphaOut: a,
      kernelSize: 3,
      padding: 1,
      stride,
      groups: mid,
      strideMode: singleBandStrideMode(a, a),
    });
    y = builder.relu(`${name}.relu2`, builder.batchNorm(`${name}.bn2`, y, true), 6);
    y = builder.octaveConv(`${name}.conv3`, y, {
      inChannels: mid,
      outChannels: outC,
      alphaIn: a,
      alphaOut: 0,
      kernelSize: 1,
      padding: 0,
      strideMode: 'pool',
    });
    y = builder.batchNorm(`${name}.bn3`, y, true);
    if (stride === 1 && inC === outC && String(y.high) === String(blockInput.high)) {
      builder.add(`${name}.add`, y);
    }
    x = y;
  });
  const last = m > 1 ? w(1280) : 1280;
  x = builder.conv2d('tail_conv', x, { outChannels: last, kernelSize: 1, bias: false });
  x = builder.relu('tail_relu', builder.batchNorm('tail_bn', x, false), 6);
  x = builder.globalAvgPool('avgpool', x);
  return builder.finish(builder.linear('classifier', x, o.numClasses));
}
