#!/usr/bin/env node
// octconv-bench: does OctConv's FLOP cut become real speed on this machine's backends?

import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { BACKEND_NAMES, startBackend } from '../backends/backends';
import { selectCases } from '../cases/cases';
import { runBenchmark } from '../harness/run-benchmark';
import { renderHtml } from '../report/html';
import {
  formatBackends,
  formatComparison,
  formatNoiseWarning,
  formatResults,
  STABLE_RUNS,
} from '../report/table';
import {
  type BackendFacts,
  type BackendName,
  type BenchmarkResult,
  parseBenchmarkResult,
} from '../schema/result-schema';

const HELP = `octconv-bench — OctConv against its vanilla twin, side by side, on cpu / wasm / webgpu

Usage: octconv-bench [options]

  --backends LIST   comma-separated: cpu, wasm, webgpu (default: wasm, plus webgpu on a hardware, non-fallback adapter)
  --suite NAME      default (layers, blocks, MiniOctNet, a training step, a small Oct-MobileNet)
                    or full (+ Oct-ResNet-50, the four official Oct-MobileNets)
  --cases LIST      only cases whose id contains one of these (e.g. layer-c64,mini)
  --warmup N        untimed calls per variant before timing (default 3)
  --runs N          timed calls per variant, interleaved (default 20: fewer, or a wide
                    p10–p90 spread, is flagged in the noise column)
  --seed N          inputs and weights seed (default 1)
  --threads N       wasm: threads of XNNPACK's pool (Node too; capped at the logical cores and 8;
                    default: tfjs's own, one in Node); the backend line says how many really ran
  --json FILE       write the results as JSON (default bench-results/results.json; never the
                    --compare file: then the default becomes bench-results/results-<time>.json)
  --html FILE       write a self-contained HTML report (default bench-results/report.html)
  --markdown        print the table as Markdown
  --compare FILE    print median changes against an earlier --json result
  --list            list the cases and exit
  --help            this text`;

class UsageError extends Error {}

const DEFAULT_JSON = 'bench-results/results.json';

function count(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  return n;
}

function loadChartScript(): string {
  const require = createRequire(import.meta.url);
  return readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** Fails before a long run, not after it, when a report cannot be written where asked. */
function checkWritable(flag: string, path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    if (existsSync(path) && statSync(path).isDirectory()) throw new Error('it is a directory');
    closeSync(openSync(path, 'a'));
  } catch (error) {
    throw new UsageError(`${flag} ${path}: cannot write there (${(error as Error).message})`);
  }
}

function samePath(a: string, b: string): boolean {
  const real = (path: string) => (existsSync(path) ? realpathSync(path) : resolve(path));
  return real(a) === real(b);
}

/**
 * Where the JSON result goes. The `--compare` baseline is the user's data and is never written
 * over: naming it in `--json` too is an error, and when the default path is the baseline the new
 * result goes next to it under a time-stamped name.
 */
function resultPath(
  json: string | undefined,
  compare: string | undefined,
): { jsonPath: string; moved: boolean } {
  const jsonPath = json ?? DEFAULT_JSON;
  if (compare === undefined || !samePath(jsonPath, compare)) return { jsonPath, moved: false };
  if (json !== undefined)
    throw new UsageError(
      `--json ${json} is the --compare baseline; it is never overwritten: write the new result elsewhere (or leave --json out)`,
    );
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return { jsonPath: join(dirname(jsonPath), `results-${stamp}.json`), moved: true };
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      backends: { type: 'string' },
      suite: { type: 'string' },
      cases: { type: 'string' },
      warmup: { type: 'string' },
      runs: { type: 'string' },
      seed: { type: 'string' },
      threads: { type: 'string' },
      json: { type: 'string' },
      html: { type: 'string' },
      markdown: { type: 'boolean' },
      compare: { type: 'string' },
      list: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const suite = values.suite ?? 'default';
  if (suite !== 'default' && suite !== 'full')
    throw new UsageError(`--suite must be default or full, got ${JSON.stringify(suite)}`);
  const filters = values.cases ? values.cases.split(',').filter(Boolean) : [];
  const cases = selectCases(suite, filters);
  if (values.list) {
    for (const c of cases) console.log(`${c.id.padEnd(32)} ${c.title}`);
    return;
  }
  if (cases.length === 0)
    throw new UsageError(
      `no case of the ${suite} suite matches ${JSON.stringify(values.cases)} (see --list)`,
    );
  const warmup = count('warmup', values.warmup, 3, 0);
  const runs = count('runs', values.runs, STABLE_RUNS, 1);
  const seed = count('seed', values.seed, 1, 0);
  const threads = values.threads === undefined ? undefined : count('threads', values.threads, 1, 1);
  let baseline: BenchmarkResult | undefined;
  if (values.compare !== undefined) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(values.compare, 'utf8'));
    } catch (error) {
      throw new UsageError(
        `cannot read the baseline ${values.compare}: ${(error as Error).message}`,
      );
    }
    try {
      baseline = parseBenchmarkResult(raw, values.compare);
    } catch (error) {
      throw new UsageError((error as Error).message.replace(/^parseBenchmarkResult: /, ''));
    }
  }
  let backends: BackendName[];
  let skipped: BackendFacts | undefined;
  if (values.backends !== undefined) {
    backends = values.backends.split(',').filter(Boolean) as BackendName[];
    for (const name of backends) {
      if (!BACKEND_NAMES.includes(name))
        throw new UsageError(
          `--backends: unknown backend ${JSON.stringify(name)} (${BACKEND_NAMES.join(', ')}; webgl only in a browser)`,
        );
    }
  } else {
    // WebGPU joins by default only on a real adapter: a software one (SwiftShader) is correct but
    // far too slow to say anything about speed, and would take the run past minutes.
    const webgpu = await startBackend('webgpu');
    const software =
      webgpu.adapter?.isFallbackAdapter === true ||
      /swiftshader/i.test(webgpu.adapter?.description ?? '');
    backends = webgpu.available && !software ? ['wasm', 'webgpu'] : ['wasm'];
    if (!webgpu.available) {
      console.error(`webgpu skipped: ${webgpu.reason}`);
      skipped = webgpu;
    } else if (software) {
      const reason = `the only adapter is software (${webgpu.adapter?.description}), too slow to judge speed by; --backends wasm,webgpu runs it anyway`;
      console.error(`webgpu skipped: ${reason}`);
      skipped = { ...webgpu, skipped: true, reason };
    }
  }

  if (threads !== undefined && !backends.includes('wasm'))
    throw new UsageError(
      `--threads sets the wasm backend's threads, and --backends ${backends.join(',')} leaves wasm out`,
    );

  const { jsonPath, moved } = resultPath(values.json, values.compare);
  const htmlPath = values.html ?? 'bench-results/report.html';
  checkWritable('--json', jsonPath);
  checkWritable('--html', htmlPath);

  const interactive = process.stderr.isTTY === true;
  const bar = new SingleBar({
    format: '{bar} {percentage}% | {value}/{total} timed calls | {backend} {caseId}',
    stream: process.stderr,
    noTTYOutput: false,
    hideCursor: interactive,
  });
  let started = false;
  const result = await runBenchmark({
    cases,
    backends,
    warmup,
    runs,
    seed,
    ...(threads !== undefined && { startOptions: { threads } }),
    machine: {
      node: process.versions.node,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
    },
    onProgress: ({ done, total, caseId, backend }) => {
      if (!interactive) return;
      if (!started) {
        bar.start(total, 0, { caseId, backend });
        started = true;
      }
      bar.update(done, { caseId, backend });
    },
  });
  if (started) bar.stop();
  // A backend left out still belongs in the record, with why, for the JSON and the report.
  const left = skipped;
  if (left && !result.backends.some((b) => b.name === left.name)) result.backends.push(left);

  console.log(formatBackends(result));
  console.log();
  console.log(formatResults(result, values.markdown));
  const noise = formatNoiseWarning(result);
  if (noise) console.log(`\n${noise}`);
  if (baseline) {
    console.log(`\nAgainst ${values.compare}:\n`);
    console.log(formatComparison(result, baseline, values.markdown));
  }
  const leaks = result.results.filter((r) => r.leakedTensors !== 0);
  write(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  write(htmlPath, renderHtml(result, loadChartScript()));
  console.log(`\nwrote ${jsonPath} and ${htmlPath}`);
  if (moved)
    console.log(
      `(${values.compare} is the baseline you compared against and was left as it was: the new result went to ${jsonPath})`,
    );
  for (const failure of result.failures) {
    console.error(`failed: ${failure.caseId}@${failure.backend}: ${failure.error}`);
    process.exitCode = 1;
  }
  if (leaks.length > 0) {
    console.error(
      `tensors leaked by: ${leaks.map((r) => `${r.caseId}@${r.backend} (${r.leakedTensors})`).join(', ')}`,
    );
    process.exitCode = 1;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const known =
    error instanceof UsageError || (error as { code?: string })?.code?.startsWith('ERR_');
  console.error(`octconv-bench: ${(error as Error)?.message ?? String(error)}`);
  if (!known) console.error((error as Error)?.stack ?? '');
  process.exitCode = 1;
});
