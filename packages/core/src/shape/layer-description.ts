import type { Padding } from './conv-geometry';
import type { OctaveConvLayerSpec } from './octave-conv-output-shape';
import type { ChannelSplit } from './split-channels';

// The plain description of a network that `describe()` of `@octconv/models` returns and
// `@octconv/analysis` reads. It lives here, in the tfjs-free part of the lowest package, so
// both agree on one definition and the analysis never imports tfjs.

/**
 * Shapes of a layer's input or output, per band. A plain feature map is `high`
 * (`[batch, height, width, channels]`) with `low` null; a vector is `[batch, features]`.
 */
export interface BandShapes {
  high: number[] | null;
  low: number[] | null;
}

interface LayerBase {
  /** Dotted path of the module, as PyTorch names it (`b1.oct`, `layer2.0.conv1`). */
  name: string;
  input: BandShapes;
  output: BandShapes;
}

/** An OctConv layer (first, middle or last); `spec` gives {@link octaveConvOutputShape} the per-path work. */
export interface OctaveConvLayerDescription extends LayerBase {
  kind: 'octave-conv';
  spec: Required<Omit<OctaveConvLayerSpec, 'kernelSize'>> & { kernelSize: [number, number] };
  channels: { in: ChannelSplit; out: ChannelSplit };
  /** Whether each present path has a bias (the seed gives each its own). */
  bias: boolean;
}

/** A plain convolution, `nn.Conv2d`. */
export interface Conv2dLayerDescription extends LayerBase {
  kind: 'conv2d';
  inChannels: number;
  outChannels: number;
  kernelSize: [number, number];
  stride: number;
  padding: Padding;
  dilation: number;
  groups: number;
  bias: boolean;
}

/** `nn.BatchNorm2d` on one band: the band is whichever of `input.high` / `input.low` is set. */
export interface BatchNormLayerDescription extends LayerBase {
  kind: 'batch-norm';
  channels: number;
}

/** ReLU over every band of its input. */
export interface ReluLayerDescription extends LayerBase {
  kind: 'relu';
  /** Upper clamp: 6 for ReLU6 (`min(max(x, 0), 6)`, MobileNet v2); absent for plain ReLU. */
  max?: number;
}

/** `nn.MaxPool2d` (floor mode). */
export interface MaxPoolLayerDescription extends LayerBase {
  kind: 'max-pool';
  kernelSize: number;
  stride: number;
  padding: number;
}

/** Mean over height and width, `[batch, channels]` out. */
export interface GlobalAvgPoolLayerDescription extends LayerBase {
  kind: 'global-avg-pool';
}

/** `nn.Linear`. */
export interface LinearLayerDescription extends LayerBase {
  kind: 'linear';
  inFeatures: number;
  outFeatures: number;
  bias: boolean;
}

/** The seed's `split_hl`: the first channels stay high, the rest are average-pooled to low. */
export interface OctaveSplitLayerDescription extends LayerBase {
  kind: 'octave-split';
  alpha: number;
}

/** The seed's `merge_hl`: low upsampled ×2 (cropped) and concatenated after high. */
export interface OctaveMergeLayerDescription extends LayerBase {
  kind: 'octave-merge';
}

/** Element-wise addition of two operands of the shapes in `input` (a residual connection). */
export interface AddLayerDescription extends LayerBase {
  kind: 'add';
}

/** One layer of a {@link ModelDescription}. */
export type LayerDescription =
  | OctaveConvLayerDescription
  | Conv2dLayerDescription
  | BatchNormLayerDescription
  | ReluLayerDescription
  | MaxPoolLayerDescription
  | GlobalAvgPoolLayerDescription
  | LinearLayerDescription
  | OctaveSplitLayerDescription
  | OctaveMergeLayerDescription
  | AddLayerDescription;

/** Every layer of a module, in execution order, for one input size. Plain data (JSON-safe). */
export interface ModelDescription {
  /** The module's class, e.g. `MiniOctNet`. */
  module: string;
  input: BandShapes;
  output: BandShapes;
  layers: LayerDescription[];
}
