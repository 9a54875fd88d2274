/**
 * A hint for a feature map that has `expectedChannels` on axis 1 instead of axis 3: the
 * channels-first layout (NCHW) of PyTorch, where tfjs and `@octconv` are channels-last (NHWC).
 * Returns `''` when the shape does not look like that.
 *
 * @param shape The offending shape.
 * @param expectedChannels The channels the layer or weights expect.
 */
export function channelsFirstHint(shape: readonly number[], expectedChannels: number): string {
  if (shape.length !== 4 || shape[3] === expectedChannels || shape[1] !== expectedChannels)
    return '';
  const [batch, channels, height, width] = shape;
  return `; [${shape.join(', ')}] looks channels-first (NCHW, PyTorch's layout: ${batch} × ${channels} channels × ${height} × ${width}), but tfjs and @octconv are channels-last (NHWC, [batch, height, width, channels]): convert with tf.transpose(x, [0, 2, 3, 1]) to [${batch}, ${height}, ${width}, ${channels}]`;
}
