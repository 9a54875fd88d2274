/** @internal Stride, explicit padding and dilation of one convolution, in tfjs attribute form. */
export interface ConvAttrs {
  stride: number;
  dilation: number;
  pads: { top: number; bottom: number; left: number; right: number };
}

/** @internal tfjs's explicit NHWC padding. */
export type ExplicitPadding = [
  [number, number],
  [number, number],
  [number, number],
  [number, number],
];

/** @internal tfjs's explicit NHWC padding. */
export function explicitPadding(pads: ConvAttrs['pads']): ExplicitPadding {
  return [
    [0, 0],
    [pads.top, pads.bottom],
    [pads.left, pads.right],
    [0, 0],
  ];
}
