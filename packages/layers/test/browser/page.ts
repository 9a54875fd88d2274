// Bundled by browser.test.ts with esbuild and run in Chromium: a model of octave layers saves
// to indexeddb:// and downloads://, reloads from IndexedDB, and reports its predictions.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { layers as oct } from '../../src/index';
import { sequentialRoundTrip } from '../shared/sequential-round-trip';

async function run() {
  await tf.setBackend('cpu');
  const input = tfl.input({ shape: [7, 7, 3] });
  const bands = oct.octaveConv2d({ filters: 6, kernelSize: 3, alphaOut: 0.5 }).apply(input);
  const next = oct
    .octaveConv2d({ filters: 6, kernelSize: 3, strides: 2, alphaOut: 0.5 })
    .apply(bands as tfl.SymbolicTensor[]);
  const merged = oct.octaveMerge().apply(next as tfl.SymbolicTensor[]) as tfl.SymbolicTensor;
  const pooled = tfl.layers.globalAveragePooling2d({}).apply(merged) as tfl.SymbolicTensor;
  const logits = tfl.layers.dense({ units: 3 }).apply(pooled) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: logits });
  const x = tf.tensor4d(
    Float32Array.from({ length: 2 * 7 * 7 * 3 }, (_, i) => Math.sin(i * 0.37)),
    [2, 7, 7, 3],
  );
  const before = Array.from(await (model.predict(x) as tf.Tensor).data());
  await model.save('indexeddb://octconv-layers-test');
  const reloaded = await tfl.loadLayersModel('indexeddb://octconv-layers-test');
  const after = Array.from(await (reloaded.predict(x) as tf.Tensor).data());
  await model.save('downloads://octmodel');
  return {
    before,
    after,
    classes: reloaded.layers.map((layer) => layer.getClassName()),
    sequential: await sequentialRoundTrip(),
  };
}

(window as unknown as { octconvRun: typeof run }).octconvRun = run;
document.body.dataset.ready = 'yes';
