import {
  assertClose,
  createRandom,
  RefGraph,
  randomPair,
  setupBackend,
  type Tolerance,
} from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedMemoryVariant } from './wasm-simd';
import { transformFilter, type WinogradTile, winogradAvailable, winogradConv2d } from './winograd';
import { WINOGRAD_F2_WASM, WINOGRAD_F4_WASM } from './winograd-simd-binary';

/** One Winograd convolution case: a 3×3 stride-1 convolution and what its output step fuses. */
interface Case {
  batch: number;
  height: number;
  width: number;
  inC: number;
  outC: number;
  pad: number;
  bias: boolean;
  residual: boolean;
  up: boolean;
  activation: 'linear' | 'relu' | 'relu6';
}

// Inputs and filters in ±1 summing up to 9·C products: float32 Winograd's error grows with the
// transform's constants (F(4×4,3×3) uses 1/24 … 8), a few units of 1e-6 per product.
const TOLERANCE: Record<WinogradTile, Tolerance> = {
  2: { atol: 2e-5, rtol: 1e-4 },
  4: { atol: 1e-4, rtol: 1e-3 },
};

async function check(c: Case, tile: WinogradTile): Promise<number> {
  const graph = new RefGraph();
  const random = createRandom(c.batch * 1000 + c.height * 37 + c.width * 11 + c.inC * 5 + c.outC);
  const x = randomPair(graph, random, [c.batch, c.height, c.width, c.inC]);
  const w = randomPair(graph, random, [3, 3, c.inC, c.outC], 0.5);
  const b = c.bias ? randomPair(graph, random, [c.outC]) : null;
  const y = graph.conv(x.ref, w.ref, b?.ref ?? null, {
    stride: 1,
    dilation: 1,
    padding: c.pad,
    groups: 1,
  });
  const [, oh, ow] = y.shape as [number, number, number, number];
  const res = c.residual ? randomPair(graph, random, y.shape) : null;
  const up = c.up
    ? randomPair(graph, random, [c.batch, Math.ceil(oh / 2), Math.ceil(ow / 2), c.outC])
    : null;
  const expected = y.data.map((v, i) => {
    const pixel = Math.floor(i / c.outC);
    const k = i % c.outC;
    const ox = pixel % ow;
    const oy = Math.floor(pixel / ow) % oh;
    const n = Math.floor(pixel / (ow * oh));
    let sum = v + (res ? res.ref.data[i]! : 0);
    if (up) {
      const [, hb, wb] = up.ref.shape as [number, number, number];
      sum += up.ref.data[((n * hb + (oy >> 1)) * wb + (ox >> 1)) * c.outC + k]!;
    }
    if (c.activation === 'relu6') return Math.min(Math.max(sum, 0), 6);
    return c.activation === 'relu' ? Math.max(sum, 0) : sum;
  });
  const before = tf.memory().numTensors;
  // The kernel's own buffers (transformed inputs, products, scratch) live on the backend only.
  const buffers = tf.backend().numDataIds();
  const filter = transformFilter(w.tensor as tf.Tensor4D, tile);
  const out = winogradConv2d(
    x.tensor as tf.Tensor4D,
    filter,
    { top: c.pad, bottom: c.pad, left: c.pad, right: c.pad },
    {
      bias: b?.tensor as tf.Tensor1D | undefined,
      residual: res?.tensor as tf.Tensor4D | undefined,
      up: up?.tensor as tf.Tensor4D | undefined,
      activation: c.activation,
    },
  );
  expect(out.shape).toEqual(y.shape);
  const actual = await out.data();
  tf.dispose([out, ...filter.points]);
  expect(tf.memory().numTensors - before, 'tensors left').toBe(0);
  expect(tf.backend().numDataIds() - buffers, 'backend buffers left').toBe(0);
  tf.dispose([x.tensor, w.tensor, b?.tensor, res?.tensor, up?.tensor].filter((t) => t != null));
  assertClose(`${JSON.stringify(c)} F(${tile}×${tile},3×3)`, actual, expected, TOLERANCE[tile]);
  let worst = 0;
  expected.forEach((e, i) => {
    worst = Math.max(worst, Math.abs(actual[i]! - e));
  });
  return worst;
}

const base: Case = {
  batch: 1,
  height: 8,
  width: 8,
  inC: 8,
  outC: 8,
  pad: 1,
  bias: false,
  residual: false,
  up: false,
  activation: 'linear',
};

const CASES: [string, Case][] = [
  ['one full tile, no padding', { ...base, height: 6, width: 6, pad: 0 }],
  ['padding 1, bias, relu', { ...base, bias: true, activation: 'relu' }],
  ['odd sizes (7×5, 9×11) with partial tiles', { ...base, height: 7, width: 5, bias: true }],
  ['odd sizes, wider', { ...base, height: 9, width: 11, activation: 'relu6' }],
  ['channels not multiples of 4 (5 → 7)', { ...base, inC: 5, outC: 7, bias: true, residual: true }],
  ['3 → 6 channels, relu', { ...base, inC: 3, outC: 6, height: 5, width: 9, activation: 'relu' }],
  ['1 → 1 channel', { ...base, inC: 1, outC: 1, height: 4, width: 3 }],
  ['batch 3, residual, relu', { ...base, batch: 3, residual: true, activation: 'relu' }],
  ['padding 0 on odd sizes', { ...base, pad: 0, height: 9, width: 7 }],
  ['padding 2 (output larger than input)', { ...base, pad: 2, height: 5, width: 6, bias: true }],
  ['1×1 input, padding 1', { ...base, height: 1, width: 1, inC: 4, outC: 5 }],
  [
    'fused upsample-add, residual and relu (the L→H join), odd output',
    { ...base, height: 9, width: 7, up: true, residual: true, bias: true, activation: 'relu' },
  ],
  [
    'upsample-add with 6 channels (lane tails), batch 2, relu6',
    { ...base, batch: 2, outC: 6, inC: 12, up: true, activation: 'relu6', height: 10, width: 6 },
  ],
  ['64 → 64 channels, 14×14', { ...base, inC: 64, outC: 64, height: 14, width: 14, bias: true }],
];

describe('Winograd F(2×2,3×3) and F(4×4,3×3) on wasm [wasm]', () => {
  beforeAll(() => setupBackend('wasm'));

  it('runs here (wasm with SIMD)', () => {
    expect(winogradAvailable()).toBe(true);
  });

  for (const tile of [2, 4] as const) {
    for (const [name, c] of CASES) {
      it(`F(${tile}×${tile},3×3) ${name}: equals the float64 reference`, async () => {
        await check(c, tile);
      });
    }
  }

  it('keeps NaN through the fused ReLU, as PyTorch does', async () => {
    const x = tf.fill([1, 4, 4, 4], Number.NaN) as tf.Tensor4D;
    const w = tf.ones([3, 3, 4, 4]) as tf.Tensor4D;
    const filter = transformFilter(w, 4);
    const y = winogradConv2d(
      x,
      filter,
      { top: 1, bottom: 1, left: 1, right: 1 },
      {
        activation: 'relu',
      },
    );
    expect(Array.from(await y.data()).every(Number.isNaN)).toBe(true);
    tf.dispose([x, w, y, ...filter.points]);
  });
});

describe('the Winograd modules', () => {
  it('each stay under the 4 KB a browser compiles synchronously, and link to a shared memory', () => {
    for (const base64 of [WINOGRAD_F2_WASM, WINOGRAD_F4_WASM]) {
      const plain = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const shared = sharedMemoryVariant(plain);
      expect(plain.length).toBeLessThanOrEqual(4096);
      expect(shared.length).toBeLessThanOrEqual(4096);
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
      const instance = new WebAssembly.Instance(new WebAssembly.Module(shared as BufferSource), {
        env: { memory },
      });
      expect(Object.keys(instance.exports).sort()).toEqual(
        base64 === WINOGRAD_F2_WASM ? ['win_in2', 'win_out2'] : ['win_in4', 'win_out4'],
      );
    }
  });
});

describe('Winograd elsewhere [cpu]', () => {
  beforeAll(() => setupBackend('cpu'));
  it('is not available off wasm (the compiled path stays direct)', () => {
    expect(winogradAvailable()).toBe(false);
  });
});
