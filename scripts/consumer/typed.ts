// Strict TypeScript consumer of the public types (checked with nodenext and bundler resolution).

import { type Analysis, analyze, describeOctResNet, sweepAlpha } from '@octconv/analysis';
import { type BenchmarkResult, runBenchmark, selectCases } from '@octconv/bench';
import { type OctaveTensor, octaveConv2d, octaveConvOutputShape } from '@octconv/core';
import { type ModelDescription, splitChannels } from '@octconv/core/shape';
import {
  evaluate,
  type FitHistory,
  fit as fitModule,
  loadTorchCheckpoint,
  MiniOctNet,
  type Module,
  octResNet,
  saveTorchCheckpoint,
} from '@octconv/models';
import { fileHandler } from '@octconv/models/node';
import type * as tf from '@tensorflow/tfjs-core';

export async function check(x: OctaveTensor, image: tf.Tensor4D): Promise<number> {
  const y: OctaveTensor = octaveConv2d(x, {}, { stride: 2, strideMode: 'pool' });
  const net: Module<tf.Tensor4D, tf.Tensor2D> = new MiniOctNet({ alpha: 0.25 });
  const logits: tf.Tensor2D = net.apply(image);
  const bytes: Uint8Array = await saveTorchCheckpoint(net);
  loadTorchCheckpoint(octResNet({ depth: 26, alpha: 0.5 }), bytes);
  const history: FitHistory = await fitModule(
    net,
    { xs: image, ys: [0] },
    { optimizer: {} as tf.Optimizer },
  );
  const scores = await evaluate(net, { xs: image, ys: [0] });
  const description: ModelDescription = net.describe({ height: 32, width: 32 });
  const analysis: Analysis = analyze(description);
  const result: BenchmarkResult = await runBenchmark({
    cases: selectCases('default', ['layer']),
    backends: ['wasm'],
  });
  fileHandler('./model');
  sweepAlpha((alpha) => describeOctResNet({ depth: 50, alpha }, { height: 224 }), [0, 0.5]);
  return (
    analysis.totals.params +
    result.results.length +
    splitChannels(10, 0.25).low +
    octaveConvOutputShape({ height: 9, width: 9, inChannels: 4, outChannels: 4 }).batch +
    logits.rank +
    history.epoch.length +
    scores.accuracy +
    (y.high?.rank ?? 0)
  );
}
