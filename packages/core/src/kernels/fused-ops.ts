import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, makeWasmOutput, simdKernelsFor } from './wasm-simd';
import {
  addProgram,
  canRunPrograms,
  poolConcatProgram,
  reluGradProgram,
  runProgram,
  upsampleAddProgram,
} from './webgpu-programs';

// Inference-only fused steps of an octave convolution. On wasm they are WebAssembly SIMD loops
// over tfjs's heap, on webgpu one WGSL dispatch each; elsewhere (cpu, or wasm without SIMD) the
// same values come from tfjs ops. They have no gradient: training goes through octaveConv2d.
// The kernel names are global in tfjs's registry: change a contract, change the name.

const UPSAMPLE_ADD = 'OctconvFusedUpsampleAdd';
const ADD = 'OctconvFusedAdd';
const POOL_CONCAT = 'OctconvPoolConcat';
const IM2ROW = 'OctconvIm2Row';
const RELU_GRAD = 'OctconvReluGrad';
const CHANNEL_STATS = 'OctconvChannelStats';
const CHANNEL_AFFINE = 'OctconvChannelAffine';

type Inputs = Record<string, tf.TensorInfo | undefined>;

const kernels = (backend: object) => simdKernelsFor(backend)!;

function registerWasm(): void {
  const floor = (attrs: tf.NamedAttrMap | undefined) => (attrs?.relu ? 0 : -Infinity);
  tf.registerKernel({
    kernelName: UPSAMPLE_ADD,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { a, b, r } = inputs as Inputs as {
        a: tf.TensorInfo;
        b: tf.TensorInfo;
        r?: tf.TensorInfo;
      };
      const [batch, height, width, channels] = a.shape as [number, number, number, number];
      const out = makeWasmOutput(backend, a.shape);
      const geometry = [
        batch,
        height,
        width,
        channels,
        b.shape[1]!,
        b.shape[2]!,
        floor(attrs),
      ] as const;
      const [pa, pb, po] = [
        heapOffset(backend, a),
        heapOffset(backend, b),
        heapOffset(backend, out),
      ];
      if (r) kernels(backend).up_add_res(pa, pb, heapOffset(backend, r), po, ...geometry);
      else kernels(backend).up_add(pa, pb, po, ...geometry);
      return out;
    },
  });
  tf.registerKernel({
    kernelName: ADD,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { a, b } = inputs as Inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const out = makeWasmOutput(backend, a.shape);
      kernels(backend).add(
        heapOffset(backend, a),
        heapOffset(backend, b),
        heapOffset(backend, out),
        tf.util.sizeFromShape(a.shape),
        floor(attrs),
      );
      return out;
    },
  });
  tf.registerKernel({
    kernelName: POOL_CONCAT,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { x, l } = inputs as Inputs as { x: tf.TensorInfo; l?: tf.TensorInfo };
      const [batch, height, width, channels] = x.shape as [number, number, number, number];
      const lowChannels = l ? l.shape[3]! : 0;
      const out = makeWasmOutput(backend, [
        batch,
        Math.ceil(height / 2),
        Math.ceil(width / 2),
        channels + lowChannels,
      ]);
      kernels(backend).pool_concat(
        heapOffset(backend, x),
        l ? heapOffset(backend, l) : 0,
        heapOffset(backend, out),
        batch,
        height,
        width,
        channels,
        lowChannels,
      );
      return out;
    },
  });
}

function registerReluGrad(backendName: 'wasm' | 'webgpu'): void {
  tf.registerKernel({
    kernelName: RELU_GRAD,
    backendName,
    kernelFunc: ({ inputs, backend }) => {
      const { dy, x } = inputs as Inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
      if (backendName === 'webgpu') return runProgram(backend, reluGradProgram(dy.shape), [dy, x]);
      const out = makeWasmOutput(backend, dy.shape);
      kernels(backend).relu_grad(
        heapOffset(backend, dy),
        heapOffset(backend, x),
        heapOffset(backend, out),
        tf.util.sizeFromShape(dy.shape),
      );
      return out;
    },
  });
}

function registerBatchNormKernels(): void {
  tf.registerKernel({
    kernelName: CHANNEL_STATS,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { a, b, mu } = inputs as Inputs as {
        a: tf.TensorInfo;
        b?: tf.TensorInfo;
        mu?: tf.TensorInfo;
      };
      const channels = a.shape[a.shape.length - 1]!;
      // Room for 2·c float64 accumulators; the result is the first two rows.
      const out = makeWasmOutput(backend, [4, channels]);
      kernels(backend).channel_stats(
        heapOffset(backend, a),
        b ? heapOffset(backend, b) : 0,
        mu ? heapOffset(backend, mu) : 0,
        heapOffset(backend, out),
        tf.util.sizeFromShape(a.shape) / channels,
        channels,
      );
      return out;
    },
  });
  tf.registerKernel({
    kernelName: CHANNEL_AFFINE,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { x, y, a, b, c } = inputs as Inputs as Record<'x' | 'a' | 'c', tf.TensorInfo> & {
        y?: tf.TensorInfo;
        b?: tf.TensorInfo;
      };
      const channels = x.shape[x.shape.length - 1]!;
      const out = makeWasmOutput(backend, x.shape);
      kernels(backend).channel_affine(
        heapOffset(backend, x),
        y ? heapOffset(backend, y) : 0,
        heapOffset(backend, a),
        b ? heapOffset(backend, b) : 0,
        heapOffset(backend, c),
        heapOffset(backend, out),
        tf.util.sizeFromShape(x.shape) / channels,
        channels,
      );
      return out;
    },
  });
}

/** Whether the batch-norm kernels run here (wasm with the SIMD module), registering them. */
function batchNormKernels(): boolean {
  if (tf.getBackend() !== 'wasm' || simdKernelsFor(tf.backend()) === null) return false;
  if (tf.getKernel(CHANNEL_STATS, 'wasm') == null) registerBatchNormKernels();
  return true;
}

function registerIm2Row(): void {
  tf.registerKernel({
    kernelName: IM2ROW,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      // x arrives transposed, [c, h, w, n].
      const { x } = inputs as Inputs as { x: tf.TensorInfo };
      const [channels, height, width, batch] = x.shape as [number, number, number, number];
      const a = attrs as unknown as Im2RowAttrs;
      const out = makeWasmOutput(backend, [
        a.kernelWidth * channels,
        a.paddedHeight,
        1,
        a.outWidth * batch,
      ]);
      kernels(backend).im2row(
        heapOffset(backend, x),
        heapOffset(backend, out),
        batch,
        height,
        width,
        channels,
        a.kernelWidth,
        a.outWidth,
        a.paddedHeight,
        a.padTop,
        a.padLeft,
        a.stride,
        a.dilation,
      );
      return out;
    },
  });
}

function registerWebGPU(): void {
  tf.registerKernel({
    kernelName: UPSAMPLE_ADD,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { a, b, r } = inputs as Inputs as {
        a: tf.TensorInfo;
        b: tf.TensorInfo;
        r?: tf.TensorInfo;
      };
      const program = upsampleAddProgram(a.shape, attrs?.relu === true, r !== undefined);
      return runProgram(backend, program, r ? [a, b, r] : [a, b]);
    },
  });
  tf.registerKernel({
    kernelName: ADD,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { a, b } = inputs as Inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      return runProgram(backend, addProgram(a.shape, attrs?.relu === true), [a, b]);
    },
  });
  tf.registerKernel({
    kernelName: POOL_CONCAT,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend }) => {
      const { x, l } = inputs as Inputs as { x: tf.TensorInfo; l?: tf.TensorInfo };
      const program = poolConcatProgram(x.shape, l ? l.shape[3]! : 0);
      return runProgram(backend, program, l ? [x, l] : [x]);
    },
  });
}

/**
 * Whether the active backend runs the fused kernels (registering them on first use), or null
 * when tfjs ops must compose the same values.
 */
function fastBackend(): boolean {
  const name = tf.getBackend();
  if (name !== 'wasm' && name !== 'webgpu') return false;
  const backend = tf.backend();
  if (name === 'wasm' ? simdKernelsFor(backend) === null : !canRunPrograms(backend)) return false;
  if (tf.getKernel(UPSAMPLE_ADD, name) == null) {
    if (name === 'wasm') registerWasm();
    else registerWebGPU();
  }
  return true;
}

/** @internal Which implementation the fused steps use on the active backend. */
export function fusedStepsImplementation(): 'wasm-simd' | 'webgpu' | 'tfjs-ops' {
  if (!fastBackend()) return 'tfjs-ops';
  return tf.getBackend() === 'wasm' ? 'wasm-simd' : 'webgpu';
}

/**
 * @internal `act(a + nearest×2(b) [+ r])` with `b` the half-size band (`ceil(h/2)`), cropped back
 * to `a`'s odd size, and `r` (a residual of `a`'s shape) added in the same pass. No argument
 * checks; no gradient.
 */
export function upsampleAdd(
  a: tf.Tensor4D,
  b: tf.Tensor4D,
  relu: boolean,
  r: tf.Tensor4D | null = null,
): tf.Tensor4D {
  if (fastBackend()) {
    const inputs: tf.NamedTensorMap = r ? { a, b, r } : { a, b };
    return tf.engine().runKernel(UPSAMPLE_ADD, inputs, { relu }) as tf.Tensor4D;
  }
  return tf.tidy(() => {
    let up = tf.image.resizeNearestNeighbor(b, [2 * b.shape[1], 2 * b.shape[2]]);
    if (up.shape[1] !== a.shape[1] || up.shape[2] !== a.shape[2])
      up = tf.slice(up, [0, 0, 0, 0], [-1, a.shape[1], a.shape[2], -1]);
    let sum = tf.add(a, up) as tf.Tensor4D;
    if (r) sum = tf.add(sum, r);
    return relu ? tf.relu(sum) : sum;
  });
}

/** @internal `act(a + b)`, same shapes. No argument checks; no gradient. */
export function addActivation<T extends tf.Tensor>(a: T, b: T, relu: boolean): T {
  if (fastBackend()) return tf.engine().runKernel(ADD, { a, b }, { relu }) as T;
  return tf.tidy(() => {
    const sum = tf.add(a, b) as T;
    return relu ? tf.relu(sum) : sum;
  });
}

/**
 * @internal `concat(down(x), l)` along channels, `down` the octave 2×2 ceil-mode average pool;
 * `l` null gives the pool alone. No argument checks; no gradient.
 */
export function poolConcat(x: tf.Tensor4D, l: tf.Tensor4D | null): tf.Tensor4D {
  if (fastBackend()) {
    return tf.engine().runKernel(POOL_CONCAT, l ? { x, l } : { x }, {}) as tf.Tensor4D;
  }
  return tf.tidy(() => {
    const pooled = tf.avgPool(x, 2, 2, 'same');
    return l ? tf.concat([pooled, l], 3) : pooled;
  });
}

/** @internal Geometry of {@link im2row}. */
export interface Im2RowAttrs {
  kernelWidth: number;
  outWidth: number;
  /** Input rows plus the top and bottom padding. */
  paddedHeight: number;
  padTop: number;
  padLeft: number;
  stride: number;
  dilation: number;
}

/**
 * @internal The width taps of `x` `[n, h, w, c]` for a convolution's filter gradient, as
 * `[kw·c, paddedHeight, 1, outWidth·n]`: element `(b·c + ci, r, 0, j·n + m)` is
 * `x[m, r − padTop, j·stride + b·dilation − padLeft, ci]`, or 0 outside `x` (x is transposed to
 * `[c, h, w, n]` first, so that each output row is a stretch of an input row). Only on wasm with
 * the SIMD module (null elsewhere: the caller keeps its general path). No gradient.
 */
export function im2row(x: tf.Tensor4D, attrs: Im2RowAttrs): tf.Tensor4D | null {
  if (tf.getBackend() !== 'wasm' || simdKernelsFor(tf.backend()) === null) return null;
  if (tf.getKernel(IM2ROW, 'wasm') == null) registerIm2Row();
  return tf.tidy(() => {
    // Channels first, batch last: each output row is then a stretch of an input row.
    const transposed = tf.transpose(x, [3, 1, 2, 0]);
    return tf
      .engine()
      .runKernel(IM2ROW, { x: transposed }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  });
}

/**
 * @internal ReLU's gradient, `x > 0 ? dy : 0` (PyTorch's `threshold_backward`: 0 at 0 and where
 * `x` is NaN), in one pass on wasm and webgpu (tfjs ops take three: greater, cast, multiply).
 */
export function reluGrad<T extends tf.Tensor>(dy: T, x: T): T {
  if (fastBackend()) {
    const name = tf.getBackend() as 'wasm' | 'webgpu';
    if (tf.getKernel(RELU_GRAD, name) == null) registerReluGrad(name);
    return tf.engine().runKernel(RELU_GRAD, { dy, x }, {}) as T;
  }
  return tf.tidy(() => tf.where(tf.greater(x, 0), dy, tf.zerosLike(dy)) as T);
}

/**
 * @internal Per-channel statistics over every pixel of `a` (`[..., c]`), accumulated in float64,
 * as `[2, c]`: without `mu`, the mean and the biased variance of `a`; with `mu` (`[c]`), `Σa` and
 * `Σ a·(b − mu)`. Only on wasm with the SIMD module (null elsewhere). No gradient.
 */
export function channelStats(
  a: tf.Tensor,
  b: tf.Tensor | null = null,
  mu: tf.Tensor1D | null = null,
): tf.Tensor2D | null {
  if (!batchNormKernels()) return null;
  const inputs: tf.NamedTensorMap = { a };
  if (b) inputs.b = b;
  if (mu) inputs.mu = mu;
  return tf.tidy(() => {
    const raw = tf.engine().runKernel(CHANNEL_STATS, inputs, {}) as tf.Tensor2D;
    return tf.slice(raw, [0, 0], [2, -1]);
  });
}

/**
 * @internal `x·a + y·b + c` per channel (`a`, `b`, `c` are `[channels]`; no `y`: `x·a + c`), one
 * pass. Only on wasm with the SIMD module (null elsewhere). No gradient.
 */
export function channelAffine<T extends tf.Tensor>(
  x: T,
  a: tf.Tensor1D,
  c: tf.Tensor1D,
  y: T | null = null,
  b: tf.Tensor1D | null = null,
): T | null {
  if (!batchNormKernels()) return null;
  const inputs: tf.NamedTensorMap = y && b ? { x, a, c, y, b } : { x, a, c };
  return tf.engine().runKernel(CHANNEL_AFFINE, inputs, {}) as T;
}
