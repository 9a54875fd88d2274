import {
  assertClose,
  captureError,
  createRandom,
  describeEachBackend,
  type Tolerance,
} from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import {
  BASE_CASE,
  buildCase,
  caseOptions,
  type OctaveCase,
  octaveCaseArbitrary,
  referenceIfValid,
} from '../../test/octave-case';
import { InvalidArgumentError, ShapeMismatchError } from '../errors/octconv-error';
import { addActivation, fusedStepsImplementation, upsampleAdd } from '../kernels/fused-ops';
import { type Activation, compileOctaveConv2d, type WinogradOption } from './compile-octave-conv2d';

interface CompiledCase {
  layer: OctaveCase;
  activation: Activation;
  residual: boolean;
  /** Residual values are uniform in ±this (default 1); 10 takes sums past ReLU6's cap. */
  residualScale?: number;
  /** The compile option (default: the rule's choice). */
  winograd?: WinogradOption;
}

/**
 * Compiles the case's layer, runs it (with a random residual when asked) and compares each band
 * with the float64 reference `act(octave(x) + bias + residual)`; throws on a difference or a leak.
 * Layers the reference cannot build (mismatched paddings) are skipped: octaveConv2d's own tests
 * cover their refusal.
 */
async function checkCompiled(c: CompiledCase, tolerance: Tolerance): Promise<void> {
  const label = JSON.stringify(c);
  const before = tf.memory().numTensors;
  const built = buildCase(c.layer);
  try {
    const options = caseOptions(c.layer);
    const ref = referenceIfValid(built, options);
    if (ref === null) return;
    const random = createRandom(c.layer.seed ^ 0x2545f491);
    const residual = {
      high: null as tf.Tensor4D | null,
      low: null as tf.Tensor4D | null,
    };
    const expected: Record<'high' | 'low', Float64Array | null> = { high: null, low: null };
    for (const band of ['high', 'low'] as const) {
      const r = ref[band];
      if (!r) continue;
      const scale = c.residualScale ?? 1;
      const values = Float32Array.from({ length: r.data.length }, () => (random() * 2 - 1) * scale);
      if (c.residual) residual[band] = tf.tensor4d(values, r.shape as never);
      expected[band] = r.data.map((v, i) => {
        const sum = c.residual ? v + values[i]! : v;
        if (c.activation === 'relu6') return Math.min(Math.max(sum, 0), 6);
        return c.activation === 'relu' ? Math.max(sum, 0) : sum;
      });
    }
    const compiled = compileOctaveConv2d(built.weights, {
      ...options,
      activation: c.activation,
      ...(c.winograd === undefined ? {} : { winograd: c.winograd }),
    });
    try {
      // Twice: the second call takes the cached plan.
      for (let call = 0; call < 2; call++) {
        const y = compiled.apply(built.inputs, c.residual ? residual : null);
        try {
          for (const band of ['high', 'low'] as const) {
            const actual = y[band];
            const want = expected[band];
            expect(actual === null, `${label}: ${band} presence`).toBe(want === null);
            if (!actual || !want) continue;
            expect(actual.shape, `${label} ${band} shape`).toEqual(ref[band]!.shape);
            assertClose(`${label} ${band}`, await actual.data(), want, tolerance);
          }
        } finally {
          tf.dispose([y.high, y.low].filter((t) => t !== null));
        }
      }
    } finally {
      compiled.dispose();
      tf.dispose([residual.high, residual.low].filter((t) => t !== null));
    }
  } finally {
    built.dispose();
  }
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) throw new Error(`${label}: ${leaked} tensors leaked`);
}

const base = BASE_CASE;
const FIXED: [string, CompiledCase][] = [
  ['ordinary layer, relu', { layer: { ...base, bias: true }, activation: 'relu', residual: false }],
  ['linear, no bias', { layer: base, activation: 'linear', residual: false }],
  [
    'odd sizes, relu, residual',
    { layer: { ...base, height: 7, width: 5, bias: true }, activation: 'relu', residual: true },
  ],
  [
    'channels not a multiple of 4 (SIMD tails)',
    {
      layer: { ...base, channelsIn: { high: 5, low: 3 }, channelsOut: { high: 7, low: 6 } },
      activation: 'relu',
      residual: true,
    },
  ],
  [
    'first layer',
    {
      layer: { ...base, channelsIn: { high: 5, low: 0 }, height: 9 },
      activation: 'relu',
      residual: false,
    },
  ],
  [
    'last layer',
    {
      layer: { ...base, channelsOut: { high: 3, low: 0 }, width: 9, bias: true },
      activation: 'relu',
      residual: true,
    },
  ],
  [
    'all-low input: only L→H into the high band',
    {
      layer: { ...base, channelsIn: { high: 0, low: 4 }, bias: true },
      activation: 'relu',
      residual: false,
    },
  ],
  [
    'stride 2 pool (H→H and L→H concatenated), odd',
    {
      layer: { ...base, stride: 2, height: 9, width: 7, bias: true },
      activation: 'relu',
      residual: true,
    },
  ],
  [
    'stride 2 conv, odd',
    {
      layer: { ...base, stride: 2, strideMode: 'conv', height: 9, width: 7, bias: true },
      activation: 'relu',
      residual: false,
    },
  ],
  [
    'padding same, kernel 2',
    {
      layer: { ...base, kernel: 2, padding: 'same', height: 5, width: 6 },
      activation: 'linear',
      residual: true,
    },
  ],
  [
    'dilation 2',
    {
      layer: { ...base, kernel: 3, dilation: 2, padding: 2, height: 9 },
      activation: 'relu',
      residual: false,
    },
  ],
  [
    'groups 2',
    {
      layer: { ...base, groups: 2, channelsOut: { high: 4, low: 2 }, bias: true },
      activation: 'relu',
      residual: true,
    },
  ],
  [
    'depthwise',
    {
      layer: { ...base, groups: 8, channelsOut: { high: 4, low: 4 }, bias: true },
      activation: 'relu',
      residual: false,
    },
  ],
  [
    'depthwise, stride 2 pool, odd, relu6',
    {
      layer: {
        ...base,
        groups: 8,
        channelsOut: { high: 4, low: 4 },
        stride: 2,
        height: 9,
        width: 7,
        bias: true,
      },
      activation: 'relu6',
      residual: false,
    },
  ],
  [
    'depthwise, uneven bands, multiplier 2, residual, relu6',
    {
      layer: {
        ...base,
        channelsIn: { high: 5, low: 3 },
        groups: 8,
        channelsOut: { high: 10, low: 6 },
        bias: true,
      },
      activation: 'relu6',
      residual: true,
    },
  ],
  [
    'depthwise, one band, stride 2 conv',
    {
      layer: {
        ...base,
        channelsIn: { high: 6, low: 0 },
        groups: 6,
        channelsOut: { high: 6, low: 0 },
        stride: 2,
        strideMode: 'conv',
        height: 9,
      },
      activation: 'relu',
      residual: false,
    },
  ],
  [
    'last layer, relu6 after the upsample + add',
    {
      layer: { ...base, channelsOut: { high: 3, low: 0 }, bias: true },
      activation: 'relu6',
      residual: true,
    },
  ],
  [
    'relu6 caps at 6 after the fused upsample + add + residual (residual ±10)',
    {
      layer: { ...base, bias: true, height: 7, width: 9 },
      activation: 'relu6',
      residual: true,
      residualScale: 10,
    },
  ],
  [
    'relu6 caps at 6 after a depthwise path + residual (residual ±10)',
    {
      layer: { ...base, groups: 8, channelsOut: { high: 4, low: 4 }, stride: 2, height: 9 },
      activation: 'relu6',
      residual: true,
      residualScale: 10,
    },
  ],
  [
    'batch 3, 1×1 kernel',
    { layer: { ...base, batch: 3, kernel: 1, padding: 0 }, activation: 'relu', residual: true },
  ],
];

const RUNS = { cpu: 150, wasm: 300, webgpu: 60 };

/** A random layer, activation and residual. */
const randomCompiledCase = () =>
  fc.record({
    layer: octaveCaseArbitrary(),
    activation: fc.constantFrom<Activation>('linear', 'relu', 'relu6'),
    residual: fc.boolean(),
  });

/**
 * Forced Winograd against the float64 reference: F(4×4,3×3)'s transforms (constants 1/24 … 8)
 * cost float32 a few bits, so it gets 10× the backend's tolerance; F(2×2,3×3) 2×.
 */
const winogradTolerance = (tolerance: Tolerance, mode: '2x2' | '4x4'): Tolerance => {
  const factor = mode === '4x4' ? 10 : 2;
  return { atol: tolerance.atol * factor, rtol: tolerance.rtol * factor };
};

await describeEachBackend('compileOctaveConv2d', (backend) => {
  for (const [name, c] of FIXED) {
    it(`${name}: equals the float64 reference`, async () => {
      await checkCompiled(c, backend.tolerance);
    });
  }

  for (const mode of ['2x2', '4x4'] as const) {
    for (const [name, c] of FIXED) {
      it(`${name}, Winograd ${mode} forced (direct where it does not apply): equals the float64 reference`, async () => {
        await checkCompiled({ ...c, winograd: mode }, winogradTolerance(backend.tolerance, mode));
      });
    }
    it(`random layers with Winograd ${mode} forced equal the reference (${RUNS[backend.name] / 5} runs)`, async () => {
      await fc.assert(
        fc.asyncProperty(randomCompiledCase(), (c) =>
          checkCompiled({ ...c, winograd: mode }, winogradTolerance(backend.tolerance, mode)),
        ),
        { numRuns: RUNS[backend.name] / 5 },
      );
    }, 600_000);
  }

  it('runs forced Winograd as one kernel per convolution on wasm, fusing the joins', async () => {
    const built = buildCase({ ...base, bias: true });
    const before = tf.memory().numTensors;
    const compiled = compileOctaveConv2d(built.weights, { activation: 'relu', winograd: '4x4' });
    const profile = await tf.profile(() => {
      const y = compiled.apply(built.inputs);
      return [y.high!, y.low!];
    });
    const names = profile.kernels.map((k) => k.name);
    tf.dispose(profile.result as tf.Tensor[]);
    compiled.dispose();
    expect(tf.memory().numTensors).toBe(before);
    built.dispose();
    if (backend.name !== 'wasm') {
      expect(names).not.toContain('OctconvWinogradConv2D');
      return;
    }
    // H→H, L→H and [H→L | L→L]: three Winograd convolutions (transforms and 36 products each
    // inside one kernel); L→H's upsample-and-add and the ReLUs happen in the output transforms.
    expect(names.filter((n) => n === 'OctconvWinogradConv2D')).toHaveLength(3);
    expect(names).not.toContain('FusedConv2D');
    expect(names).not.toContain('OctconvFusedUpsampleAdd');
  });

  it('rejects a bad winograd option with a typed error', () => {
    const built = buildCase(base);
    const before = tf.memory().numTensors;
    const bad = captureError(() =>
      compileOctaveConv2d(built.weights, { winograd: '3x3' as unknown as WinogradOption }),
    );
    expect(InvalidArgumentError.isInstance(bad)).toBe(true);
    expect((bad as InvalidArgumentError).argument).toBe('options.winograd');
    expect(tf.memory().numTensors).toBe(before);
    built.dispose();
  });

  it(`random layers, activations and residuals equal the reference (${RUNS[backend.name]} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(randomCompiledCase(), (c) => checkCompiled(c, backend.tolerance)),
      { numRuns: RUNS[backend.name] },
    );
  }, 600_000);

  it('runs the fused kernels of its backend (wasm SIMD, WebGPU programs), tfjs ops on cpu', async () => {
    const expected = { cpu: 'tfjs-ops', wasm: 'wasm-simd', webgpu: 'webgpu' }[backend.name];
    expect(fusedStepsImplementation()).toBe(expected);
    const built = buildCase({ ...base, bias: true });
    const compiled = compileOctaveConv2d(built.weights, { activation: 'relu' });
    const profile = await tf.profile(() => {
      const y = compiled.apply(built.inputs);
      return [y.high!, y.low!];
    });
    const names = profile.kernels.map((k) => k.name);
    compiled.dispose();
    built.dispose();
    if (backend.name === 'cpu') {
      expect(names).not.toContain('OctconvFusedUpsampleAdd');
    } else {
      // H→H, L→H, [H→L | L→L] as three fused convolutions, plus pool+concat and upsample+add+ReLU.
      expect(names.filter((n) => n === 'FusedConv2D')).toHaveLength(3);
      expect(names).toContain('OctconvFusedUpsampleAdd');
      expect(names).toContain('OctconvPoolConcat');
      expect(names).not.toContain('Concat');
      expect(names).not.toContain('Relu');
      expect(names).not.toContain('Add');
    }
  });

  it('runs a depthwise OctConv as one fused depthwise convolution per band, bias and ReLU6 inside', async () => {
    const built = buildCase({ ...base, groups: 8, channelsOut: { high: 4, low: 4 }, bias: true });
    const compiled = compileOctaveConv2d(built.weights, { groups: 8, activation: 'relu6' });
    expect(compiled.channels.in).toEqual({ high: 4, low: 4 });
    const profile = await tf.profile(() => {
      const y = compiled.apply(built.inputs);
      return [y.high!, y.low!];
    });
    const names = profile.kernels.map((k) => k.name);
    compiled.dispose();
    built.dispose();
    tf.dispose(profile.result as tf.Tensor[]);
    expect(names).toEqual(['FusedDepthwiseConv2D', 'FusedDepthwiseConv2D']);
  });

  it("NaN survives the fused ReLU steps, as in PyTorch (the convolutions are the backend's)", async () => {
    const a = tf.tensor4d([Number.NaN, 1, -1, 2, -3, 4, -5, 6], [1, 2, 2, 2]);
    const b = tf.tensor4d([0.5, Number.NaN], [1, 1, 1, 2]);
    const up = upsampleAdd(a, b, true);
    const sum = addActivation(a, a, true);
    expect(Array.from(await up.data())).toEqual([
      Number.NaN,
      Number.NaN,
      0,
      Number.NaN,
      0,
      Number.NaN,
      0,
      Number.NaN,
    ]);
    expect(Array.from(await sum.data())).toEqual([Number.NaN, 2, 0, 4, 0, 8, 0, 12]);
    tf.dispose([a, b, up, sum]);
  });

  it('owns its weights: the caller may dispose theirs; dispose() frees every copy', () => {
    const before = tf.memory().numTensors;
    const built = buildCase({ ...base, bias: true });
    const compiled = compileOctaveConv2d(built.weights, { activation: 'relu' });
    const inputs = { high: tf.clone(built.inputs.high!), low: tf.clone(built.inputs.low!) };
    const plain = compileOctaveConv2d(built.weights);
    const reference = plain.apply(inputs);
    plain.dispose();
    built.dispose();
    const y = compiled.apply(inputs);
    expect(y.high!.shape).toEqual(reference.high!.shape);
    tf.dispose([y.high!, y.low!, reference.high!, reference.low!, inputs.high, inputs.low]);
    compiled.dispose();
    compiled.dispose();
    expect(compiled.disposed).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad arguments with typed errors and creates nothing', () => {
    const built = buildCase(base);
    const before = tf.memory().numTensors;
    const bad = captureError(() =>
      compileOctaveConv2d(built.weights, { activation: 'gelu' as Activation }),
    );
    expect(InvalidArgumentError.isInstance(bad)).toBe(true);
    expect((bad as InvalidArgumentError).argument).toBe('options.activation');
    expect(tf.memory().numTensors).toBe(before);
    const compiled = compileOctaveConv2d(built.weights);
    const afterCompile = tf.memory().numTensors;
    const wrongResidual = captureError(() =>
      compiled.apply(built.inputs, { high: built.inputs.low, low: built.inputs.low }),
    );
    expect(ShapeMismatchError.isInstance(wrongResidual)).toBe(true);
    const wrongChannels = captureError(() =>
      compiled.apply({ high: built.inputs.low, low: built.inputs.low }),
    );
    expect(wrongChannels).toBeInstanceOf(Error);
    expect(tf.memory().numTensors).toBe(afterCompile);
    compiled.dispose();
    const disposed = captureError(() => compiled.apply(built.inputs));
    expect(InvalidArgumentError.isInstance(disposed)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    built.dispose();
  });
});
