// Builds one OctConv case twice, as tfjs tensors and as float64 references with identical
// values, runs both (forward and gradients) and compares. Shared by the property tests and the
// fixed regression cases.

import {
  assertClose,
  createRandom,
  RefGraph,
  type RefPathName,
  type RefTensor,
  randomPair,
  refOctaveConv,
  type Tolerance,
} from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect } from 'vitest';
import {
  InvalidArgumentError,
  type OctaveConvWeights,
  octaveConv2d,
  octaveMerge,
  type StrideMode,
} from '../src/index';

export interface OctaveCase {
  batch: number;
  height: number;
  width: number;
  channelsIn: { high: number; low: number };
  channelsOut: { high: number; low: number };
  /** Square size, or `[height, width]`. */
  kernel: number | [number, number];
  stride: 1 | 2;
  strideMode: StrideMode;
  dilation: number;
  padding: number | 'same';
  groups: number;
  bias: boolean;
  seed: number;
}

/** A small ordinary layer (α = .5 in, 4→6/2 channels, 3×3, stride 1); cases vary it. */
export const BASE_CASE: OctaveCase = {
  batch: 2,
  height: 8,
  width: 8,
  channelsIn: { high: 4, low: 4 },
  channelsOut: { high: 6, low: 2 },
  kernel: 3,
  stride: 1,
  strideMode: 'pool',
  dilation: 1,
  padding: 1,
  groups: 1,
  bias: false,
  seed: 1,
};

const PATHS: { name: RefPathName; from: 'high' | 'low'; to: 'high' | 'low' }[] = [
  { name: 'hh', from: 'high', to: 'high' },
  { name: 'hl', from: 'high', to: 'low' },
  { name: 'lh', from: 'low', to: 'high' },
  { name: 'll', from: 'low', to: 'low' },
];

/** Random valid OctConv configurations: every path shape, groups kind, odd sizes, both modes. */
export function octaveCaseArbitrary(): fc.Arbitrary<OctaveCase> {
  const bands = (max: number) =>
    fc
      .record({ high: fc.integer({ min: 0, max }), low: fc.integer({ min: 0, max }) })
      .filter((b) => b.high + b.low > 0);
  const channels = fc.oneof(
    // plain: any split, including α = 0 and α = 1 on either side
    fc.record({ groups: fc.constant(1), channelsIn: bands(4), channelsOut: bands(4) }),
    // grouped: every band a multiple of g
    fc
      .record({
        g: fc.constantFrom(2, 3),
        inH: fc.integer({ min: 0, max: 2 }),
        inL: fc.integer({ min: 0, max: 2 }),
        outH: fc.integer({ min: 0, max: 2 }),
        outL: fc.integer({ min: 0, max: 2 }),
      })
      .filter((c) => c.inH + c.inL > 1 && c.outH + c.outL > 0) // g = all input channels is depthwise
      .map((c) => ({
        groups: c.g,
        channelsIn: { high: c.g * c.inH, low: c.g * c.inL },
        channelsOut: { high: c.g * c.outH, low: c.g * c.outL },
      })),
    // depthwise: groups = input channels, each band to itself with a channel multiplier
    fc
      .record({
        high: fc.integer({ min: 0, max: 4 }),
        low: fc.integer({ min: 0, max: 4 }),
        m: fc.constantFrom(1, 2),
      })
      .filter((c) => c.high + c.low > 1)
      .map((c) => ({
        groups: c.high + c.low,
        channelsIn: { high: c.high, low: c.low },
        channelsOut: { high: c.m * c.high, low: c.m * c.low },
      })),
  );
  return fc
    .record({
      batch: fc.integer({ min: 1, max: 4 }),
      height: fc.integer({ min: 1, max: 9 }),
      width: fc.integer({ min: 1, max: 9 }),
      channels,
      kernel: fc.oneof(
        fc.constantFrom(1, 2, 3, 5, 7),
        fc.tuple(fc.constantFrom(1, 2, 3, 5), fc.constantFrom(1, 2, 3, 5)),
      ),
      stride: fc.constantFrom(1 as const, 2 as const),
      strideMode: fc.constantFrom<StrideMode>('pool', 'conv'),
      dilation: fc.constantFrom(1, 1, 2),
      paddingKind: fc.constantFrom('same', 'matched', 'matched', 'any'),
      anyPadding: fc.integer({ min: 0, max: 3 }),
      bias: fc.boolean(),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    })
    .map((c) => {
      const dilation = c.stride === 2 && c.strideMode === 'conv' ? 1 : c.dilation;
      const [kh, kw] = typeof c.kernel === 'number' ? [c.kernel, c.kernel] : c.kernel;
      const span = (kh - 1) * dilation + 1;
      // 'matched': the symmetric padding that keeps the size (odd square spans only, else
      // 'same'); 'any': a number that usually breaks low = ceil(high / 2), to test the refusal.
      const matched = kh === kw && span % 2 === 1 ? (span - 1) / 2 : ('same' as const);
      const padding =
        c.paddingKind === 'same'
          ? ('same' as const)
          : c.paddingKind === 'any'
            ? c.anyPadding
            : matched;
      return {
        batch: c.batch,
        height: c.height,
        width: c.width,
        ...c.channels,
        kernel: c.kernel,
        stride: c.stride,
        strideMode: c.strideMode,
        dilation,
        padding,
        bias: c.bias,
        seed: c.seed,
      };
    });
}

export function kernelOf(c: OctaveCase): [number, number] {
  return typeof c.kernel === 'number' ? [c.kernel, c.kernel] : c.kernel;
}

function isDepthwise(c: OctaveCase): boolean {
  return c.groups > 1 && c.groups === c.channelsIn.high + c.channelsIn.low;
}

/** Paths that exist for a case: both bands have channels, and same-band only when depthwise. */
export function casePaths(c: OctaveCase): typeof PATHS {
  return PATHS.filter(
    (p) =>
      c.channelsIn[p.from] > 0 && c.channelsOut[p.to] > 0 && (!isDepthwise(c) || p.from === p.to),
  );
}

export interface BuiltCase {
  graph: RefGraph;
  inputs: { high: tf.Tensor4D | null; low: tf.Tensor4D | null };
  weights: OctaveConvWeights;
  /** Every tensor made, in the order gradients are taken. */
  sources: tf.Tensor[];
  refSources: RefTensor[];
  refInputs: { high: RefTensor | null; low: RefTensor | null };
  refWeights: Partial<Record<RefPathName, { filter: RefTensor; bias: RefTensor | null }>>;
  dispose(): void;
}

export function buildCase(c: OctaveCase): BuiltCase {
  const graph = new RefGraph();
  const random = createRandom(c.seed);
  const sources: tf.Tensor[] = [];
  const refSources: RefTensor[] = [];
  const lowH = Math.ceil(c.height / 2);
  const lowW = Math.ceil(c.width / 2);
  const band = (channels: number, h: number, w: number) => {
    if (channels === 0) return null;
    const pair = randomPair(graph, random, [c.batch, h, w, channels]);
    sources.push(pair.tensor);
    refSources.push(pair.ref);
    return pair;
  };
  const high = band(c.channelsIn.high, c.height, c.width);
  const low = band(c.channelsIn.low, lowH, lowW);
  const weights: OctaveConvWeights = {};
  const refWeights: BuiltCase['refWeights'] = {};
  const depthwise = isDepthwise(c);
  for (const path of casePaths(c)) {
    const cin = c.channelsIn[path.from];
    const cout = c.channelsOut[path.to];
    const groups = depthwise ? cin : c.groups;
    const [kh, kw] = kernelOf(c);
    const fanIn = (cin / groups) * kh * kw;
    const filter = randomPair(graph, random, [kh, kw, cin / groups, cout], 1 / Math.sqrt(fanIn));
    sources.push(filter.tensor);
    refSources.push(filter.ref);
    let bias: ReturnType<typeof randomPair> | null = null;
    if (c.bias) {
      bias = randomPair(graph, random, [cout]);
      sources.push(bias.tensor);
      refSources.push(bias.ref);
    }
    weights[path.name] = {
      filter: filter.tensor as tf.Tensor4D,
      ...(bias && { bias: bias.tensor as tf.Tensor1D }),
    };
    refWeights[path.name] = { filter: filter.ref, bias: bias?.ref ?? null };
  }
  return {
    graph,
    inputs: {
      high: (high?.tensor as tf.Tensor4D) ?? null,
      low: (low?.tensor as tf.Tensor4D) ?? null,
    },
    weights,
    sources,
    refSources,
    refInputs: { high: high?.ref ?? null, low: low?.ref ?? null },
    refWeights,
    dispose: () => tf.dispose(sources),
  };
}

/**
 * The reference outputs, or null when the configuration has no valid OctConv: paths that cannot
 * be added (the reference's up/add refuse), an empty band, or two output bands that break
 * low = ceil(high / 2).
 */
export function referenceIfValid(built: BuiltCase, options: ReturnType<typeof caseOptions>) {
  let ref: ReturnType<typeof refOctaveConv>;
  try {
    ref = refOctaveConv(built.graph, built.refInputs, built.refWeights, options);
  } catch {
    return null;
  }
  const bands = [ref.high, ref.low].filter((band) => band !== null);
  if (bands.some((band) => band.shape[1]! < 1 || band.shape[2]! < 1)) return null;
  if (
    ref.high &&
    ref.low &&
    (ref.low.shape[1] !== Math.ceil(ref.high.shape[1]! / 2) ||
      ref.low.shape[2] !== Math.ceil(ref.high.shape[2]! / 2))
  ) {
    return null;
  }
  return ref;
}

export function caseOptions(c: OctaveCase) {
  return {
    stride: c.stride,
    strideMode: c.strideMode,
    padding: c.padding,
    dilation: c.dilation,
    groups: c.groups,
  };
}

/**
 * Runs forward and backward on the active backend and on the reference, and throws on any
 * difference beyond `tolerance` or any leaked tensor. Gradients are of
 * `L = Σ R ⊙ octaveMerge(octaveConv2d(x))` for a random R, so both output bands and every input,
 * filter and bias are covered with tfjs-core's (empty) gradient registry.
 */
export async function checkCase(
  c: OctaveCase,
  tolerance: Tolerance,
  gradients: boolean,
): Promise<void> {
  const label = JSON.stringify(c);
  const before = tf.memory().numTensors;
  const built = buildCase(c);
  try {
    const options = caseOptions(c);
    const ref = referenceIfValid(built, options);
    if (ref === null) {
      // The reference cannot combine the paths (or gives empty or mismatched bands): the op must
      // refuse the padding, as an InvalidArgumentError, before doing anything.
      let error: unknown;
      try {
        octaveConv2d(built.inputs, built.weights, options);
      } catch (e) {
        error = e;
      }
      expect(InvalidArgumentError.isInstance(error), `${label}: ${error}`).toBe(true);
      expect((error as InvalidArgumentError).argument).toBe('options.padding');
      return;
    }
    const y = octaveConv2d(built.inputs, built.weights, options);
    try {
      for (const band of ['high', 'low'] as const) {
        const expected = ref[band];
        const actual = y[band];
        if ((expected === null) !== (actual === null)) {
          throw new Error(
            `${label}: ${band} band is ${actual ? 'present' : 'null'}, reference disagrees`,
          );
        }
        if (!expected || !actual) continue;
        if (actual.shape.join() !== expected.shape.join()) {
          throw new Error(
            `${label}: ${band} shape [${actual.shape}] vs reference [${expected.shape}]`,
          );
        }
        assertClose(`${label} ${band}`, await actual.data(), expected.data, tolerance);
      }
    } finally {
      tf.dispose([y.high, y.low].filter((t): t is tf.Tensor4D => t !== null));
    }
    if (!gradients) return;

    // Reference merge, then the loss seed R and the adjoint pass.
    const merged =
      ref.high && ref.low
        ? built.graph.concatChannels(
            ref.high,
            built.graph.up(ref.low, ref.high.shape[1]!, ref.high.shape[2]!),
          )
        : (ref.high ?? built.graph.up(ref.low!, 2 * ref.low!.shape[1]!, 2 * ref.low!.shape[2]!));
    const random = createRandom(c.seed ^ 0x5bd1e995);
    const seed = Float32Array.from({ length: merged.data.length }, () => random() * 2 - 1);
    built.graph.backward([[merged, seed]]);

    const dy = tf.tensor(seed, merged.shape);
    const names = built.sources;
    const grads = tf.grads((...args: tf.Tensor[]) => {
      let k = 0;
      const next = () => args[k++]!;
      const inputs = {
        high: built.inputs.high ? (next() as tf.Tensor4D) : null,
        low: built.inputs.low ? (next() as tf.Tensor4D) : null,
      };
      const weights: OctaveConvWeights = {};
      for (const path of casePaths(c)) {
        const filter = next() as tf.Tensor4D;
        weights[path.name] = c.bias ? { filter, bias: next() as tf.Tensor1D } : { filter };
      }
      return octaveMerge(octaveConv2d(inputs, weights, options));
    })(names, dy);
    try {
      for (let i = 0; i < grads.length; i++) {
        const shapeLabel = `[${built.sources[i]!.shape}]`;
        assertClose(
          `${label} grad #${i} ${shapeLabel}`,
          await grads[i]!.data(),
          built.refSources[i]!.grad,
          tolerance,
        );
      }
    } finally {
      tf.dispose([dy, ...grads]);
    }
  } finally {
    built.dispose();
  }
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) throw new Error(`${label}: ${leaked} tensors leaked`);
}
