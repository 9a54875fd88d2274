// What the WebGL suite checks: each case runs once on cpu and once on webgl in the same page
// (page.ts) and returns named arrays, which must agree within the tolerance; a case may also
// carry values from an independent reference (PyTorch) that both must match, and checks of its
// own (a loss that goes down). To add a case, append it to CASES: webgl.test.ts makes one test
// of each, by name.
import {
  downsample,
  type OctaveConvWeights,
  type OctaveTensor,
  octaveConv2d,
  octaveMerge,
  octaveSplit,
  type PathName,
  type StrideMode,
  upsample,
} from '@octconv/core';
import { layers as oct } from '@octconv/layers';
import { compileForInference, MiniOctNet, OctaveConvBlock } from '@octconv/models';
import { TOLERANCE, type Tolerance } from '@octconv/test-utils/tolerance';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fixtures from '../../../core/fixtures/octave-conv2d.json';
import { problemsOf, sequentialRoundTrip } from '../../../layers/test/shared/sequential-round-trip';

/** Named results of one run of a case. */
export type Outputs = Record<string, ArrayLike<number>>;

export interface WebGlCase {
  name: string;
  /** Runs on the active backend and returns what to compare; disposes every tensor it made. */
  run(): Promise<Outputs>;
  /** Values from a reference outside tfjs (PyTorch) that each backend's outputs must match. */
  reference?: Outputs;
  /** webgl against cpu (and both against `reference`); default TOLERANCE.webgl. */
  tolerance?: Tolerance;
  /** Problems with one backend's outputs beyond the comparison (a loss that does not fall). */
  check?(outputs: Outputs): string[];
}

/** A deterministic, backend-independent tensor of values in [−scale, scale]. */
function wave(shape: number[], seed: number, scale = 1): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, (_, i) => scale * Math.sin(0.7 * i + 1.3 * seed)),
    shape,
  );
}

async function read(tensors: Record<string, tf.Tensor | null>): Promise<Outputs> {
  const out: Outputs = {};
  for (const [name, t] of Object.entries(tensors)) if (t) out[name] = await t.data();
  return out;
}

// ---- @octconv/core: the PyTorch parity fixtures, forward and gradients -----------------------

interface Stored {
  shape: number[];
  values: number[];
}
interface Fixture {
  name: string;
  config: {
    stride: 1 | 2;
    padding: number | 'same';
    dilation: number;
    groups: number;
    strideMode: StrideMode;
  };
  inputs: { high: Stored | null; low: Stored | null };
  parameters: Record<string, Stored & { grad: number[] }>;
  outputs: { high: Stored | null; low: Stored | null };
  lossSeed: Stored;
  inputGrads: { high: number[] | null; low: number[] | null };
}

function parityCase(fixture: Fixture): WebGlCase {
  const reference: Outputs = {};
  for (const band of ['high', 'low'] as const) {
    const y = fixture.outputs[band];
    if (y) reference[`y.${band}`] = y.values;
    const dx = fixture.inputGrads[band];
    if (dx) reference[`d x.${band}`] = dx;
  }
  for (const [key, p] of Object.entries(fixture.parameters)) reference[`d ${key}`] = p.grad;
  return {
    name: `core parity: ${fixture.name}`,
    reference,
    async run() {
      const made: tf.Tensor[] = [];
      const make = (stored: Stored) => {
        const t = tf.tensor(stored.values, stored.shape, 'float32');
        made.push(t);
        return t;
      };
      const high = fixture.inputs.high ? (make(fixture.inputs.high) as tf.Tensor4D) : null;
      const low = fixture.inputs.low ? (make(fixture.inputs.low) as tf.Tensor4D) : null;
      const names = Object.keys(fixture.parameters);
      const parameters = names.map((key) => make(fixture.parameters[key]!));
      const { stride, padding, dilation, groups, strideMode } = fixture.config;
      const options = { stride, padding, dilation, groups, strideMode };
      const weightsFrom = (values: tf.Tensor[]): OctaveConvWeights => {
        const weights: OctaveConvWeights = {};
        names.forEach((key, i) => {
          const [path, kind] = key.split('.') as [PathName, 'weight' | 'bias'];
          const entry = weights[path] ?? { filter: undefined as unknown as tf.Tensor4D };
          if (kind === 'weight') entry.filter = values[i] as tf.Tensor4D;
          else entry.bias = values[i] as tf.Tensor1D;
          weights[path] = entry;
        });
        return weights;
      };
      try {
        const y = octaveConv2d({ high, low }, weightsFrom(parameters), options);
        made.push(...[y.high, y.low].filter((t): t is tf.Tensor4D => t !== null));
        const sources = [high, low].filter((t): t is tf.Tensor4D => t !== null);
        const grads = tf.grads((...args: tf.Tensor[]) =>
          octaveMerge(
            octaveConv2d(
              {
                high: high ? (args[0] as tf.Tensor4D) : null,
                low: low ? (args[high ? 1 : 0] as tf.Tensor4D) : null,
              },
              weightsFrom(args.slice(sources.length)),
              options,
            ),
          ),
        )([...sources, ...parameters], make(fixture.lossSeed));
        made.push(...grads);
        const named: Record<string, tf.Tensor | null> = { 'y.high': y.high, 'y.low': y.low };
        if (high) named['d x.high'] = grads[0]!;
        if (low) named['d x.low'] = grads[high ? 1 : 0]!;
        names.forEach((key, i) => {
          named[`d ${key}`] = grads[sources.length + i]!;
        });
        return await read(named);
      } finally {
        tf.dispose(made);
      }
    },
  };
}

// ---- @octconv/core: the band operations at odd sizes -------------------------------------------

const bandOps: WebGlCase = {
  name: 'core: octaveSplit, octaveMerge, downsample, upsample at odd sizes, forward and gradients',
  async run() {
    const x = wave([2, 7, 5, 6], 1) as tf.Tensor4D;
    const seed = wave([2, 7, 5, 6], 2);
    const small = wave([2, 4, 4, 3], 3) as tf.Tensor4D;
    try {
      const out = tf.tidy(() => {
        const bands = octaveSplit(x, 0.5);
        const merged = octaveMerge(bands);
        const down = downsample(x);
        const up = upsample(small, [7, 7]);
        const [dx] = tf.grads((a: tf.Tensor) =>
          tf.mul(octaveMerge(octaveSplit(a as tf.Tensor4D, 0.5)), seed),
        )([x]);
        const [dSmall] = tf.grads((a: tf.Tensor) =>
          tf.mul(upsample(a as tf.Tensor4D, [7, 7]), wave([2, 7, 7, 3], 4)),
        )([small]);
        const [dDown] = tf.grads((a: tf.Tensor) =>
          tf.mul(downsample(a as tf.Tensor4D), wave([2, 4, 3, 6], 5)),
        )([x]);
        return {
          high: bands.high!,
          low: bands.low!,
          merged,
          down,
          up,
          'd x (split, merge)': dx!,
          'd x (upsample)': dSmall!,
          'd x (downsample)': dDown!,
        };
      });
      try {
        return await read(out);
      } finally {
        tf.dispose(Object.values(out));
      }
    } finally {
      tf.dispose([x, seed, small]);
    }
  },
};

// ---- @octconv/models: batch norm in training and in evaluation, training, compiled inference ---

/** The α .5 bands of a deterministic 8-channel input, 9×9 (odd: the low band is 5×5). */
function octaveInput(seed: number): OctaveTensor {
  return {
    high: wave([2, 9, 9, 4], seed) as tf.Tensor4D,
    low: wave([2, 5, 5, 4], seed + 1) as tf.Tensor4D,
  };
}

const blockTrainEval: WebGlCase = {
  name: 'models: OctaveConvBlock (conv, batch norm, ReLU) in training, then evaluation',
  async run() {
    const block = new OctaveConvBlock({ inChannels: 8, outChannels: 8, stride: 2, random: 7 });
    const x = octaveInput(1);
    const seed = wave([2, 5, 5, 8], 3);
    try {
      block.train();
      const named = [...block.namedParameters()];
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.mul(octaveMerge(block.apply(x)), seed)) as tf.Scalar,
        named.map(([, v]) => v),
      );
      const out: Record<string, tf.Tensor> = { 'training loss': value };
      for (const [name, v] of named) out[`d ${name}`] = grads[v.name]!;
      // One training forward moved the running statistics.
      for (const [name, buffer] of block.namedBuffers()) out[`after training: ${name}`] = buffer;
      block.eval();
      const y = block.apply(x);
      out['evaluation y.high'] = y.high!;
      out['evaluation y.low'] = y.low!;
      try {
        return await read(out);
      } finally {
        tf.dispose([value, ...Object.values(grads), y.high!, y.low!]);
      }
    } finally {
      tf.dispose([x.high!, x.low!, seed]);
      block.dispose();
    }
  },
  check(outputs) {
    const means = Object.keys(outputs).filter((k) => /after training: .*running_mean/.test(k));
    if (means.length === 0) return [`no running mean among ${Object.keys(outputs).join(', ')}`];
    return means
      .filter((k) => Array.from(outputs[k]!).every((m) => m === 0))
      .map((k) => `${k} did not move in training`);
  },
};

const compiledInference: WebGlCase = {
  name: 'models: compileForInference (tfjs kernels on webgl) equals the modules in evaluation',
  async run() {
    const net = new MiniOctNet({ numClasses: 5, alpha: 0.5, random: 11 }).eval();
    const block = new OctaveConvBlock({
      inChannels: 8,
      outChannels: 6,
      stride: 2,
      random: 13,
    }).eval();
    const fastNet = compileForInference(net);
    const fastBlock = compileForInference(block);
    const x = wave([1, 9, 9, 3], 7) as tf.Tensor4D;
    const bands = octaveInput(9);
    try {
      const y = block.apply(bands);
      const fast = fastBlock.apply(bands);
      const out: Record<string, tf.Tensor | null> = {
        'MiniOctNet module': net.apply(x),
        'MiniOctNet compiled': fastNet.apply(x),
        'block module y.high': y.high,
        'block module y.low': y.low,
        'block compiled y.high': fast.high,
        'block compiled y.low': fast.low,
      };
      try {
        return await read(out);
      } finally {
        tf.dispose(Object.values(out).filter((t) => t !== null));
      }
    } finally {
      tf.dispose([x, bands.high!, bands.low!]);
      for (const m of [fastNet, fastBlock, net, block]) m.dispose();
    }
  },
  check: (o) =>
    [
      sameWithin('MiniOctNet', o['MiniOctNet compiled']!, o['MiniOctNet module']!),
      sameWithin('block y.high', o['block compiled y.high']!, o['block module y.high']!),
      sameWithin('block y.low', o['block compiled y.low']!, o['block module y.low']!),
    ].filter((p): p is string => p !== null),
};

/** Null when `a` is within the webgl tolerance of `b`, else where it is not. */
function sameWithin(label: string, a: ArrayLike<number>, b: ArrayLike<number>): string | null {
  const { atol, rtol } = TOLERANCE.webgl;
  if (a.length !== b.length) return `${label}: compiled length ${a.length} ≠ ${b.length}`;
  for (let i = 0; i < a.length; i++)
    if (!(Math.abs(a[i]! - b[i]!) <= atol + rtol * Math.abs(b[i]!)))
      return `${label}: compiled ${a[i]} ≠ module ${b[i]} at ${i}`;
  return null;
}

// ---- @octconv/layers: a functional tf.model of today's layers, trained with model.fit ----------

const layersFit: WebGlCase = {
  name: 'layers: tf.model of OctaveSplit, OctaveConv2D, OctaveMerge and dense, model.fit',
  async run() {
    const input = tfl.input({ shape: [9, 9, 4] });
    const split = oct.octaveSplit({ alpha: 0.5 }).apply(input) as tfl.SymbolicTensor[];
    const conv1 = oct
      .octaveConv2d({ filters: 8, kernelSize: 3, alphaOut: 0.5 })
      .apply(split) as tfl.SymbolicTensor[];
    const conv2 = oct
      .octaveConv2d({ filters: 8, kernelSize: 3, strides: 2, alphaOut: 0.5 })
      .apply(conv1) as tfl.SymbolicTensor[];
    const merged = oct.octaveMerge().apply(conv2) as tfl.SymbolicTensor;
    const pooled = tfl.layers.globalAveragePooling2d({}).apply(merged) as tfl.SymbolicTensor;
    const probabilities = tfl.layers
      .dense({ units: 3, activation: 'softmax' })
      .apply(pooled) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: probabilities });
    // The same starting weights on every backend.
    const start = model.getWeights().map((w, i) => wave(w.shape, 20 + i, 0.3));
    model.setWeights(start);
    tf.dispose(start);
    model.compile({ optimizer: tf.train.sgd(0.2), loss: 'categoricalCrossentropy' });
    // Learnable: example i is class i mod 3, and its channel of that number is brighter.
    const xs = tf.tensor4d(
      Float32Array.from({ length: 12 * 9 * 9 * 4 }, (_, j) => {
        const [example, channel] = [Math.floor(j / (9 * 9 * 4)), j % 4];
        return 0.5 * Math.sin(0.7 * j) + (channel === example % 3 ? 1 : 0);
      }),
      [12, 9, 9, 4],
    );
    const ys = tf.tensor2d(
      Float32Array.from({ length: 12 * 3 }, (_, j) => (Math.floor(j / 3) % 3 === j % 3 ? 1 : 0)),
      [12, 3],
    );
    try {
      const history = await model.fit(xs, ys, {
        epochs: 5,
        batchSize: 4,
        shuffle: false,
        verbose: 0,
      });
      const predicted = model.predict(xs) as tf.Tensor;
      const weights = model.getWeights();
      try {
        const out: Outputs = {
          'loss per epoch': history.history.loss as number[],
          ...(await read({ 'predictions after fit': predicted })),
        };
        for (const [i, w] of weights.entries()) out[`weight ${i} after fit`] = await w.data();
        return out;
      } finally {
        predicted.dispose();
      }
    } finally {
      tf.dispose([xs, ys]);
      model.optimizer.dispose();
      model.dispose();
    }
  },
  check: (o) => {
    const loss = Array.from(o['loss per epoch']!);
    return loss.at(-1)! < loss[0]! ? [] : [`the loss did not fall: ${loss.join(', ')}`];
  },
};

// ---- @octconv/layers: tf.sequential of octaveBlock2D, fit, save, tf.loadLayersModel --------------

// The layers package's own Sequential round trip (its Node suites run it on cpu, wasm and webgpu).
// Its layers start from unseeded random weights, so the two backends' numbers are not compared;
// each backend must pass the round trip's own checks (the loss falls, the reloaded model predicts
// exactly the same, unique weight names, nothing leaked). A failed check becomes an output key,
// which check() reports and which also differs from the other backend's keys.
const sequentialBlock: WebGlCase = {
  name: 'layers: tf.sequential of octaveBlock2D, model.fit, save and tf.loadLayersModel',
  async run() {
    const problems = problemsOf(await sequentialRoundTrip());
    if (problems.length === 0) return { 'round trip passed': [1] };
    return Object.fromEntries(problems.map((p) => [`problem: ${p}`, [1]]));
  },
  check: (o) =>
    Object.keys(o)
      .filter((k) => k.startsWith('problem: '))
      .map((k) => k.slice('problem: '.length)),
};

/** Every case, in the order the suite runs them. */
export const CASES: readonly WebGlCase[] = [
  ...(fixtures as { cases: Fixture[] }).cases.map(parityCase),
  bandOps,
  blockTrainEval,
  compiledInference,
  layersFit,
  sequentialBlock,
];
