// The page of webgl.test.ts, bundled once: runs a case of cases.ts on cpu, then on webgl
// (started by @octconv/bench's startBackend, as the docs site does), and compares.
import { type BackendFacts, startBackend } from '@octconv/bench';
import { compareArrays } from '@octconv/test-utils/assertions';
import { TOLERANCE } from '@octconv/test-utils/tolerance';
import * as tf from '@tensorflow/tfjs-core';
import { CASES, type Outputs } from './cases';

/** What one case reports: where it failed (empty: passed) and how close webgl came to cpu. */
export interface CaseReport {
  problems: string[];
  /** Largest |webgl − cpu| over the tolerance (≤ 1 passes). */
  worst: number;
  /** Where `worst` is. */
  worstAt: string;
  /** Wall time of the case on each backend (webgl's includes compiling its shaders). */
  ms: { cpu: number; webgl: number };
}

async function on(name: 'cpu' | 'webgl', run: () => Promise<Outputs>) {
  const facts = await startBackend(name);
  if (!facts.available) throw new Error(`${name} did not start: ${facts.reason}`);
  const before = tf.memory().numTensors;
  const start = performance.now();
  const outputs = await run();
  const ms = performance.now() - start;
  return { outputs, ms, leaked: tf.memory().numTensors - before };
}

async function run(name: string): Promise<CaseReport> {
  const found = CASES.find((c) => c.name === name);
  if (!found) throw new Error(`no case ${JSON.stringify(name)}`);
  const tolerance = found.tolerance ?? TOLERANCE.webgl;
  const cpu = await on('cpu', found.run);
  const webgl = await on('webgl', found.run);
  const problems: string[] = [];
  for (const [backend, result] of [
    ['cpu', cpu],
    ['webgl', webgl],
  ] as const) {
    if (result.leaked !== 0) problems.push(`${backend}: ${result.leaked} tensors left behind`);
    for (const problem of found.check?.(result.outputs) ?? [])
      problems.push(`${backend}: ${problem}`);
    for (const [key, expected] of Object.entries(found.reference ?? {})) {
      const got = result.outputs[key];
      const c = got ? compareArrays(got, expected, tolerance) : null;
      if (!c?.ok)
        problems.push(
          `${backend} against the reference, ${key}: ${c ? `${c.actual} vs ${c.expected} at ${c.index} (${c.worst.toFixed(2)}× the tolerance)` : 'missing'}`,
        );
    }
  }
  let worst = 0;
  let worstAt = '';
  const keys = Object.keys(cpu.outputs);
  if (keys.join() !== Object.keys(webgl.outputs).join())
    problems.push(
      `webgl returned ${Object.keys(webgl.outputs).join(', ')}; cpu ${keys.join(', ')}`,
    );
  for (const key of keys) {
    const c = compareArrays(webgl.outputs[key] ?? [], cpu.outputs[key]!, tolerance);
    if (c.worst > worst) {
      worst = c.worst;
      worstAt = `${key} [${c.index}]: webgl ${c.actual}, cpu ${c.expected}`;
    }
    if (!c.ok)
      problems.push(
        `webgl against cpu, ${key}: ${c.actual} vs ${c.expected} at ${c.index} (${c.worst.toFixed(2)}× the tolerance atol ${tolerance.atol}, rtol ${tolerance.rtol})`,
      );
  }
  return { problems, worst, worstAt, ms: { cpu: cpu.ms, webgl: webgl.ms } };
}

const api = {
  names: () => CASES.map((c) => c.name),
  start: (): Promise<BackendFacts> => startBackend('webgl'),
  run,
};
export type WebGlPage = typeof api;

(window as unknown as { octconvWebgl: WebGlPage }).octconvWebgl = api;
document.body.dataset.ready = 'yes';
