import {
  type BandShapes,
  convOutputSize,
  type LayerDescription,
  type ModelDescription,
  type OctaveConvLayerDescription,
  octaveConvOutputShape,
  type Padding,
  resolvePadding,
  type StrideMode,
  splitChannels,
} from '@octconv/core/shape';

/** Hyper-parameters of one OctConv layer for {@link DescriptionBuilder.octaveConv}. */
export interface OctaveConvParameters {
  inChannels: number;
  outChannels: number;
  alphaIn: number;
  alphaOut: number;
  kernelSize?: number | [number, number];
  stride?: 1 | 2;
  padding?: Padding;
  dilation?: number;
  groups?: number;
  strideMode?: StrideMode;
  bias?: boolean;
}

/**
 * @internal Builds a {@link ModelDescription} layer by layer, computing each output from its
 * input with the same shape rules as `@octconv/core` — the tfjs-free twin of the models'
 * `describe()`, so that whole networks can be analysed without creating their weights.
 */
export class DescriptionBuilder {
  readonly layers: LayerDescription[] = [];

  constructor(
    readonly module: string,
    readonly input: BandShapes,
  ) {}

  finish(output: BandShapes): ModelDescription {
    return { module: this.module, input: this.input, output, layers: this.layers };
  }

  conv2d(
    name: string,
    input: BandShapes,
    options: {
      outChannels: number;
      kernelSize: number;
      stride?: number;
      padding?: Padding;
      bias?: boolean;
    },
  ): BandShapes {
    const [batch, height, width, inChannels] = input.high as number[];
    const { outChannels, kernelSize: k, stride = 1, padding = 0, bias = true } = options;
    const size = (n: number) =>
      convOutputSize(n, k, stride, 1, resolvePadding(padding, n, k, stride, 1));
    const output: BandShapes = {
      high: [batch!, size(height!), size(width!), outChannels],
      low: null,
    };
    this.layers.push({
      kind: 'conv2d',
      name,
      input,
      output,
      inChannels: inChannels!,
      outChannels,
      kernelSize: [k, k],
      stride,
      padding,
      dilation: 1,
      groups: 1,
      bias,
    });
    return output;
  }

  /** One batch norm per present band, named `${name}` for a plain map or `${name}.bn_h`/`.bn_l`. */
  batchNorm(name: string, input: BandShapes, perBand: boolean): BandShapes {
    const push = (label: string, shapes: BandShapes, shape: number[]) =>
      this.layers.push({
        kind: 'batch-norm',
        name: label,
        input: shapes,
        output: shapes,
        channels: shape[3]!,
      });
    if (!perBand) {
      push(name, input, input.high!);
      return input;
    }
    if (input.high) push(`${name}.bn_h`, { high: input.high, low: null }, input.high);
    if (input.low) push(`${name}.bn_l`, { high: null, low: input.low }, input.low);
    return input;
  }

  /** ReLU, or ReLU6 with `max` 6. */
  relu(name: string, input: BandShapes, max?: number): BandShapes {
    this.layers.push({
      kind: 'relu',
      name,
      input,
      output: input,
      ...(max !== undefined && { max }),
    });
    return input;
  }

  octaveConv(name: string, input: BandShapes, parameters: OctaveConvParameters): BandShapes {
    const reference = (input.high ?? input.low)!;
    const batch = reference[0]!;
    const height = input.high ? input.high[1]! : 2 * input.low![1]!;
    const width = input.high ? input.high[2]! : 2 * input.low![2]!;
    const kernel = parameters.kernelSize ?? 3;
    const spec: OctaveConvLayerDescription['spec'] = {
      batch,
      height,
      width,
      inChannels: parameters.inChannels,
      outChannels: parameters.outChannels,
      alphaIn: parameters.alphaIn,
      alphaOut: parameters.alphaOut,
      kernelSize: typeof kernel === 'number' ? [kernel, kernel] : [...kernel],
      stride: parameters.stride ?? 1,
      padding: parameters.padding ?? 1,
      dilation: parameters.dilation ?? 1,
      groups: parameters.groups ?? 1,
      strideMode: parameters.strideMode ?? 'pool',
    };
    const plan = octaveConvOutputShape(spec);
    const output: BandShapes = { high: plan.output.high, low: plan.output.low };
    this.layers.push({
      kind: 'octave-conv',
      name,
      input,
      output,
      spec,
      channels: {
        in: splitChannels(parameters.inChannels, parameters.alphaIn),
        out: splitChannels(parameters.outChannels, parameters.alphaOut),
      },
      bias: parameters.bias ?? false,
    });
    return output;
  }

  octaveSplit(name: string, input: BandShapes, alpha: number): BandShapes {
    const [batch, height, width, channels] = input.high as number[];
    const split = splitChannels(channels!, alpha);
    const output: BandShapes = {
      high: split.high > 0 ? [batch!, height!, width!, split.high] : null,
      low:
        split.low > 0 ? [batch!, Math.ceil(height! / 2), Math.ceil(width! / 2), split.low] : null,
    };
    this.layers.push({ kind: 'octave-split', name, input, output, alpha });
    return output;
  }

  octaveMerge(name: string, input: BandShapes): BandShapes {
    const size = input.high ?? [input.low![0]!, 2 * input.low![1]!, 2 * input.low![2]!];
    const channels = (input.high?.[3] ?? 0) + (input.low?.[3] ?? 0);
    const output: BandShapes = { high: [size[0]!, size[1]!, size[2]!, channels], low: null };
    this.layers.push({ kind: 'octave-merge', name, input, output });
    return output;
  }

  maxPool(
    name: string,
    input: BandShapes,
    kernelSize: number,
    stride: number,
    padding: number,
  ): BandShapes {
    const [batch, height, width, channels] = input.high as number[];
    const size = (n: number) => Math.floor((n + 2 * padding - kernelSize) / stride) + 1;
    const output: BandShapes = {
      high: [batch!, size(height!), size(width!), channels!],
      low: null,
    };
    this.layers.push({ kind: 'max-pool', name, input, output, kernelSize, stride, padding });
    return output;
  }

  globalAvgPool(name: string, input: BandShapes): BandShapes {
    const output: BandShapes = { high: [input.high![0]!, input.high![3]!], low: null };
    this.layers.push({ kind: 'global-avg-pool', name, input, output });
    return output;
  }

  linear(name: string, input: BandShapes, outFeatures: number, bias = true): BandShapes {
    const [batch, inFeatures] = input.high as number[];
    const output: BandShapes = { high: [batch!, outFeatures], low: null };
    this.layers.push({
      kind: 'linear',
      name,
      input,
      output,
      inFeatures: inFeatures!,
      outFeatures,
      bias,
    });
    return output;
  }

  add(name: string, input: BandShapes): BandShapes {
    this.layers.push({ kind: 'add', name, input, output: input });
    return input;
  }
}
