// The seed notebook's four code cells, done with @octconv in the page: each returns the lines
// the notebook's cell printed, computed on the active backend. The notebook page shows the same
// code; these functions are what its Run buttons execute.
import { compareOctaveConv } from '@octconv/analysis';
import { splitChannels } from '@octconv/core';
import { MiniOctNet, OctaveConv2d, OctaveConvBlock, predict } from '@octconv/models';
import * as tf from '@tensorflow/tfjs-core';

export type NotebookCell = 'layer' | 'block' | 'network' | 'params';

/** `[2, 32, 32, 32]`, as the notebook prints a shape (ours is NHWC, PyTorch's NCHW). */
const shape = (t: tf.Tensor | null | undefined) => (t ? `[${t.shape.join(', ')}]` : 'None');

/** The notebook's quick-test input: batch 2, 64 channels at 32², split at α = 0.5. */
function notebookInput(): { high: tf.Tensor4D; low: tf.Tensor4D } {
  const { high: cH, low: cL } = splitChannels(64, 0.5);
  return {
    high: tf.randomNormal([2, 32, 32, cH], 0, 1, 'float32', 1),
    low: tf.randomNormal([2, 16, 16, cL], 0, 1, 'float32', 2),
  };
}

/** Cell 1: the OctaveConv2d layer, 64 → 128 channels, α_in = α_out = 0.5. */
function layerCell(): string[] {
  const x = notebookInput();
  const layer = new OctaveConv2d({
    inChannels: 64,
    outChannels: 128,
    kernelSize: 3,
    padding: 1,
    alphaIn: 0.5,
    alphaOut: 0.5,
    random: 1,
  });
  const y = layer.apply(x);
  const lines = [
    `x.high: ${shape(x.high)} x.low: ${shape(x.low)}`,
    `y.high: ${shape(y.high)} y.low: ${shape(y.low)}`,
  ];
  tf.dispose([x.high, x.low, y.high, y.low].filter((t) => t !== null));
  layer.dispose();
  return lines;
}

/** Cell 2: the block (OctConv, batch norm per band, ReLU) on the same input. */
function blockCell(): string[] {
  const x = notebookInput();
  const block = new OctaveConvBlock({ inChannels: 64, outChannels: 128, random: 1 });
  const y = block.apply(x);
  const lines = [`block y.high: ${shape(y.high)}`, `block y.low: ${shape(y.low)}`];
  tf.dispose([x.high, x.low, y.high, y.low].filter((t) => t !== null));
  block.dispose();
  return lines;
}

/** Cell 3: MiniOctNet on four 32² RGB images. */
function networkCell(): string[] {
  const net = new MiniOctNet({ inChannels: 3, numClasses: 10, alpha: 0.5, random: 1 });
  const images = tf.randomNormal([4, 32, 32, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
  const out = predict(net, images);
  const lines = [`out: ${shape(out)}`];
  tf.dispose([images, out]);
  net.dispose();
  return lines;
}

/** Cell 4: parameters of a 64 → 128 3×3 convolution and of its OctConv at α = 0.5. */
function paramsCell(): string[] {
  const layer = { height: 32, width: 32, inChannels: 64, outChannels: 128, kernelSize: 3 };
  const { octave, vanilla, macsRatio } = compareOctaveConv({
    ...layer,
    alphaIn: 0.5,
    alphaOut: 0.5,
  });
  return [
    `Conv params: ${vanilla.params}`,
    `OctConv params: ${octave.params}`,
    `OctConv multiply-adds: ${octave.convMacs} of ${vanilla.convMacs} (${(macsRatio * 100).toFixed(2)}%)`,
  ];
}

const CELLS: Record<NotebookCell, () => string[]> = {
  layer: layerCell,
  block: blockCell,
  network: networkCell,
  params: paramsCell,
};

/** Runs one cell on the active backend and returns what it prints. */
export async function runNotebookCell(cell: NotebookCell): Promise<string[]> {
  await tf.ready();
  const before = tf.memory().numTensors;
  const lines = CELLS[cell]();
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) throw new Error(`the ${cell} cell left ${leaked} tensors behind`);
  return lines;
}
