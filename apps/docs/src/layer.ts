// One OctConv layer as the live pages' controls choose it, and its hyper-parameters in the
// forms @octconv/analysis and @octconv/models take.
import type { OctaveConvLayerSpec, StrideMode } from '@octconv/core/shape';

/** Stride 1, or stride 2 in one of the two stride modes. */
export type StrideChoice = 'stride-1' | StrideMode;

export interface LayerChoice {
  /** Height and width of the full-resolution input. */
  size: number;
  inChannels: number;
  outChannels: number;
  /** Square kernel size (odd); the padding keeps the size: (kernel − 1) / 2. */
  kernel: number;
  stride: StrideChoice;
  alphaIn: number;
  alphaOut: number;
}

export const KERNEL_CHOICES = [1, 3, 5, 7].map((k) => ({ value: k, text: `${k}×${k}` }));

export const STRIDE_CHOICES: { value: StrideChoice; text: string }[] = [
  { value: 'stride-1', text: '1' },
  { value: 'pool', text: "2 · 'pool' (paper)" },
  { value: 'conv', text: "2 · 'conv' (seed)" },
];

/** Square input sizes as select choices: `64` → `64²`. */
export const sizeChoices = (sizes: readonly number[]) =>
  sizes.map((s) => ({ value: s, text: `${s}²` }));

/** The layer's hyper-parameters, without the input size. */
export function hyperParameters(layer: LayerChoice) {
  const stride: 1 | 2 = layer.stride === 'stride-1' ? 1 : 2;
  const strideMode: StrideMode = layer.stride === 'conv' ? 'conv' : 'pool';
  return {
    inChannels: layer.inChannels,
    outChannels: layer.outChannels,
    kernelSize: layer.kernel,
    padding: (layer.kernel - 1) / 2,
    stride,
    strideMode,
    alphaIn: layer.alphaIn,
    alphaOut: layer.alphaOut,
  };
}

/** The layer as `@octconv/analysis` and `octaveConvOutputShape` take it. */
export function layerSpec(layer: LayerChoice): OctaveConvLayerSpec {
  return { ...hyperParameters(layer), height: layer.size, width: layer.size };
}
