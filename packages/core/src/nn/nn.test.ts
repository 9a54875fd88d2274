// The network building blocks against float64 references written here with plain loops:
// forwards directly, gradients by central finite differences of those forwards (conv by the
// reference tape), on every backend.

import {
  assertClose,
  captureError,
  countNewTensors,
  createRandom,
  describeEachBackend,
  RefGraph,
  randomValues,
  read,
  type Tolerance,
} from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { InvalidArgumentError, ShapeMismatchError } from '../errors/index';
import type { Padding } from '../shape/conv-geometry';
import {
  add,
  batchNorm,
  batchNormTraining,
  conv2d,
  globalAvgPool,
  linear,
  maxPool2d,
  relu,
  relu6,
  softmaxCrossEntropy,
} from './index';

type Forward = (inputs: Float64Array[]) => Float64Array;

/** d(Σ forward(inputs) · upstream)/d inputs[k], by central differences in float64. */
function numericGradient(
  forward: Forward,
  inputs: Float64Array[],
  upstream: Float64Array,
  k: number,
): Float64Array {
  const loss = () => forward(inputs).reduce((sum, value, i) => sum + value * upstream[i]!, 0);
  const target = inputs[k]!;
  const grad = new Float64Array(target.length);
  const step = 1e-6;
  for (let i = 0; i < target.length; i++) {
    const saved = target[i]!;
    target[i] = saved + step;
    const plus = loss();
    target[i] = saved - step;
    const minus = loss();
    target[i] = saved;
    grad[i] = (plus - minus) / (2 * step);
  }
  return grad;
}

/** Float32 values of `data`, as float64, so the reference sees exactly what the backend sees. */
function asFloat32(data: Float64Array): Float64Array {
  return Float64Array.from(Float32Array.from(data));
}

async function checkOp(
  label: string,
  tolerance: Tolerance,
  shapes: number[][],
  outputSize: number,
  forward: Forward,
  run: (...inputs: tf.Tensor[]) => tf.Tensor,
  seed: number,
  gradTolerance: Tolerance = { atol: 2e-4, rtol: 2e-3 },
  prepare: (values: Float64Array[]) => void = () => {},
): Promise<void> {
  const random = createRandom(seed);
  const values = shapes.map((shape) =>
    randomValues(
      random,
      shape.reduce((a, b) => a * b, 1),
    ),
  );
  prepare(values);
  values.forEach((data, i) => {
    values[i] = asFloat32(data);
  });
  const upstream = asFloat32(randomValues(random, outputSize));
  const tensors = values.map((data, i) => tf.tensor(Float32Array.from(data), shapes[i]!));
  const { leaked } = await countNewTensors(async () => {
    const y = run(...tensors);
    assertClose(`${label} forward`, await read(y), forward(values), tolerance);
    const dy = tf.tensor(Float32Array.from(upstream), y.shape);
    y.dispose();
    const grads = tf.grads((...xs: tf.Tensor[]) => run(...xs))(tensors, dy);
    for (let k = 0; k < tensors.length; k++) {
      assertClose(
        `${label} d/d input ${k}`,
        await read(grads[k]!),
        numericGradient(forward, values, upstream, k),
        gradTolerance,
      );
    }
    tf.dispose([dy, ...grads]);
  });
  expect(leaked).toBe(0);
  tf.dispose(tensors);
}

function naiveBatchNorm(
  x: Float64Array,
  channels: number,
  scale: Float64Array,
  offset: Float64Array,
  statistics: { mean: Float64Array; variance: Float64Array } | null,
  epsilon = 1e-5,
): Float64Array {
  const count = x.length / channels;
  const y = new Float64Array(x.length);
  for (let c = 0; c < channels; c++) {
    let mean = 0;
    let variance = 0;
    if (statistics) {
      mean = statistics.mean[c]!;
      variance = statistics.variance[c]!;
    } else {
      for (let i = c; i < x.length; i += channels) mean += x[i]!;
      mean /= count;
      for (let i = c; i < x.length; i += channels) variance += (x[i]! - mean) ** 2;
      variance /= count;
    }
    for (let i = c; i < x.length; i += channels) {
      y[i] = ((x[i]! - mean) / Math.sqrt(variance + epsilon)) * scale[c]! + offset[c]!;
    }
  }
  return y;
}

await describeEachBackend('nn building blocks', ({ tolerance }) => {
  it('conv2d matches the reference for strides 1–3, padding, same, groups, bias', async () => {
    const cases: {
      h: number;
      w: number;
      cin: number;
      cout: number;
      k: number;
      stride: number;
      padding: Padding;
      groups: number;
      bias: boolean;
    }[] = [
      { h: 7, w: 6, cin: 3, cout: 4, k: 3, stride: 1, padding: 1, groups: 1, bias: true },
      { h: 9, w: 8, cin: 4, cout: 6, k: 3, stride: 2, padding: 1, groups: 2, bias: false },
      { h: 11, w: 10, cin: 2, cout: 3, k: 7, stride: 2, padding: 3, groups: 1, bias: true },
      { h: 8, w: 7, cin: 3, cout: 2, k: 3, stride: 3, padding: 'same', groups: 1, bias: false },
      { h: 6, w: 6, cin: 4, cout: 4, k: 3, stride: 1, padding: 0, groups: 4, bias: true },
    ];
    for (const [index, c] of cases.entries()) {
      const shapes = [
        [2, c.h, c.w, c.cin],
        [c.k, c.k, c.cin / c.groups, c.cout],
      ];
      if (c.bias) shapes.push([c.cout]);
      const graphOf = (inputs: Float64Array[]) => {
        const graph = new RefGraph();
        const x = graph.tensor(shapes[0]!, inputs[0]);
        const w = graph.tensor(shapes[1]!, inputs[1]);
        const b = c.bias ? graph.tensor(shapes[2]!, inputs[2]) : null;
        const y = graph.conv(x, w, b, {
          stride: c.stride,
          dilation: 1,
          padding: c.padding,
          groups: c.groups,
        });
        return y.data;
      };
      const outputSize = graphOf(
        shapes.map((s) => new Float64Array(s.reduce((a, b) => a * b, 1))),
      ).length;
      await checkOp(
        `conv2d case ${index}`,
        tolerance,
        shapes,
        outputSize,
        graphOf,
        (x, w, b) =>
          conv2d(x as tf.Tensor4D, w as tf.Tensor4D, {
            stride: c.stride,
            padding: c.padding,
            groups: c.groups,
            bias: (b as tf.Tensor1D | undefined) ?? null,
          }),
        100 + index,
        { atol: 1e-3, rtol: 1e-3 },
      );
    }
  });

  it('relu passes gradient only where the input is positive', async () => {
    await checkOp(
      'relu',
      tolerance,
      [[2, 3, 4, 5]],
      120,
      ([x]) => x!.map((v) => Math.max(v, 0)),
      (x) => relu(x!),
      1,
    );
  });

  it('relu6 clamps to [0, 6] and passes gradient only strictly inside', async () => {
    await checkOp(
      'relu6',
      tolerance,
      [[2, 3, 4, 5]],
      120,
      ([x]) => x!.map((v) => Math.min(Math.max(v, 0), 6)),
      (x) => relu6(x!),
      2,
      undefined,
      // Spread the inputs over [-8, 8] so both kinks are crossed.
      ([x]) => {
        for (let i = 0; i < x!.length; i++) x![i] = x![i]! * 8;
      },
    );
  });

  it("relu6's gradient is PyTorch's at the kinks (0 at exactly 0 and 6)", async () => {
    const x = tf.tensor1d([-1, 0, 3, 6, 7]);
    const grad = tf.grad((t: tf.Tensor) => relu6(t))(x);
    expect(Array.from(await grad.data())).toEqual([0, 0, 1, 0, 0]);
    const y = relu6(x);
    expect(Array.from(await y.data())).toEqual([0, 0, 3, 6, 6]);
    tf.dispose([x, grad, y]);
  });

  it('add adds same-shape tensors and refuses broadcasting', async () => {
    await checkOp(
      'add',
      tolerance,
      [
        [2, 3, 3, 2],
        [2, 3, 3, 2],
      ],
      36,
      ([a, b]) => a!.map((v, i) => v + b![i]!),
      (a, b) => add(a!, b!),
      2,
    );
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([3]);
    expect(ShapeMismatchError.isInstance(captureError(() => add(a, b as tf.Tensor)))).toBe(true);
    tf.dispose([a, b]);
  });

  it('batchNorm (running statistics) matches the formula in every input', async () => {
    const channels = 3;
    await checkOp(
      'batchNorm',
      tolerance,
      [[2, 3, 2, channels], [channels], [channels], [channels], [channels]],
      36,
      ([x, mean, variance, scale, offset]) =>
        naiveBatchNorm(x!, channels, scale!, offset!, { mean: mean!, variance: variance! }),
      (x, mean, variance, scale, offset) =>
        batchNorm(x as tf.Tensor4D, {
          mean: mean as tf.Tensor1D,
          variance: variance as tf.Tensor1D,
          scale: scale as tf.Tensor1D,
          offset: offset as tf.Tensor1D,
        }),
      3,
      undefined,
      (values) => {
        values[2] = values[2]!.map((v) => Math.abs(v) + 0.5);
      },
    );
  });

  it('batchNormTraining normalises with batch statistics and differentiates through them', async () => {
    const channels = 4;
    await checkOp(
      'batchNormTraining',
      tolerance,
      [[3, 2, 3, channels], [channels], [channels]],
      72,
      ([x, scale, offset]) => naiveBatchNorm(x!, channels, scale!, offset!, null),
      (x, scale, offset) => {
        const result = batchNormTraining(x as tf.Tensor4D, {
          scale: scale as tf.Tensor1D,
          offset: offset as tf.Tensor1D,
        });
        tf.dispose([result.mean, result.variance]);
        return result.y;
      },
      4,
      { atol: 1e-3, rtol: 2e-3 },
    );
  });

  it('batchNormTraining returns the biased batch statistics and refuses one value per channel', async () => {
    const x = tf.tensor4d([1, 10, 3, 20, 5, 60, 7, 10], [2, 2, 1, 2]);
    const scale = tf.ones([2]) as tf.Tensor1D;
    const offset = tf.zeros([2]) as tf.Tensor1D;
    const result = batchNormTraining(x, { scale, offset });
    assertClose('mean', await read(result.mean), [4, 25], tolerance);
    assertClose('variance', await read(result.variance), [5, 425], tolerance);
    expect(result.count).toBe(4);
    const single = tf.zeros([1, 1, 1, 2]) as tf.Tensor4D;
    const error = captureError(() => batchNormTraining(single, { scale, offset }));
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect(String(error)).toContain('more than 1 value per channel');
    tf.dispose([x, scale, offset, result.y, result.mean, result.variance, single]);
  });

  it('maxPool2d matches PyTorch semantics (padding never wins, floor mode)', async () => {
    const [n, h, w, c] = [2, 7, 6, 2];
    const forward: Forward = ([x]) => {
      const oh = Math.floor((h + 2 - 3) / 2) + 1;
      const ow = Math.floor((w + 2 - 3) / 2) + 1;
      const y = new Float64Array(n * oh * ow * c);
      for (let b = 0; b < n; b++)
        for (let oy = 0; oy < oh; oy++)
          for (let ox = 0; ox < ow; ox++)
            for (let ch = 0; ch < c; ch++) {
              let best = Number.NEGATIVE_INFINITY;
              for (let ky = 0; ky < 3; ky++)
                for (let kx = 0; kx < 3; kx++) {
                  const iy = oy * 2 - 1 + ky;
                  const ix = ox * 2 - 1 + kx;
                  if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                    best = Math.max(best, x![((b * h + iy) * w + ix) * c + ch]!);
                }
              y[((b * oh + oy) * ow + ox) * c + ch] = best;
            }
      return y;
    };
    await checkOp(
      'maxPool2d',
      tolerance,
      [[n, h, w, c]],
      2 * 4 * 3 * 2,
      forward,
      (x) => maxPool2d(x as tf.Tensor4D, { kernelSize: 3, stride: 2, padding: 1 }),
      5,
    );
  });

  it('globalAvgPool averages over height and width', async () => {
    const [n, h, w, c] = [2, 3, 5, 4];
    await checkOp(
      'globalAvgPool',
      tolerance,
      [[n, h, w, c]],
      n * c,
      ([x]) => {
        const y = new Float64Array(n * c);
        for (let i = 0; i < x!.length; i++) {
          const b = Math.floor(i / (h * w * c));
          y[b * c + (i % c)]! += x![i]! / (h * w);
        }
        return y;
      },
      (x) => globalAvgPool(x as tf.Tensor4D),
      6,
    );
  });

  it('linear computes x · weight + bias', async () => {
    const [n, inF, outF] = [3, 5, 4];
    await checkOp(
      'linear',
      tolerance,
      [[n, inF], [inF, outF], [outF]],
      n * outF,
      ([x, w, b]) => {
        const y = new Float64Array(n * outF);
        for (let r = 0; r < n; r++)
          for (let o = 0; o < outF; o++) {
            let sum = b![o]!;
            for (let i = 0; i < inF; i++) sum += x![r * inF + i]! * w![i * outF + o]!;
            y[r * outF + o] = sum;
          }
        return y;
      },
      (x, w, b) => linear(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D),
      7,
    );
  });

  it('softmaxCrossEntropy equals the mean negative log-likelihood, with its gradient', async () => {
    const labels = [2, 0, 4];
    await checkOp(
      'softmaxCrossEntropy',
      tolerance,
      [[3, 5]],
      1,
      ([x]) => {
        let total = 0;
        for (let r = 0; r < 3; r++) {
          const row = Array.from(x!.subarray(r * 5, r * 5 + 5));
          const max = Math.max(...row);
          const logSum = Math.log(row.reduce((sum, v) => sum + Math.exp(v - max), 0)) + max;
          total += logSum - row[labels[r]!]!;
        }
        return Float64Array.of(total / 3);
      },
      (x) => softmaxCrossEntropy(x as tf.Tensor2D, labels),
      8,
    );
  });

  it('rejects bad arguments with typed errors naming the function and value, creating nothing', () => {
    const x = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
    const filter = tf.zeros([3, 3, 2, 3]) as tf.Tensor4D;
    const logits = tf.zeros([2, 3]) as tf.Tensor2D;
    const wideFilter = tf.zeros([3, 3, 3, 3]) as tf.Tensor4D;
    const bigFilter = tf.zeros([5, 5, 2, 1]) as tf.Tensor4D;
    const weight = tf.zeros([2, 2]) as tf.Tensor2D;
    const nchw = tf.zeros([1, 2, 4, 4]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const cases: [() => unknown, string, string][] = [
      [
        () => conv2d(x, filter, { stride: 0 }),
        'ERR_OCTCONV_INVALID_ARGUMENT',
        'conv2d: options.stride',
      ],
      [() => conv2d(x, filter, { groups: 2 }), 'ERR_OCTCONV_SHAPE_MISMATCH', 'conv2d: groups 2'],
      [() => conv2d(x, wideFilter), 'ERR_OCTCONV_SHAPE_MISMATCH', 'conv2d: filter [3, 3, 3, 3]'],
      [
        () => conv2d(x, filter, { stride: 2, dilation: 2 }),
        'ERR_OCTCONV_INVALID_ARGUMENT',
        'conv2d: options.dilation',
      ],
      [() => conv2d(x, bigFilter), 'ERR_OCTCONV_SHAPE_MISMATCH', 'does not fit'],
      [
        () => conv2d(nchw, filter),
        'ERR_OCTCONV_SHAPE_MISMATCH',
        'x [1, 2, 4, 4] has 4; [1, 2, 4, 4] looks channels-first (NCHW',
      ],
      [
        () => maxPool2d(x, { kernelSize: 3, padding: 2 }),
        'ERR_OCTCONV_INVALID_ARGUMENT',
        'maxPool2d: options.padding',
      ],
      [
        () => softmaxCrossEntropy(logits, [0, 3]),
        'ERR_OCTCONV_INVALID_ARGUMENT',
        'softmaxCrossEntropy: labels[1] must be an integer class in [0, 3), got 3',
      ],
      [
        () => softmaxCrossEntropy(logits, [0]),
        'ERR_OCTCONV_SHAPE_MISMATCH',
        '1 labels for a batch of 2',
      ],
      [() => linear(logits, weight), 'ERR_OCTCONV_SHAPE_MISMATCH', 'linear: x [2, 3]'],
      [
        () => relu('x' as unknown as tf.Tensor),
        'ERR_OCTCONV_INVALID_ARGUMENT',
        'relu: x must be a tf.Tensor, got',
      ],
      [
        () => relu6('x' as unknown as tf.Tensor),
        'ERR_OCTCONV_INVALID_ARGUMENT',
        'relu6: x must be a tf.Tensor, got',
      ],
    ];
    for (const [call, code, text] of cases) {
      const error = captureError(call) as { code?: string; message?: string };
      expect(error?.code, text).toBe(code);
      expect(error?.message).toContain(text);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, filter, logits, wideFilter, bigFilter, weight, nchw]);
  });
});
