import {
  compareOctaveConv,
  describeMiniOctNet,
  describeOctMobileNetV1,
  describeOctMobileNetV2,
  describeOctResNet,
  sweepAlpha,
} from '@octconv/analysis';
import {
  add,
  compileOctaveConv2d,
  globalAvgPool,
  type OctaveConvWeights,
  softmaxCrossEntropy,
  splitChannels,
} from '@octconv/core';
import {
  compileForInference,
  MiniOctNet,
  OctaveConvBlock,
  type OctMobileNetV1,
  type OctMobileNetV2,
  type OctResNet,
  octMobileNetV1,
  octMobileNetV2,
  octResNet,
} from '@octconv/models';
import * as tf from '@tensorflow/tfjs-core';

/** What a case times: an octave variant and its vanilla twin, on the active backend. */
export interface PreparedCase {
  /** One call; returns what must be downloaded for the call to count as finished. */
  octave(): tf.Tensor | tf.Tensor[];
  vanilla(): tf.Tensor | tf.Tensor[];
  /**
   * What a user has without @octconv, timed for its own column (a bare `tf.conv2d`): the vanilla
   * twin runs the octave variant's compiled path, so the speed-up credits OctConv alone.
   */
  baseline?(): tf.Tensor | tf.Tensor[];
  dispose(): void;
}

/** A benchmark case: an OctConv workload, its vanilla twin, and the speed-up theory allows. */
export interface BenchCase {
  id: string;
  title: string;
  kind: 'layer' | 'block' | 'network' | 'training';
  alpha: number;
  suites: readonly ('default' | 'full')[];
  /** vanilla / octave multiply-adds, from @octconv/analysis. */
  theoretical(): number;
  /** Creates inputs and weights (outside the timed region). */
  setup(seed: number): PreparedCase;
}

const SHAPES = [
  [64, 56],
  [128, 28],
  [256, 14],
] as const;

function normal(shape: number[], seed: number, scale = 1): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.randomNormal(shape, 0, 1, 'float32', seed), scale));
}

/** One square 3×3 layer's vanilla / octave multiply-adds (paper Table 1's FLOPs ratio, inverted). */
function layerTheory(channels: number, size: number, alpha: number): number {
  return compareOctaveConv({
    height: size,
    width: size,
    inChannels: channels,
    outChannels: channels,
    alphaIn: alpha,
    alphaOut: alpha,
  }).theoreticalSpeedup;
}

function layerCase(channels: number, size: number, alpha: number): BenchCase {
  const split = splitChannels(channels, alpha);
  return {
    id: `layer-c${channels}-s${size}-a${alpha}`,
    title: `OctConv 3×3 (compiled), ${channels} ch @ ${size}², α ${alpha} vs the same conv compiled (α 0)`,
    kind: 'layer',
    alpha,
    suites: ['default', 'full'],
    theoretical: () => layerTheory(channels, size, alpha),
    setup(seed) {
      const high = normal([1, size, size, split.high], seed) as tf.Tensor4D;
      const low = normal([1, size / 2, size / 2, split.low], seed + 1) as tf.Tensor4D;
      const scale = 1 / Math.sqrt(9 * channels);
      const w = (cin: number, cout: number, s: number) => ({
        filter: normal([3, 3, cin, cout], s, scale) as tf.Tensor4D,
      });
      const weights: OctaveConvWeights = {
        hh: w(split.high, split.high, seed + 2),
        hl: w(split.high, split.low, seed + 3),
        lh: w(split.low, split.high, seed + 4),
        ll: w(split.low, split.low, seed + 5),
      };
      const x = normal([1, size, size, channels], seed + 6) as tf.Tensor4D;
      const filter = normal([3, 3, channels, channels], seed + 7, scale) as tf.Tensor4D;
      // Inference mode: filters prepared once, fused steps (octaveConv2d is the training path).
      // The plain twin takes the same compiled path (Winograd where the rule picks it).
      const layer = compileOctaveConv2d(weights);
      const plain = compileOctaveConv2d(
        { hh: { filter } },
        { padding: 'same', strideMode: 'conv' },
      );
      tf.dispose(Object.values(weights).map((path) => path!.filter));
      return {
        octave: () => {
          const y = layer.apply({ high, low });
          return [y.high!, y.low!];
        },
        vanilla: () => plain.apply({ high: x, low: null }).high!,
        baseline: () => tf.conv2d(x, filter, 1, 'same'),
        dispose: () => {
          tf.dispose([high, low, x, filter]);
          layer.dispose();
          plain.dispose();
        },
      };
    },
  };
}

function blockCase(channels: number, size: number, alpha: number): BenchCase {
  return {
    id: `block-c${channels}-s${size}-a${alpha}`,
    title: `OctaveConvBlock (compiled: BN folded, bias+ReLU fused), ${channels} ch @ ${size}², α ${alpha} vs the same block compiled at α 0`,
    kind: 'block',
    alpha,
    suites: ['default', 'full'],
    theoretical: () => layerTheory(channels, size, alpha),
    setup(seed) {
      const block = new OctaveConvBlock({
        inChannels: channels,
        outChannels: channels,
        alphaIn: alpha,
        alphaOut: alpha,
        random: seed,
      }).eval();
      const compiled = compileForInference(block);
      // The plain twin: the same block at α 0, compiled the same way.
      const twin = new OctaveConvBlock({
        inChannels: channels,
        outChannels: channels,
        alphaIn: 0,
        alphaOut: 0,
        random: seed + 5,
      }).eval();
      const plain = compileForInference(twin);
      twin.dispose();
      const split = block.oct.channels.in;
      const high = normal([1, size, size, split.high], seed) as tf.Tensor4D;
      const low = normal([1, size / 2, size / 2, split.low], seed + 1) as tf.Tensor4D;
      // What a user has without us, at its best: batch norm folded into the filter and bias,
      // bias and ReLU fused into tfjs's convolution.
      const x = normal([1, size, size, channels], seed + 2) as tf.Tensor4D;
      const filter = normal(
        [3, 3, channels, channels],
        seed + 3,
        1 / Math.sqrt(9 * channels),
      ) as tf.Tensor4D;
      const bias = normal([channels], seed + 4) as tf.Tensor1D;
      return {
        octave: () => {
          const y = compiled.apply({ high, low });
          return [y.high!, y.low!];
        },
        vanilla: () => plain.apply({ high: x, low: null }).high!,
        baseline: () =>
          tf.fused.conv2d({ x, filter, strides: 1, pad: 'same', bias, activation: 'relu' }),
        dispose: () => {
          tf.dispose([high, low, x, filter, bias]);
          compiled.dispose();
          plain.dispose();
          block.dispose();
        },
      };
    },
  };
}

/**
 * A network at `alpha` and its α = 0 twin, both compiled for inference the same way (the modules
 * themselves are disposed once compiled), on one random input of `shape`.
 */
function compiledNetworks(
  make: (alpha: number) => MiniOctNet | OctResNet | OctMobileNetV1 | OctMobileNetV2,
  alpha: number,
  shape: [number, number, number, number],
  seed: number,
): PreparedCase {
  const compile = (a: number) => {
    const net = make(a).eval();
    const compiled = compileForInference(net);
    net.dispose();
    return compiled;
  };
  const octave = compile(alpha);
  const vanilla = compile(0);
  const x = normal(shape, seed) as tf.Tensor4D;
  return {
    octave: () => octave.apply(x),
    vanilla: () => vanilla.apply(x),
    dispose: () => {
      x.dispose();
      octave.dispose();
      vanilla.dispose();
    },
  };
}

function miniCase(alpha: number): BenchCase {
  return {
    id: `mini-oct-net-a${alpha}`,
    title: `MiniOctNet (compiled) α ${alpha} vs α 0 (compiled), 32², batch 8`,
    kind: 'network',
    alpha,
    suites: ['default', 'full'],
    theoretical: () =>
      sweepAlpha((a) => describeMiniOctNet({ alpha: a }, { batch: 8, height: 32 }), [alpha])[0]!
        .theoreticalSpeedup,
    setup: (seed) =>
      compiledNetworks(
        (a) => new MiniOctNet({ alpha: a, random: seed }),
        alpha,
        [8, 32, 32, 3],
        seed,
      ),
  };
}

function resnetCase(alpha: number): BenchCase {
  return {
    id: `oct-resnet50-a${alpha}`,
    title: `Oct-ResNet-50 (compiled) α ${alpha} vs ResNet-50 (compiled), 224², batch 1`,
    kind: 'network',
    alpha,
    suites: ['full'],
    theoretical: () =>
      sweepAlpha((a) => describeOctResNet({ depth: 50, alpha: a }, { height: 224 }), [alpha])[0]!
        .theoreticalSpeedup,
    setup: (seed) =>
      compiledNetworks(
        (a) => octResNet({ depth: 50, alpha: a, random: seed }),
        alpha,
        [1, 224, 224, 3],
        seed,
      ),
  };
}

function mobileNetCase(
  version: 1 | 2,
  widthMultiplier: number,
  alpha: number,
  size: number,
  suites: BenchCase['suites'],
): BenchCase {
  const describeNet = version === 1 ? describeOctMobileNetV1 : describeOctMobileNetV2;
  const make = version === 1 ? octMobileNetV1 : octMobileNetV2;
  return {
    id: `oct-mobilenet-v${version}-w${widthMultiplier}-a${alpha}-s${size}`,
    title: `Oct-MobileNet v${version} ${widthMultiplier} (compiled) α ${alpha} vs MobileNet v${version} ${widthMultiplier} (compiled), ${size}², batch 1`,
    kind: 'network',
    alpha,
    suites,
    theoretical: () =>
      sweepAlpha((a) => describeNet({ widthMultiplier, alpha: a }, { height: size }), [alpha])[0]!
        .theoreticalSpeedup,
    setup: (seed) =>
      compiledNetworks(
        (a) => make({ widthMultiplier, alpha: a, random: seed }),
        alpha,
        [1, size, size, 3],
        seed,
      ),
  };
}

function trainingCase(channels: number, size: number, alpha: number): BenchCase {
  return {
    id: `train-block-c${channels}-s${size}-a${alpha}`,
    title: `Training step (fwd + bwd + Adam) of OctaveConvBlock, ${channels} ch @ ${size}², batch 2, α ${alpha} vs α 0`,
    kind: 'training',
    alpha,
    suites: ['default', 'full'],
    // Backward convolutions (input and filter gradients) each cost what the forward does, so the
    // step's multiply-add ratio is the forward's.
    theoretical: () => layerTheory(channels, size, alpha),
    setup(seed) {
      const labels = [0, 1];
      const make = (a: number, s: number) => {
        const block = new OctaveConvBlock({
          inChannels: channels,
          outChannels: channels,
          alphaIn: a,
          alphaOut: a,
          random: s,
        });
        const split = block.oct.channels.in;
        const high = normal([2, size, size, split.high], s) as tf.Tensor4D;
        const low =
          split.low > 0 ? (normal([2, size / 2, size / 2, split.low], s + 1) as tf.Tensor4D) : null;
        const optimizer = tf.train.adam(1e-3);
        const step = () => {
          const { value, grads } = tf.variableGrads(() => {
            const y = block.apply({ high, low });
            const loss = (band: tf.Tensor4D) => softmaxCrossEntropy(globalAvgPool(band), labels);
            return y.low ? add(loss(y.high!), loss(y.low)) : loss(y.high!);
          }, block.parameters());
          optimizer.applyGradients(grads as tf.NamedTensorMap as Record<string, tf.Variable>);
          tf.dispose(grads);
          return value;
        };
        return {
          step,
          dispose: () => {
            tf.dispose([high, low].filter((t) => t !== null));
            block.dispose();
            optimizer.dispose();
          },
        };
      };
      const octave = make(alpha, seed);
      const vanilla = make(0, seed + 10);
      return {
        octave: octave.step,
        vanilla: vanilla.step,
        dispose: () => {
          octave.dispose();
          vanilla.dispose();
        },
      };
    },
  };
}

/** Every case; filter with {@link selectCases}. */
export const ALL_CASES: readonly BenchCase[] = [
  ...SHAPES.flatMap(([channels, size]) =>
    [0.125, 0.25, 0.5, 0.75].map((alpha) => layerCase(channels, size, alpha)),
  ),
  ...SHAPES.map(([channels, size]) => blockCase(channels, size, 0.5)),
  miniCase(0.5),
  resnetCase(0.5),
  resnetCase(0.75),
  trainingCase(64, 56, 0.5),
  // The official Oct-MobileNets against their plain twins, and one small case for the default run.
  mobileNetCase(1, 0.25, 0.5, 96, ['default', 'full']),
  mobileNetCase(1, 1, 0.5, 224, ['full']),
  mobileNetCase(1, 0.75, 0.375, 224, ['full']),
  mobileNetCase(2, 1, 0.375, 224, ['full']),
  mobileNetCase(2, 1.125, 0.5, 224, ['full']),
];

/**
 * The cases of a suite (`'default'`: layers, blocks, MiniOctNet, a training step, a small
 * Oct-MobileNet v1; `'full'`: also Oct-ResNet-50 and the four official Oct-MobileNets),
 * optionally only those whose id contains one of `filters`.
 */
export function selectCases(
  suite: 'default' | 'full',
  filters: readonly string[] = [],
): BenchCase[] {
  return ALL_CASES.filter(
    (c) =>
      c.suites.includes(suite) &&
      (filters.length === 0 || filters.some((filter) => c.id.includes(filter))),
  );
}
