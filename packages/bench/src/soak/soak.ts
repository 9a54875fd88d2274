import { add, globalAvgPool, softmaxCrossEntropy } from '@octconv/core';
import { OctaveConvBlock } from '@octconv/models';
import * as tf from '@tensorflow/tfjs-core';

/** Options of {@link runSoak}. */
export interface SoakOptions {
  /** Inference forwards of the block (eval mode). */
  forwards: number;
  /** Training steps (forward, backward, Adam) of the block. */
  trainingSteps: number;
  /** Block size; default 32 channels at 28², α 0.5, batch 2. */
  channels?: number;
  size?: number;
  /** Called every `every` iterations with the memory figures so far. */
  onSample?: (sample: SoakSample) => void;
  every?: number;
}

/** tf.memory() at one point of a soak. */
export interface SoakSample {
  phase: 'forward' | 'training';
  iteration: number;
  numTensors: number;
  numBytes: number;
}

/** Memory before and after each phase: flat means no leak. */
export interface SoakResult {
  backend: string;
  forwards: number;
  trainingSteps: number;
  forward: { before: SoakSample; after: SoakSample };
  training: { before: SoakSample; after: SoakSample };
  durationMs: number;
}

function sample(phase: SoakSample['phase'], iteration: number): SoakSample {
  const { numTensors, numBytes } = tf.memory();
  return { phase, iteration, numTensors, numBytes };
}

/**
 * Runs an OctConv block many times on the active backend — inference forwards, then training
 * steps with Adam — downloading every result, and reports `tf.memory()` around each phase. The
 * "after" figures are taken once the optimizer's slots exist (after the first step), so equal
 * numbers before and after mean nothing accumulates.
 */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const { forwards, trainingSteps, channels = 32, size = 28, onSample, every = 100 } = options;
  const start = performance.now();
  const block = new OctaveConvBlock({ inChannels: channels, outChannels: channels, random: 1 });
  const split = block.oct.channels.in;
  const high = tf.randomNormal([2, size, size, split.high], 0, 1, 'float32', 1) as tf.Tensor4D;
  const low = tf.randomNormal(
    [2, size / 2, size / 2, split.low],
    0,
    1,
    'float32',
    2,
  ) as tf.Tensor4D;
  const optimizer = tf.train.adam(1e-4);
  try {
    block.eval();
    const forwardBefore = sample('forward', 0);
    for (let i = 1; i <= forwards; i++) {
      const y = block.apply({ high, low });
      await Promise.all([y.high!.data(), y.low!.data()]);
      tf.dispose([y.high!, y.low!]);
      if (i % every === 0) onSample?.(sample('forward', i));
    }
    const forwardAfter = sample('forward', forwards);

    block.train();
    const step = async () => {
      const { value, grads } = tf.variableGrads(() => {
        const y = block.apply({ high, low });
        return add(
          softmaxCrossEntropy(globalAvgPool(y.high!), [0, 1]),
          softmaxCrossEntropy(globalAvgPool(y.low!), [1, 0]),
        );
      }, block.parameters());
      optimizer.applyGradients(grads as Record<string, tf.Variable>);
      tf.dispose(grads);
      await value.data();
      value.dispose();
    };
    let trainingBefore = sample('training', 0);
    for (let i = 1; i <= trainingSteps; i++) {
      await step();
      if (i === 1) trainingBefore = sample('training', 1);
      if (i % every === 0) onSample?.(sample('training', i));
    }
    const trainingAfter = sample('training', trainingSteps);
    return {
      backend: tf.getBackend(),
      forwards,
      trainingSteps,
      forward: { before: forwardBefore, after: forwardAfter },
      training: { before: trainingBefore, after: trainingAfter },
      durationMs: performance.now() - start,
    };
  } finally {
    tf.dispose([high, low]);
    optimizer.dispose();
    block.dispose();
  }
}
