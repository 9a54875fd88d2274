// runBenchmark and the CLI: results that validate against the schema, a backend that cannot start
// reported with its reason, and a smoke run per backend writing valid JSON and HTML.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '@octconv/core';
import { testBackends } from '@octconv/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type BackendName,
  type BenchCase,
  formatNoiseWarning,
  formatResults,
  IMPLAUSIBLE_EFFICIENCY,
  parseBenchmarkResult,
  runBenchmark,
  selectCases,
} from '../src/index';

const CLI = join(import.meta.dirname, '..', 'dist', 'cli.js');
const directory = mkdtempSync(join(tmpdir(), 'octconv-bench-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function cli(...args: (string | NodeJS.ProcessEnv)[]) {
  const env = typeof args[0] === 'object' ? (args.shift() as NodeJS.ProcessEnv) : process.env;
  return spawnSync(process.execPath, [CLI, ...(args as string[])], {
    encoding: 'utf8',
    timeout: 300_000,
    env,
  });
}

describe('runBenchmark', () => {
  it('times a case against its twin and validates against the schema', async () => {
    const result = await runBenchmark({
      cases: selectCases('default', ['layer-c256-s14-a0.5']),
      backends: ['cpu'],
      warmup: 0,
      runs: 2,
    });
    expect(parseBenchmarkResult(JSON.parse(JSON.stringify(result)))).toEqual(result);
    expect(result.results).toHaveLength(1);
    const [r] = result.results;
    expect(r).toMatchObject({ backend: 'cpu', leakedTensors: 0, alpha: 0.5 });
    expect(r!.octave.timing.runs).toBe(2);
    expect(r!.octave.kernelCount).toBeGreaterThan(r!.vanilla.kernelCount);
    expect(r!.speedup).toBeCloseTo(r!.vanilla.timing.median / r!.octave.timing.median, 12);
    expect(r!.theoretical).toBeCloseTo(1 / (1 - 0.75 * 0.5 * 1.5), 12);
  });

  it('times the bare tf.conv2d in its own column and flags an implausible efficiency', async () => {
    const layer = selectCases('default', ['layer-c256-s14-a0.5'])[0]!;
    // A case whose theory promises far less than the twins measure: efficiency ≫ 1.05.
    const implausible: BenchCase = { ...layer, id: 'implausible', theoretical: () => 0.01 };
    const result = await runBenchmark({
      cases: [layer, implausible],
      backends: ['cpu'],
      warmup: 0,
      runs: 2,
    });
    expect(parseBenchmarkResult(JSON.parse(JSON.stringify(result)))).toEqual(result);
    const [plain, flagged] = result.results;
    expect(plain!.baseline!.timing.runs).toBe(2);
    expect(plain!.baseline!.kernelNames).toContain('Conv2D');
    expect(plain!.baselineSpeedup).toBeCloseTo(
      plain!.baseline!.timing.median / plain!.octave.timing.median,
      12,
    );
    // The real case's flag follows its measured efficiency (two cold runs on a busy machine can
    // land above 1.05 too); the made-up case's is certain.
    expect(plain!.implausible).toBe(plain!.efficiency > IMPLAUSIBLE_EFFICIENCY ? true : undefined);
    expect(flagged!.implausible).toBe(true);
    const table = formatResults(result);
    expect(table).toContain('vs tf.conv2d');
    expect(table).toContain(`${plain!.baselineSpeedup!.toFixed(2)}×`);
    expect(table).toMatch(/implausible\s.*⚠ implausible/s);
    expect(formatNoiseWarning(result)).toMatch(/\d efficiencies exceed 1\.05 \(.*implausible@cpu/);
  });

  it('records a case that throws and runs the rest; deduplicates backends; refuses an empty list', async () => {
    const [good] = selectCases('default', ['layer-c256-s14-a0.5']);
    const broken = {
      ...good!,
      id: 'broken',
      setup: () => {
        throw new Error('no memory left');
      },
    };
    const result = await runBenchmark({
      cases: [broken, good!],
      backends: ['cpu', 'cpu'],
      warmup: 0,
      runs: 1,
    });
    expect(result.backends).toHaveLength(1);
    expect(result.failures).toEqual([
      { caseId: 'broken', backend: 'cpu', error: 'no memory left' },
    ]);
    expect(result.results.map((r) => r.caseId)).toEqual(['layer-c256-s14-a0.5']);
    expect(result.results[0]!.octave.firstRunMs).toBeGreaterThan(0);
    const empty = await runBenchmark({ cases: [good!], backends: [] }).catch((e: unknown) => e);
    expect(String(empty)).toContain('runBenchmark: options.backends is empty');
    const seed = await runBenchmark({ cases: [good!], backends: ['cpu'], seed: 0.5 }).catch(
      (e: unknown) => e,
    );
    expect(String(seed)).toContain('runBenchmark: options.seed must be an integer ≥ 0, got 0.5');
  });

  it('refuses unknown backends with a typed error', async () => {
    const error = await runBenchmark({
      cases: selectCases('default'),
      backends: ['tpu' as BackendName],
    }).catch((e: unknown) => e);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect(String(error)).toContain('runBenchmark: unknown backend "tpu"');
  });

  it('reports a backend that cannot start with its reason and runs the others (no WebGPU adapter)', () => {
    const json = join(directory, 'partial.json');
    const env = { ...process.env, VK_ICD_FILENAMES: '/nonexistent/icd.json' };
    const run = cli(
      env,
      '--backends',
      'webgpu,cpu',
      '--cases',
      'layer-c256-s14-a0.5',
      '--warmup',
      '0',
      '--runs',
      '1',
      '--json',
      json,
      '--html',
      join(directory, 'partial.html'),
    );
    expect(run.status, run.stderr).toBe(0);
    const result = parseBenchmarkResult(JSON.parse(readFileSync(json, 'utf8')));
    expect(result.backends[0]).toMatchObject({ name: 'webgpu', available: false });
    expect(result.backends[0]!.reason).toContain('no WebGPU adapter');
    expect(result.results.map((r) => r.backend)).toEqual(['cpu']);
    const only = cli(env, '--backends', 'webgpu', '--cases', 'layer-c256-s14-a0.5');
    expect(only.status).toBe(1);
    expect(only.stderr).toContain(
      'octconv-bench: runBenchmark: no requested backend could start: webgpu: no WebGPU adapter',
    );
  });

  it('rejects a malformed result with the path of each problem', () => {
    expect(() =>
      parseBenchmarkResult({ schema: 'octconv-bench/1', results: [{ speedup: -1 }] }, 'old.json'),
    ).toThrow(/^parseBenchmarkResult: old\.json is not an octconv-bench result: .*startedAt/);
  });
});

describe('octconv-bench CLI', async () => {
  for (const backend of await testBackends()) {
    it.skipIf(!backend.available)(
      `writes valid JSON and HTML for one tiny case [${backend.name}]`,
      () => {
        const json = join(directory, `${backend.name}.json`);
        const html = join(directory, `${backend.name}.html`);
        const run = cli(
          '--backends',
          backend.name,
          '--cases',
          'layer-c256-s14-a0.5',
          '--warmup',
          '0',
          '--runs',
          '1',
          '--json',
          json,
          '--html',
          html,
        );
        expect(run.status, run.stderr).toBe(0);
        expect(run.stdout).toContain('layer-c256-s14-a0.5');
        const result = parseBenchmarkResult(JSON.parse(readFileSync(json, 'utf8')));
        expect(result.results.map((r) => r.backend)).toEqual([backend.name]);
        const page = readFileSync(html, 'utf8');
        expect(page).toContain('<canvas id="speedup"');
        expect(page).toContain('Chart.js'); // the library is inlined: the file is self-contained
        expect(page).toContain('layer-c256-s14-a0.5');
        // --compare against itself: every median unchanged.
        const again = cli(
          '--backends',
          backend.name,
          '--cases',
          'layer-c256-s14-a0.5',
          '--warmup',
          '0',
          '--runs',
          '1',
          '--json',
          join(directory, 'again.json'),
          '--html',
          join(directory, 'again.html'),
          '--compare',
          json,
        );
        expect(again.status, again.stderr).toBe(0);
        expect(again.stdout).toContain(`Against ${json}`);
      },
    );
  }

  it('runs wasm on 2 threads in Node with --threads 2, says so, and exits', () => {
    const json = join(directory, 'threads.json');
    const run = cli(
      '--backends',
      'wasm',
      '--threads',
      '2',
      '--cases',
      'layer-c256-s14-a0.5',
      '--warmup',
      '0',
      '--runs',
      '1',
      '--json',
      json,
      '--html',
      join(directory, 'threads.html'),
    );
    // spawnSync's timeout would kill a CLI kept alive by the thread pool's workers (status null).
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^wasm: SIMD yes, 2 threads$/m);
    const result = parseBenchmarkResult(JSON.parse(readFileSync(json, 'utf8')));
    expect(result.backends).toEqual([
      expect.objectContaining({ name: 'wasm', threads: true, threadCount: 2, threadsRequested: 2 }),
    ]);
    expect(result.results).toHaveLength(1);
  });

  it('exits 1 with a clear message for a malformed baseline and bad flags', () => {
    const bad = join(directory, 'bad.json');
    writeFileSync(bad, JSON.stringify({ schema: 'something-else' }));
    const run = cli('--backends', 'cpu', '--cases', 'layer-c256-s14-a0.5', '--compare', bad);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`octconv-bench: ${bad} is not an octconv-bench result: schema:`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(cli('--runs', '0').stderr).toContain('--runs must be an integer ≥ 1');
    expect(cli('--cases', 'nothing-like-this').stderr).toContain(
      'no case of the default suite matches',
    );
    expect(cli('--backends', 'tpu').stderr).toContain('unknown backend "tpu"');
    expect(cli('--threads', '0').stderr).toContain('--threads must be an integer ≥ 1');
    expect(cli('--threads', 'two').stderr).toContain('--threads must be an integer ≥ 1');
    expect(cli('--backends', 'cpu', '--threads', '2').stderr).toContain(
      '--threads sets the wasm backend',
    );
    const intoDirectory = cli(
      '--backends',
      'cpu',
      '--cases',
      'layer-c256-s14-a0.5',
      '--json',
      directory,
    );
    expect(intoDirectory.status).toBe(1);
    expect(intoDirectory.stderr).toContain(
      `octconv-bench: --json ${directory}: cannot write there (it is a directory)`,
    );
    expect(intoDirectory.stdout).not.toContain('layer-c256');
  });
});

describe('octconv-bench CLI: what the user keeps and reads', () => {
  // The CLI's defaults, run from a project folder as a user would.
  function inProject(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]) {
    return spawnSync(process.execPath, [CLI, ...args], {
      cwd,
      encoding: 'utf8',
      timeout: 300_000,
      env,
    });
  }
  const noAdapter = { ...process.env, VK_ICD_FILENAMES: '/nonexistent/icd.json' };
  const tiny = ['--cases', 'layer-c256-s14-a0.5', '--warmup', '0', '--runs', '3'];

  it('never writes over the --compare baseline, and says where the new result went', () => {
    const project = join(directory, 'project');
    mkdirSync(project);
    const first = inProject(project, process.env, '--backends', 'cpu', ...tiny);
    expect(first.status, first.stderr).toBe(0);
    const baseline = join(project, 'bench-results', 'results.json');
    const before = readFileSync(baseline);
    const again = inProject(
      project,
      process.env,
      '--backends',
      'cpu',
      ...tiny,
      '--compare',
      'bench-results/results.json',
    );
    expect(again.status, again.stderr).toBe(0);
    expect(readFileSync(baseline).equals(before)).toBe(true);
    const written = readdirSync(join(project, 'bench-results')).filter((f) =>
      /^results-\d{8}T\d{6}\.json$/.test(f),
    );
    expect(written).toHaveLength(1);
    expect(again.stdout).toContain(
      `bench-results/results.json is the baseline you compared against and was left as it was: the new result went to bench-results/${written[0]}`,
    );
    parseBenchmarkResult(
      JSON.parse(readFileSync(join(project, 'bench-results', written[0]!), 'utf8')),
    );
    const same = inProject(
      project,
      process.env,
      '--backends',
      'cpu',
      ...tiny,
      '--compare',
      baseline,
      '--json',
      'bench-results/../bench-results/results.json',
    );
    expect(same.status).toBe(1);
    expect(same.stderr).toContain('is the --compare baseline; it is never overwritten');
    expect(readFileSync(baseline).equals(before)).toBe(true);
  });

  it('records a skipped backend with why, and warns of noise, in the table, the JSON and the report', () => {
    const project = join(directory, 'skipped');
    mkdirSync(project);
    // No --backends: the default probes WebGPU, which has no adapter here, and runs wasm.
    const run = inProject(project, noAdapter, ...tiny);
    expect(run.status, run.stderr).toBe(0);
    const result = parseBenchmarkResult(
      JSON.parse(readFileSync(join(project, 'bench-results', 'results.json'), 'utf8')),
    );
    const webgpu = result.backends.find((b) => b.name === 'webgpu');
    expect(webgpu).toMatchObject({ available: false });
    expect(webgpu!.reason).toContain('no WebGPU adapter');
    expect(result.results.map((r) => r.backend)).toEqual(['wasm']);
    const page = readFileSync(join(project, 'bench-results', 'report.html'), 'utf8');
    expect(page).toMatch(/<pre id="backends">[^<]*webgpu: unavailable — [^<]*no WebGPU adapter/);
    // 3 runs: flagged in the table's noise column, under it, and in the report.
    expect(run.stdout).toMatch(/layer-c256-s14-a0\.5 .*⚠ 3 runs/);
    expect(run.stdout).toContain('speed-ups are noisy');
    expect(page).toMatch(/<pre id="noise" class="warning">⚠ 1 of 1 speed-ups are noisy/);
    // Worded for what fell short: the run count here, not a spread it may not have.
    expect(page).toContain('run with --runs 20 or more');
    // The details the JSON had and the report did not show before.
    const details = page.slice(page.indexOf('<table id="details">'));
    const r = result.results[0]!;
    for (const text of [
      'first call ms oct / van',
      'peak MiB oct / van',
      'kept MiB oct / van',
      'leaked tensors',
      r.octave.kernelNames[0]!,
      (r.octave.peakBytes / (1 << 20)).toFixed(2),
      (r.octave.keptBytes! / (1 << 20)).toFixed(2),
    ])
      expect(details).toContain(text);
    // One α: bars per case with the theoretical mark, no α curve of two dots.
    expect(page).toContain('<canvas id="speedup"');
    expect(page).toContain('<section id="alpha-section" hidden>');
  });

  it('marks a software adapter left out by default as skipped, not unavailable', async () => {
    const { formatBackends } = await import('../src/index');
    const facts = {
      name: 'webgpu' as const,
      available: true,
      skipped: true,
      reason: 'the only adapter is software (SwiftShader)',
    };
    const text = formatBackends({ backends: [facts] } as never);
    expect(text).toBe('webgpu: skipped — the only adapter is software (SwiftShader)');
  });
});
