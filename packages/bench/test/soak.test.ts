// A CI-sized soak (the full one: `octconv-soak --forwards 10000 --steps 1000`): memory stays flat
// over repeated forwards and Adam training steps of an OctConv block, on every backend.

import { describeEachBackend } from '@octconv/test-utils';
import { expect, it } from 'vitest';
import { runSoak } from '../src/index';

const SIZES = {
  cpu: { forwards: 100, trainingSteps: 20 },
  wasm: { forwards: 500, trainingSteps: 50 },
  webgpu: { forwards: 100, trainingSteps: 20 },
};

await describeEachBackend('soak', (backend) => {
  const { forwards, trainingSteps } = SIZES[backend.name];
  it(`${forwards} forwards and ${trainingSteps} Adam steps leave tf.memory() flat`, async () => {
    const result = await runSoak({ forwards, trainingSteps, channels: 16, size: 14 });
    console.log(
      `[octconv] soak ${backend.name}: forwards ${result.forward.before.numTensors}→${result.forward.after.numTensors} tensors, ${result.forward.before.numBytes}→${result.forward.after.numBytes} bytes; training ${result.training.before.numTensors}→${result.training.after.numTensors} tensors, ${result.training.before.numBytes}→${result.training.after.numBytes} bytes; ${(result.durationMs / 1000).toFixed(1)} s`,
    );
    expect(result.forward.after.numTensors).toBe(result.forward.before.numTensors);
    expect(result.forward.after.numBytes).toBe(result.forward.before.numBytes);
    expect(result.training.after.numTensors).toBe(result.training.before.numTensors);
    expect(result.training.after.numBytes).toBe(result.training.before.numBytes);
  });
});
