import {
  type BandShapes,
  convOutputSize,
  InvalidArgumentError,
  type LayerDescription,
  type ModelDescription,
  octaveConvOutputShape,
  resolvePadding,
  roundHalfEven,
  ShapeMismatchError,
} from '@octconv/core/shape';

/** Bytes per activation element: float32, what every tfjs backend stores. */
export const BYTES_PER_ELEMENT = 4;

/** Work and memory counts, of one layer or summed over a description (for its batch). */
export interface AnalysisTotals {
  /** Trainable values (PyTorch's `parameters()`; batch-norm running statistics are buffers). */
  params: number;
  /** Multiply-adds of convolutions and linear layers: what the paper calls FLOPs. */
  convMacs: number;
  /** Multiply-adds of batch norm in inference form (one per element: `x · scale + shift`). */
  normMacs: number;
  /** `convMacs + normMacs`. */
  macs: number;
  /** `2 · macs`: a multiply and an add each. */
  flops: number;
  /**
   * Element-wise work the paper does not count: pooling (one add per input element read, or a
   * comparison per window element for max pooling), upsampling (one write per output element),
   * additions and ReLU (one per element), channel concatenation (one copy per element).
   */
  otherOps: number;
  /** Output bytes (float32), both bands; in totals, the sum over every layer's output. */
  activationBytes: number;
}

/** Work and memory of one layer. */
export interface LayerAnalysis extends AnalysisTotals {
  index: number;
  name: string;
  kind: LayerDescription['kind'];
  input: BandShapes;
  output: BandShapes;
  /** Output elements per band. */
  activations: { high: number; low: number };
}

/** {@link analyze}'s result: per layer, and totals. */
export interface Analysis {
  module: string;
  input: BandShapes;
  output: BandShapes;
  layers: LayerAnalysis[];
  totals: AnalysisTotals;
}

const KINDS = new Set<string>([
  'octave-conv',
  'conv2d',
  'batch-norm',
  'relu',
  'max-pool',
  'global-avg-pool',
  'linear',
  'octave-split',
  'octave-merge',
  'add',
]);

const FUNCTION_NAME = 'analyze';

function invalid(argument: string, value: unknown, message: string): never {
  throw new InvalidArgumentError({
    functionName: FUNCTION_NAME,
    argument,
    value,
    message: `${argument} ${message}`,
  });
}

function product(shape: readonly number[] | null): number {
  return shape === null ? 0 : shape.reduce((a, b) => a * b, 1);
}

function checkShape(argument: string, shape: unknown): number[] | null {
  if (shape === null) return null;
  if (
    !Array.isArray(shape) ||
    shape.length < 2 ||
    shape.length > 4 ||
    !shape.every((n) => Number.isSafeInteger(n) && n >= 1) ||
    product(shape as number[]) > Number.MAX_SAFE_INTEGER
  ) {
    invalid(
      argument,
      shape,
      `must be null or a list of 2 to 4 integers ≥ 1, got ${JSON.stringify(shape)}`,
    );
  }
  return shape as number[];
}

function checkBands(argument: string, value: unknown): BandShapes {
  if (typeof value !== 'object' || value === null || !('high' in value) || !('low' in value)) {
    invalid(argument, value, `must be { high, low } shapes, got ${JSON.stringify(value)}`);
  }
  const bands = value as BandShapes;
  const high = checkShape(`${argument}.high`, bands.high);
  const low = checkShape(`${argument}.low`, bands.low);
  if (high === null && low === null) invalid(argument, value, 'has no band');
  return { high, low };
}

function checkCount(argument: string, value: unknown): number {
  if (!(Number.isSafeInteger(value) && (value as number) >= 1)) {
    invalid(argument, value, `must be an integer ≥ 1, got ${JSON.stringify(value)}`);
  }
  return value as number;
}

const key = (shape: readonly number[]) => shape.join('×');

function sameBands(a: BandShapes, b: BandShapes): boolean {
  const same = (x: number[] | null, y: number[] | null) =>
    x === y || (x !== null && y !== null && key(x) === key(y));
  return same(a.high, b.high) && same(a.low, b.low);
}

function mismatch(index: number, name: string, message: string): never {
  throw new ShapeMismatchError({
    functionName: FUNCTION_NAME,
    message: `layers[${index}] (${name || 'root'}): ${message}`,
  });
}

/**
 * Parameters, multiply-adds, other element-wise work and activation memory of every layer of a
 * description (a model's `describe()`, or a `describe*` helper of this package), and their
 * totals. Counts are for the described batch; FLOPs are 2 × MACs.
 *
 * The description is validated first: known layer kinds, integer channels and shapes, α in
 * [0, 1], each layer's input produced by an earlier layer (or the model input), and every
 * convolution's output equal to what its hyper-parameters give.
 *
 * @throws InvalidArgumentError / ShapeMismatchError naming the layer index and field.
 */
export function analyze(description: ModelDescription): Analysis {
  if (
    typeof description !== 'object' ||
    description === null ||
    !Array.isArray(description.layers)
  ) {
    invalid(
      'description',
      description,
      'must be a model description { module, input, output, layers: [...] }',
    );
  }
  const modelInput = checkBands('description.input', description.input);
  const available = new Set<string>();
  for (const shape of [modelInput.high, modelInput.low]) if (shape) available.add(key(shape));
  const layers: LayerAnalysis[] = [];
  description.layers.forEach((layer, index) => {
    const at = `layers[${index}]`;
    if (
      typeof layer !== 'object' ||
      layer === null ||
      !KINDS.has((layer as { kind?: string }).kind!)
    ) {
      invalid(
        `${at}.kind`,
        (layer as { kind?: unknown })?.kind,
        `must be one of ${[...KINDS].join(', ')}, got ${JSON.stringify((layer as { kind?: unknown })?.kind)}`,
      );
    }
    const name =
      typeof layer.name === 'string'
        ? layer.name
        : invalid(`${at}.name`, layer.name, 'must be a string');
    const input = checkBands(`${at}.input`, layer.input);
    const output = checkBands(`${at}.output`, layer.output);
    for (const shape of [input.high, input.low]) {
      if (shape && !available.has(key(shape))) {
        mismatch(
          index,
          name,
          `input [${shape.join(', ')}] is not produced by any earlier layer or the model input`,
        );
      }
    }
    checkOutput(index, layer, input, output);
    const counts = countLayer(index, layer, input, output);
    for (const shape of [output.high, output.low]) if (shape) available.add(key(shape));
    const activations = { high: product(output.high), low: product(output.low) };
    const macs = counts.convMacs + counts.normMacs;
    layers.push({
      index,
      name,
      kind: layer.kind,
      input,
      output,
      ...counts,
      macs,
      flops: 2 * macs,
      activations,
      activationBytes: (activations.high + activations.low) * BYTES_PER_ELEMENT,
    });
  });
  const totals: AnalysisTotals = {
    params: 0,
    convMacs: 0,
    normMacs: 0,
    macs: 0,
    flops: 0,
    otherOps: 0,
    activationBytes: 0,
  };
  for (const layer of layers) {
    for (const field of Object.keys(totals) as (keyof AnalysisTotals)[])
      totals[field] += layer[field];
  }
  const modelOutput = checkBands('description.output', description.output);
  const last = layers[layers.length - 1];
  if (last && !sameBands(last.output, modelOutput)) {
    mismatch(
      last.index,
      last.name,
      `the description's output ${JSON.stringify(modelOutput)} is not this last layer's ${JSON.stringify(last.output)}`,
    );
  }
  return {
    module: String(description.module),
    input: modelInput,
    output: modelOutput,
    layers,
    totals,
  };
}

/** Checks the output of the kinds whose output follows from the input alone. */
function checkOutput(
  index: number,
  layer: LayerDescription,
  input: BandShapes,
  output: BandShapes,
): void {
  const at = `layers[${index}]`;
  const expect = (expected: BandShapes) => {
    if (!sameBands(expected, output)) {
      mismatch(
        index,
        layer.name,
        `output ${JSON.stringify(output)}, the input gives ${JSON.stringify(expected)}`,
      );
    }
  };
  const high = input.high;
  switch (layer.kind) {
    case 'relu':
    case 'add':
      expect(input);
      return;
    case 'batch-norm':
      if ((input.high === null) === (input.low === null))
        mismatch(index, layer.name, 'batch norm takes exactly one band');
      expect(input);
      return;
    case 'max-pool': {
      const kernel = checkCount(`${at}.kernelSize`, layer.kernelSize);
      const stride = checkCount(`${at}.stride`, layer.stride);
      const padding = layer.padding;
      if (!(Number.isSafeInteger(padding) && padding >= 0 && padding <= kernel / 2)) {
        invalid(
          `${at}.padding`,
          padding,
          `must be an integer from 0 to half the kernel, got ${JSON.stringify(padding)}`,
        );
      }
      if (high === null || high.length !== 4 || input.low !== null)
        mismatch(index, layer.name, 'max pooling takes one feature map');
      const size = (n: number) => Math.floor((n + 2 * padding - kernel) / stride) + 1;
      expect({ high: [high[0]!, size(high[1]!), size(high[2]!), high[3]!], low: null });
      return;
    }
    case 'global-avg-pool':
      if (high === null || high.length !== 4 || input.low !== null)
        mismatch(index, layer.name, 'global pooling takes one feature map');
      expect({ high: [high[0]!, high[3]!], low: null });
      return;
    case 'linear':
      if (high === null || high.length !== 2 || input.low !== null)
        mismatch(index, layer.name, 'a linear layer takes [batch, features]');
      expect({ high: [high[0]!, layer.outFeatures], low: null });
      return;
    case 'octave-split': {
      const alpha = layer.alpha;
      if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1)) {
        invalid(`${at}.alpha`, alpha, `must be a number in [0, 1], got ${JSON.stringify(alpha)}`);
      }
      if (high === null || high.length !== 4 || input.low !== null)
        mismatch(index, layer.name, 'a split takes one feature map');
      const low = roundHalfEven(high[3]! * alpha);
      const half = (n: number) => Math.ceil(n / 2);
      expect({
        high: high[3]! - low > 0 ? [high[0]!, high[1]!, high[2]!, high[3]! - low] : null,
        low: low > 0 ? [high[0]!, half(high[1]!), half(high[2]!), low] : null,
      });
      return;
    }
    case 'octave-merge': {
      const reference = (input.high ?? input.low)!;
      if (reference.length !== 4) mismatch(index, layer.name, 'a merge takes feature maps');
      const [batch, height, width] = input.high ?? [
        reference[0]!,
        2 * reference[1]!,
        2 * reference[2]!,
      ];
      expect({
        high: [batch!, height!, width!, (input.high?.[3] ?? 0) + (input.low?.[3] ?? 0)],
        low: null,
      });
      return;
    }
    default:
      return;
  }
}

function countLayer(
  index: number,
  layer: LayerDescription,
  input: BandShapes,
  output: BandShapes,
): { params: number; convMacs: number; normMacs: number; otherOps: number } {
  const at = `layers[${index}]`;
  const zero = { params: 0, convMacs: 0, normMacs: 0, otherOps: 0 };
  switch (layer.kind) {
    case 'octave-conv': {
      const { spec } = layer;
      if (typeof spec !== 'object' || spec === null)
        invalid(`${at}.spec`, spec, 'must be an OctConv spec');
      for (const field of ['alphaIn', 'alphaOut'] as const) {
        const alpha = spec[field];
        if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1)) {
          invalid(
            `${at}.spec.${field}`,
            alpha,
            `must be a number in [0, 1], got ${JSON.stringify(alpha)}`,
          );
        }
      }
      for (const field of [
        'stride',
        'padding',
        'dilation',
        'groups',
        'strideMode',
        'kernelSize',
      ] as const) {
        if (spec[field] === undefined) invalid(`${at}.spec.${field}`, undefined, 'is missing');
      }
      for (const field of ['inChannels', 'outChannels', 'batch', 'height', 'width'] as const)
        checkCount(`${at}.spec.${field}`, spec[field]);
      let plan: ReturnType<typeof octaveConvOutputShape>;
      try {
        plan = octaveConvOutputShape(spec);
      } catch (error) {
        mismatch(index, layer.name, (error as Error).message);
      }
      if (!sameBands(plan.input, input)) {
        mismatch(
          index,
          layer.name,
          `input ${JSON.stringify(input)} differs from the spec's ${JSON.stringify(plan.input)}`,
        );
      }
      if (!sameBands(plan.output, output)) {
        mismatch(
          index,
          layer.name,
          `output ${JSON.stringify(output)} differs from the spec's ${JSON.stringify(plan.output)}`,
        );
      }
      const [kh, kw] = plan.kernel;
      let params = 0;
      let convMacs = 0;
      let otherOps = 0;
      const pooled = new Set<string>();
      for (const path of Object.values(plan.paths)) {
        if (path === null) continue;
        const perOutput = (path.inChannels / path.groups) * kh * kw;
        params += perOutput * path.outChannels + (layer.bias ? path.outChannels : 0);
        convMacs +=
          plan.batch * path.convOutput[0] * path.convOutput[1] * path.outChannels * perOutput;
        // Each distinct pooled input is computed once (one add per element read).
        const source = path.from === 'high' ? plan.input.high! : plan.input.low!;
        let [h, w] = [source[1]!, source[2]!];
        for (let times = 1; times <= path.downsample; times++) {
          const tag = `${path.from}${times}`;
          if (!pooled.has(tag)) otherOps += plan.batch * h * w * path.inChannels;
          pooled.add(tag);
          [h, w] = [Math.ceil(h / 2), Math.ceil(w / 2)];
        }
        if (path.upsample) otherOps += product(plan.output.high);
      }
      // One addition per element where two paths meet.
      const meet = (to: 'high' | 'low') =>
        Object.values(plan.paths).filter((p) => p?.to === to).length;
      otherOps += Math.max(meet('high') - 1, 0) * product(plan.output.high);
      otherOps += Math.max(meet('low') - 1, 0) * product(plan.output.low);
      return { params, convMacs, normMacs: 0, otherOps };
    }
    case 'conv2d': {
      const inChannels = checkCount(`${at}.inChannels`, layer.inChannels);
      const outChannels = checkCount(`${at}.outChannels`, layer.outChannels);
      const groups = checkCount(`${at}.groups`, layer.groups);
      const [kh, kw] = Array.isArray(layer.kernelSize)
        ? layer.kernelSize
        : invalid(`${at}.kernelSize`, layer.kernelSize, 'must be [height, width]');
      checkCount(`${at}.kernelSize[0]`, kh);
      checkCount(`${at}.kernelSize[1]`, kw);
      if (inChannels % groups !== 0 || outChannels % groups !== 0) {
        invalid(
          `${at}.groups`,
          groups,
          `must divide inChannels ${inChannels} and outChannels ${outChannels}, got ${groups}`,
        );
      }
      if (
        layer.padding !== 'same' &&
        !(Number.isSafeInteger(layer.padding) && (layer.padding as number) >= 0)
      ) {
        invalid(
          `${at}.padding`,
          layer.padding,
          `must be an integer ≥ 0 or 'same', got ${JSON.stringify(layer.padding)}`,
        );
      }
      if (input.high?.[3] !== inChannels || output.high?.[3] !== outChannels) {
        mismatch(
          index,
          layer.name,
          `channels ${inChannels} → ${outChannels} do not match the shapes ${JSON.stringify(input.high)} → ${JSON.stringify(output.high)}`,
        );
      }
      const stride = checkCount(`${at}.stride`, layer.stride);
      const dilation = checkCount(`${at}.dilation`, layer.dilation);
      const [batch, height, width] = input.high!;
      const size = (n: number, k: number) =>
        convOutputSize(
          n,
          k,
          stride,
          dilation,
          resolvePadding(layer.padding, n, k, stride, dilation),
        );
      const expected = [batch!, size(height!, kh), size(width!, kw), outChannels];
      if (key(expected) !== key(output.high!)) {
        mismatch(
          index,
          layer.name,
          `output [${output.high!.join(', ')}], the kernel, stride and padding give [${expected.join(', ')}]`,
        );
      }
      const perOutput = (inChannels / groups) * kh * kw;
      return {
        params: perOutput * outChannels + (layer.bias ? outChannels : 0),
        convMacs: product(output.high) * perOutput,
        normMacs: 0,
        otherOps: 0,
      };
    }
    case 'batch-norm': {
      const channels = checkCount(`${at}.channels`, layer.channels);
      const shape = (input.high ?? input.low)!;
      if (shape[shape.length - 1] !== channels)
        mismatch(index, layer.name, `${channels} channels, input ${JSON.stringify(shape)}`);
      return { ...zero, params: 2 * channels, normMacs: product(shape) };
    }
    case 'linear': {
      const inFeatures = checkCount(`${at}.inFeatures`, layer.inFeatures);
      const outFeatures = checkCount(`${at}.outFeatures`, layer.outFeatures);
      if (input.high?.[1] !== inFeatures || output.high?.[1] !== outFeatures) {
        mismatch(
          index,
          layer.name,
          `features ${inFeatures} → ${outFeatures} do not match the shapes ${JSON.stringify(input.high)} → ${JSON.stringify(output.high)}`,
        );
      }
      return {
        ...zero,
        params: inFeatures * outFeatures + (layer.bias ? outFeatures : 0),
        convMacs: product(output.high) * inFeatures,
      };
    }
    case 'relu':
    case 'add':
      return { ...zero, otherOps: product(output.high) + product(output.low) };
    case 'max-pool':
      return {
        ...zero,
        otherOps: product(output.high) * checkCount(`${at}.kernelSize`, layer.kernelSize) ** 2,
      };
    case 'global-avg-pool':
      return { ...zero, otherOps: product(input.high) };
    case 'octave-split':
      return { ...zero, otherOps: product(input.high) };
    case 'octave-merge': {
      // Upsampling writes the low channels at full size; the concatenation copies everything.
      const merged = product(output.high);
      const lowShare = input.low ? (merged / output.high![3]!) * input.low[3]! : 0;
      return { ...zero, otherOps: merged + lowShare };
    }
  }
}
