// The page of wasm-threads-browser.test.ts: @octconv/bench's startBackend in a real browser, with
// what the test asks of it on `window.octconvThreads`.
import { compileForInference, octResNet } from '@octconv/models';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import {
  ALL_CASES,
  type BackendFacts,
  median,
  startBackend,
  timeInterleaved,
} from '../../src/index';

/** Every default-suite case's octave and vanilla outputs, one call each. */
async function outputs(): Promise<Map<string, Float32Array[]>> {
  const result = new Map<string, Float32Array[]>();
  for (const benchCase of ALL_CASES.filter((c) => c.suites.includes('default'))) {
    const prepared = benchCase.setup(3);
    try {
      for (const variant of ['octave', 'vanilla'] as const) {
        const out = prepared[variant]();
        const tensors = Array.isArray(out) ? out : [out];
        result.set(
          `${benchCase.id} ${variant}`,
          await Promise.all(tensors.map(async (t) => (await t.data()) as Float32Array)),
        );
        tf.dispose(tensors);
      }
    } finally {
      prepared.dispose();
    }
  }
  return result;
}

/** Elements further apart than float32 rounding allows (|a − e| > 1e-5·max|e| + 1e-4·|e|). */
function mismatches(actual: Map<string, Float32Array[]>, expected: Map<string, Float32Array[]>) {
  const problems: string[] = [];
  for (const [key, arrays] of expected) {
    const got = actual.get(key);
    if (!got || got.length !== arrays.length) {
      problems.push(`${key}: missing`);
      continue;
    }
    arrays.forEach((want, i) => {
      const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
      const have = got[i]!;
      if (have.length !== want.length) problems.push(`${key} [${i}]: length`);
      for (let j = 0; j < want.length; j++) {
        const e = want[j]!;
        if (!(Math.abs(have[j]! - e) <= 1e-5 * scale + 1e-4 * Math.abs(e))) {
          problems.push(`${key} [${i}] element ${j}: ${have[j]} vs ${e}`);
          break;
        }
      }
    });
  }
  return problems;
}

/**
 * Compiled Oct-ResNet-50 at each of `alphas` (α 0 first), interleaved in this page on `threads`
 * threads: the median ms of each (scripts/threads-browser.mjs; not a test).
 */
async function timeResNets(threads: number, alphas: number[], runs: number) {
  const facts = await startBackend('wasm', { wasmPaths: '/wasm/', threads });
  const nets = alphas.map((alpha) => {
    const net = octResNet({ depth: 50, alpha, random: 1 }).eval();
    const compiled = compileForInference(net);
    net.dispose();
    return compiled;
  });
  const x = tf.randomNormal([1, 224, 224, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const times = await timeInterleaved(
    nets.map((net) => () => net.apply(x)),
    { warmup: 2, runs },
  );
  x.dispose();
  for (const net of nets) net.dispose();
  return { threadCount: facts.threadCount, medians: times.map(median) };
}

/**
 * tf.profile of compiled Oct-ResNet-50 at `alpha` on `threads` threads, after two warm-up calls:
 * per kernel name (and per convolution shape) the ms per forward, averaged over `calls` calls.
 */
async function profileResNet(threads: number, alpha: number, calls: number) {
  const facts = await startBackend('wasm', { wasmPaths: '/wasm/', threads });
  const net = octResNet({ depth: 50, alpha, random: 1 }).eval();
  const compiled = compileForInference(net);
  net.dispose();
  const x = tf.randomNormal([1, 224, 224, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  for (let w = 0; w < 2; w++) {
    const y = compiled.apply(x);
    await y.data();
    y.dispose();
  }
  const table: Record<string, { ms: number; calls: number }> = {};
  for (let c = 0; c < calls; c++) {
    let out: tf.Tensor | null = null;
    const profile = await tf.profile(() => {
      out = compiled.apply(x);
      return out;
    });
    await (out as tf.Tensor | null)?.data();
    (out as tf.Tensor | null)?.dispose();
    for (const k of profile.kernels) {
      const keys = [k.name];
      if (k.name === 'FusedConv2D')
        keys.push(`${k.name} ${k.inputShapes[0]?.join('×')} ⊛ ${k.inputShapes[1]?.join('×')}`);
      for (const key of keys) {
        table[key] ??= { ms: 0, calls: 0 };
        const row = table[key];
        row.ms += (k.kernelTimeMs as number) / calls;
        row.calls += 1 / calls;
      }
    }
  }
  x.dispose();
  compiled.dispose();
  return { threadCount: facts.threadCount, table };
}

const api = {
  timeResNets,
  profileResNet,
  /** startBackend's facts and tfjs's own count, for `threads` (undefined: left out). */
  async start(threads?: number) {
    const facts: BackendFacts = await startBackend('wasm', {
      wasmPaths: '/wasm/',
      ...(threads !== undefined && { threads }),
    });
    return {
      facts,
      tfjsThreads: facts.available ? getThreadsCount() : null,
      hardwareConcurrency: navigator.hardwareConcurrency,
      isolated: self.crossOriginIsolated,
    };
  },
  /** Every default case on 1 thread, then on `threads`: the facts and what differs. */
  async compare(threads: number) {
    await startBackend('wasm', { wasmPaths: '/wasm/', threads: 1 });
    const one = await outputs();
    const facts = await startBackend('wasm', { wasmPaths: '/wasm/', threads });
    const before = tf.memory().numTensors;
    const many = await outputs();
    return {
      facts,
      cases: one.size,
      leaked: tf.memory().numTensors - before,
      problems: mismatches(many, one),
    };
  },
};

(window as unknown as { octconvThreads: typeof api }).octconvThreads = api;
document.body.dataset.ready = 'yes';
