import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, makeWasmOutput, simdKernelsFor } from './wasm-simd';
import {
  addProgram,
  canRunPrograms,
  poolConcatProgram,
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

type Inputs = Record<string, tf.TensorInfo | undefined>;

function registerWasm(): void {
  const kernels = (backend: object) => simdKernelsFor(backend)!;
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
