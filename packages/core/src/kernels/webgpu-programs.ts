import type * as tf from '@tensorflow/tfjs-core';

/**
 * The fields of tfjs-backend-webgpu 4.22's `WebGPUProgram` these kernels use (core depends on
 * tfjs-core only, so the type is restated). `size: true` gives the shader `uniforms.size`; each
 * input `X` gets `uniforms.xShape`, and `getCoordsFromIndex` maps a flat output index to NHWC.
 */
export interface ElementwiseProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  workgroupSize: [number, number, number];
  size: true;
  getUserCode(): string;
}

/** What this module reads of tfjs-backend-webgpu's `WebGPUBackend`. */
interface WebGPUBackendInternals {
  runWebGPUProgram(
    program: ElementwiseProgram,
    inputs: tf.TensorInfo[],
    outputDtype: 'float32',
  ): tf.TensorInfo;
}

const WORKGROUP = 64;

function program(
  key: string,
  outputShape: number[],
  variableNames: string[],
  body: string,
): ElementwiseProgram {
  const size = outputShape.reduce((a, b) => a * b, 1);
  return {
    outputShape,
    shaderKey: `octconv_${key}`,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    // tfjs-backend-webgpu spreads a dispatch wider than the device allows over y and z itself.
    dispatch: [Math.ceil(size / WORKGROUP), 1, 1],
    variableNames,
    workgroupSize: [WORKGROUP, 1, 1],
    size: true,
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${body}
        }
      }`,
  };
}

/** ReLU that keeps NaN (as PyTorch's does), or nothing. */
function activation(relu: boolean): string {
  return relu ? 'value = select(value, 0.0, value < 0.0);' : '';
}

/**
 * @internal `out = act(A + nearest×2(B) [+ R])`, B the half-size band (cropped on odd sizes), R a
 * residual of A's shape added in the same pass.
 */
export function upsampleAddProgram(
  shape: number[],
  relu: boolean,
  residual: boolean,
): ElementwiseProgram {
  return program(
    `up_add_${relu}_${residual}`,
    shape,
    residual ? ['A', 'B', 'R'] : ['A', 'B'],
    `
    let coords = getCoordsFromIndex(index);
    let b = ((coords[0] * uniforms.bShape[1] + coords[1] / 2) * uniforms.bShape[2] + coords[2] / 2)
      * uniforms.bShape[3] + coords[3];
    var value = A[index] + B[b]${residual ? ' + R[index]' : ''};
    ${activation(relu)}
    setOutputAtIndex(index, value);`,
  );
}

/** @internal ReLU's gradient, `out = X > 0 ? DY : 0`. */
export function reluGradProgram(shape: number[]): ElementwiseProgram {
  return program(
    'relu_grad',
    shape,
    ['DY', 'X'],
    `
    setOutputAtIndex(index, select(0.0, DY[index], X[index] > 0.0));`,
  );
}

/** @internal `out = act(A + B)`, same shapes. */
export function addProgram(shape: number[], relu: boolean): ElementwiseProgram {
  return program(
    `add_${relu}`,
    shape,
    ['A', 'B'],
    `
    var value = A[index] + B[index];
    ${activation(relu)}
    setOutputAtIndex(index, value);`,
  );
}

/**
 * @internal `out = concat(pool(X), L)` along channels, pool the ceil-mode 2×2 average over real
 * pixels (an odd edge repeats its last row/column, which averages the real ones exactly); without
 * L, just the pool.
 */
export function poolConcatProgram(xShape: number[], lChannels: number): ElementwiseProgram {
  const [batch, height, width, channels] = xShape as [number, number, number, number];
  const outputShape = [batch, Math.ceil(height / 2), Math.ceil(width / 2), channels + lChannels];
  const low =
    lChannels > 0
      ? `} else {
          let l = ((coords[0] * uniforms.outShape[1] + coords[1]) * uniforms.outShape[2] + coords[2])
            * uniforms.lShape[3] + coords[3] - uniforms.xShape[3];
          setOutputAtIndex(index, L[l]);`
      : '';
  return program(
    `pool_concat_${lChannels > 0}`,
    outputShape,
    lChannels > 0 ? ['X', 'L'] : ['X'],
    `
    let coords = getCoordsFromIndex(index);
    if (coords[3] < uniforms.xShape[3]) {
      let r0 = 2 * coords[1];
      let r1 = min(r0 + 1, uniforms.xShape[1] - 1);
      let c0 = 2 * coords[2];
      let c1 = min(c0 + 1, uniforms.xShape[2] - 1);
      let row = coords[0] * uniforms.xShape[1];
      let w = uniforms.xShape[2];
      let c = uniforms.xShape[3];
      let top = (X[((row + r0) * w + c0) * c + coords[3]] + X[((row + r0) * w + c1) * c + coords[3]]) * 0.5;
      let bottom = (X[((row + r1) * w + c0) * c + coords[3]] + X[((row + r1) * w + c1) * c + coords[3]]) * 0.5;
      setOutputAtIndex(index, (top + bottom) * 0.5);
    ${low}
    }`,
  );
}

/** @internal Runs one of these programs on tfjs-backend-webgpu. */
export function runProgram(
  backend: object,
  built: ElementwiseProgram,
  inputs: tf.TensorInfo[],
): tf.TensorInfo {
  return (backend as WebGPUBackendInternals).runWebGPUProgram(built, inputs, 'float32');
}

/** @internal Whether `backend` looks like tfjs-backend-webgpu (it can run a program). */
export function canRunPrograms(backend: object): boolean {
  return typeof (backend as Partial<WebGPUBackendInternals>).runWebGPUProgram === 'function';
}
