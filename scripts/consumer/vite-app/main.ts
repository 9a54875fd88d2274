// A browser app built by Vite from the installed tarballs: MiniOctNet forward on wasm, and its
// tf.layers form (@octconv/layers) with the module's weights copied in.
import { copyMiniOctNetWeights, miniOctNetModel } from '@octconv/layers';
import { MiniOctNet } from '@octconv/models';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import plain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import * as tf from '@tensorflow/tfjs-core';

const out = document.getElementById('out')!;
try {
  setWasmPaths({
    'tfjs-backend-wasm.wasm': plain,
    'tfjs-backend-wasm-simd.wasm': simd,
    'tfjs-backend-wasm-threaded-simd.wasm': threaded,
  });
  await tf.setBackend('wasm');
  const net = new MiniOctNet({ random: 1 }).eval();
  const logits = net.apply(tf.randomNormal([2, 16, 16, 3]) as tf.Tensor4D);
  const values = await logits.data();
  const model = miniOctNetModel();
  copyMiniOctNetWeights(net, model);
  const images = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
  const [a, b] = [
    await net.apply(images).data(),
    await (model.predict(images) as tf.Tensor).data(),
  ];
  const result = {
    backend: tf.getBackend(),
    shape: logits.shape,
    finite: values.every(Number.isFinite),
    params: net.parameterCount(),
    layersParams: model.trainableWeights.reduce(
      (n, w) => n + (w.shape as number[]).reduce((x, y) => x * y, 1),
      0,
    ),
    layersSame: a.every((v, i) => Math.abs(v - b[i]!) <= 1e-4 * (1 + Math.abs(v))),
  };
  out.textContent = JSON.stringify(result);
  (window as unknown as { octconvResult: unknown }).octconvResult = result;
} catch (error) {
  out.textContent = `error: ${(error as Error).message}`;
  (window as unknown as { octconvResult: unknown }).octconvResult = { error: String(error) };
}
