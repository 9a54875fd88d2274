import { type BenchmarkResult, IMPLAUSIBLE_EFFICIENCY } from '../schema/result-schema';

function render(headers: string[], rows: string[][], markdown: boolean): string {
  if (markdown) {
    const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
    return [
      line(headers),
      line(headers.map((_, i) => (i < 2 ? '---' : '---:'))),
      ...rows.map(line),
    ].join('\n');
  }
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => row[i]!.length)),
  );
  const pad = (cells: string[]) =>
    cells
      .map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ');
  return [pad(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(pad)].join('\n');
}

const ms = (value: number) => value.toFixed(value < 10 ? 2 : 1);

/**
 * Below this many timed runs per variant a speed-up is flagged as noisy: on the project's 2-core
 * machines ratios of the larger cases settle by 10–20 runs, and sub-millisecond cases swing by
 * ±15 % or more below that (the README's "Noise" table, `scripts/noise.mjs`).
 */
export const STABLE_RUNS = 20;
/** A variant whose p10–p90 spread exceeds this fraction of its median is too noisy to compare. */
export const WIDE_SPREAD = 0.25;

/** Why one result's speed-up should not be trusted, or `''`: too few runs, or a wide spread. */
export function noiseOf(result: BenchmarkResult['results'][number]): string {
  const spread = Math.max(
    ...[result.octave.timing, result.vanilla.timing].map((t) => (t.p90 - t.p10) / t.median),
  );
  const reasons = [
    result.octave.timing.runs < STABLE_RUNS && `${result.octave.timing.runs} runs`,
    spread > WIDE_SPREAD && `spread ${(spread * 100).toFixed(0)}%`,
  ].filter(Boolean);
  return reasons.join(', ');
}

/**
 * A warning under the table when some speed-ups rest on few runs or a wide p10–p90 spread, or
 * when an efficiency is implausible (a measurement problem, not a result).
 */
export function formatNoiseWarning(result: BenchmarkResult): string {
  const noisy = result.results.filter((r) => noiseOf(r) !== '');
  const implausible = result.results.filter((r) => r.implausible);
  if (noisy.length === 0 && implausible.length === 0) return '';
  const lines: string[] = [];
  if (noisy.length > 0) {
    // Say only what fell short: the run count, the spread, or both.
    const fewRuns = noisy.some((r) => r.octave.timing.runs < STABLE_RUNS);
    const wide = noisy.some((r) => noiseOf(r).includes('spread'));
    const advice = [
      fewRuns && `run with --runs ${STABLE_RUNS} or more (ratios settle by ${STABLE_RUNS} runs)`,
      wide &&
        `close other programs and run again (a p10–p90 spread over ${WIDE_SPREAD * 100}% of the median means something else used the machine)`,
    ].filter(Boolean);
    lines.push(
      `⚠ ${noisy.length} of ${result.results.length} speed-ups are noisy (${noisy.map((r) => `${r.caseId}@${r.backend}: ${noiseOf(r)}`).join('; ')}).`,
      `  To trust them, ${advice.join('; and ')}.`,
    );
  }
  if (implausible.length > 0) {
    lines.push(
      `⚠ ${implausible.length} efficiencies exceed ${IMPLAUSIBLE_EFFICIENCY} (${implausible.map((r) => `${r.caseId}@${r.backend}: ${r.efficiency.toFixed(2)}`).join('; ')}): the twins run the same compiled path, so this is a measurement problem (one twin ran cold or disturbed), not a result. Run again.`,
    );
  }
  return lines.join('\n');
}

/** A table's header and rows, for the text, Markdown and HTML renderings alike. */
export interface TableData {
  headers: string[];
  rows: string[][];
}

/**
 * The results table's data: case, backend, ms (median, p10–p90) of both variants, speed-up,
 * theory, efficiency (flagged above {@link IMPLAUSIBLE_EFFICIENCY}), and the octave variant's gain
 * over a bare `tf.conv2d` where the case has one.
 */
export function resultsTable(result: BenchmarkResult): TableData {
  const rows = result.results.map((r) => [
    r.caseId,
    r.backend,
    `${ms(r.octave.timing.median)} (${ms(r.octave.timing.p10)}–${ms(r.octave.timing.p90)})`,
    `${ms(r.vanilla.timing.median)} (${ms(r.vanilla.timing.p10)}–${ms(r.vanilla.timing.p90)})`,
    `${r.speedup.toFixed(2)}×`,
    `${r.theoretical.toFixed(2)}×`,
    r.implausible ? `${r.efficiency.toFixed(2)} ⚠ implausible` : r.efficiency.toFixed(2),
    r.baselineSpeedup === undefined ? '' : `${r.baselineSpeedup.toFixed(2)}×`,
    `${r.octave.kernelCount} / ${r.vanilla.kernelCount}`,
    noiseOf(r) ? `⚠ ${noiseOf(r)}` : '',
  ]);
  const headers = [
    'case',
    'backend',
    'octave ms (p10–p90)',
    'vanilla ms (p10–p90)',
    'speed-up',
    'theoretical',
    'efficiency',
    'vs tf.conv2d',
    'kernels oct / van',
    'noise',
  ];
  return { headers, rows };
}

/** The results table (case, backend, both variants' times, speed-up, theory, efficiency, gain over `tf.conv2d`) as text or Markdown. */
export function formatResults(result: BenchmarkResult, markdown = false): string {
  const { headers, rows } = resultsTable(result);
  return render(headers, rows, markdown);
}

const mib = (bytes: number) => (bytes / (1 << 20)).toFixed(2);

/**
 * What the results table leaves out: first-call time (compilation, uploads, caches), tf.profile's
 * peak memory of one call and the activations it keeps (its outputs; the rest of the peak is
 * transient), the kernels one call runs, and tensors leaked by the case.
 */
export function detailsTable(result: BenchmarkResult): TableData {
  const rows = result.results.map((r) => [
    r.caseId,
    r.backend,
    `${ms(r.octave.firstRunMs)} / ${ms(r.vanilla.firstRunMs)}`,
    `${mib(r.octave.peakBytes)} / ${mib(r.vanilla.peakBytes)}`,
    r.octave.keptBytes !== undefined && r.vanilla.keptBytes !== undefined
      ? `${mib(r.octave.keptBytes)} / ${mib(r.vanilla.keptBytes)}`
      : '–',
    String(r.leakedTensors),
    `${r.octave.kernelCount}: ${r.octave.kernelNames.join(', ')}`,
    `${r.vanilla.kernelCount}: ${r.vanilla.kernelNames.join(', ')}`,
  ]);
  const headers = [
    'case',
    'backend',
    'first call ms oct / van',
    'peak MiB oct / van',
    'kept MiB oct / van',
    'leaked tensors',
    'octave kernels',
    'vanilla kernels',
  ];
  return { headers, rows };
}

/** The details table (first-call time, peak and kept memory, kernels, leaks) as text or Markdown. */
export function formatDetails(result: BenchmarkResult, markdown = false): string {
  const { headers, rows } = detailsTable(result);
  return render(headers, rows, markdown);
}

/** The backends' facts, one line each. */
export function formatBackends(result: BenchmarkResult): string {
  return result.backends
    .map((b) => {
      if (!b.available) return `${b.name}: unavailable — ${b.reason}`;
      if (b.skipped) return `${b.name}: skipped — ${b.reason}`;
      const facts = [
        b.simd !== undefined && `SIMD ${b.simd ? 'yes' : 'no'}`,
        b.threadCount !== undefined
          ? `${b.threadCount} thread${b.threadCount === 1 ? '' : 's'}${b.threadsRequested !== undefined && b.threadsRequested !== b.threadCount ? ` of ${b.threadsRequested} asked` : ''}${b.threadsCapped ? ` (${b.threadsCapped})` : ''}`
          : b.threads !== undefined && `threads ${b.threads ? 'yes' : 'no'}`,
        b.adapter &&
          `${b.name === 'webgl' ? `WebGL ${b.adapter.webglVersion ?? ''} renderer`.replace('  ', ' ') : 'adapter'} ${b.adapter.description}${b.adapter.isFallbackAdapter || b.adapter.software ? ' (software-rendered: do not judge speed by it)' : ''}${b.adapter.float32 === false ? ' (float16 textures: coarser results)' : ''}`,
      ].filter(Boolean);
      return `${b.name}: ${facts.join(', ') || 'ready'}`;
    })
    .join('\n');
}

/** Median changes per case and backend against an earlier run. */
export function formatComparison(
  current: BenchmarkResult,
  baseline: BenchmarkResult,
  markdown = false,
): string {
  const key = (r: { caseId: string; backend: string }) => `${r.caseId}@${r.backend}`;
  const before = new Map(baseline.results.map((r) => [key(r), r]));
  const rows = current.results
    .filter((r) => before.has(key(r)))
    .map((r) => {
      const old = before.get(key(r))!;
      const change = (now: number, then: number) => `${(((now - then) / then) * 100).toFixed(1)}%`;
      return [
        r.caseId,
        r.backend,
        `${ms(old.octave.timing.median)} → ${ms(r.octave.timing.median)} (${change(r.octave.timing.median, old.octave.timing.median)})`,
        `${ms(old.vanilla.timing.median)} → ${ms(r.vanilla.timing.median)} (${change(r.vanilla.timing.median, old.vanilla.timing.median)})`,
        `${old.speedup.toFixed(2)}× → ${r.speedup.toFixed(2)}×`,
      ];
    });
  if (rows.length === 0) return 'no case in common with the baseline';
  return render(['case', 'backend', 'octave ms', 'vanilla ms', 'speed-up'], rows, markdown);
}
