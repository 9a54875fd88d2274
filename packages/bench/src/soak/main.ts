#!/usr/bin/env node
// octconv-soak: many forwards and training steps of an OctConv block; tf.memory() must stay flat.
// Usage: octconv-soak [--backend wasm] [--forwards 10000] [--steps 1000]

import { parseArgs } from 'node:util';
import { startBackend } from '../backends/backends';
import type { BackendName } from '../schema/result-schema';
import { runSoak } from './soak';

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      backend: { type: 'string' },
      forwards: { type: 'string' },
      steps: { type: 'string' },
    },
  });
  const backend = (values.backend ?? 'wasm') as BackendName;
  const facts = await startBackend(backend);
  if (!facts.available) {
    console.error(`octconv-soak: ${backend} is unavailable: ${facts.reason}`);
    process.exitCode = 1;
    return;
  }
  const result = await runSoak({
    forwards: Number(values.forwards ?? 10_000),
    trainingSteps: Number(values.steps ?? 1_000),
    every: 1000,
    onSample: (s) =>
      console.log(`${s.phase} ${s.iteration}: ${s.numTensors} tensors, ${s.numBytes} bytes`),
  });
  console.log(JSON.stringify(result, null, 2));
  const flat = (p: {
    before: { numTensors: number; numBytes: number };
    after: { numTensors: number; numBytes: number };
  }) => p.before.numTensors === p.after.numTensors && p.before.numBytes === p.after.numBytes;
  if (!flat(result.forward) || !flat(result.training)) {
    console.error('octconv-soak: memory grew');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(`octconv-soak: ${(error as Error)?.message ?? String(error)}`);
  process.exitCode = 1;
});
