/** Zero padding of a convolution: a symmetric count per side (PyTorch), or TF's `'same'`. */
export type Padding = number | 'same';

/** Zero rows/columns added on each side of one spatial dimension. */
export interface PadAmounts {
  before: number;
  after: number;
}

/** Extent of a dilated kernel: `(kernel − 1) · dilation + 1`. */
export function effectiveKernelSize(kernel: number, dilation: number): number {
  return (kernel - 1) * dilation + 1;
}

/**
 * Padding for one spatial dimension. A number pads both sides by that amount (PyTorch).
 * `'same'` follows TensorFlow: the output is `ceil(input / stride)`, and an odd total pad puts
 * the extra row after (bottom/right), which also equals PyTorch's `padding='same'` at stride 1.
 */
export function resolvePadding(
  padding: Padding,
  input: number,
  kernel: number,
  stride: number,
  dilation: number,
): PadAmounts {
  if (padding !== 'same') return { before: padding, after: padding };
  const output = Math.ceil(input / stride);
  const total = Math.max((output - 1) * stride + effectiveKernelSize(kernel, dilation) - input, 0);
  const before = Math.floor(total / 2);
  return { before, after: total - before };
}

/** Output length of a convolution along one dimension (≤ 0 when the kernel does not fit). */
export function convOutputSize(
  input: number,
  kernel: number,
  stride: number,
  dilation: number,
  pad: PadAmounts,
): number {
  const span = input + pad.before + pad.after - effectiveKernelSize(kernel, dilation);
  return span < 0 ? 0 : Math.floor(span / stride) + 1;
}

/** Size of a dimension after the octave downsample: 2×2 pooling in ceil mode. */
export function halfSize(size: number): number {
  return Math.ceil(size / 2);
}
