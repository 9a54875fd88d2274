// What the benchmark page draws from a result: speed-up against α per backend and layer shape
// (with the theoretical curve), speed-up per case against theory, and median times per case.
import type { BenchmarkResult } from '@octconv/bench';
import type { BarChartOptions, Series } from './charts';

/** Layer cases' speed-ups against α, one series per backend and shape, and the theory. */
export function speedupSeries(result: BenchmarkResult): Series[] {
  const layers = result.results.filter((r) => r.kind === 'layer');
  const groups = new Map<string, Series>();
  const theory = new Map<number, number>();
  for (const r of layers) {
    const label = `${r.backend} ${r.caseId.replace(/-a[0-9.]+$/, '')}`;
    const series = groups.get(label) ?? { label, points: [] };
    series.points.push({ x: r.alpha, y: r.speedup });
    groups.set(label, series);
    theory.set(r.alpha, r.theoretical);
  }
  const series = [...groups.values()];
  for (const s of series) s.points.sort((a, b) => a.x - b.x);
  if (theory.size > 0) {
    series.push({
      label: 'theoretical (multiply-adds)',
      points: [...theory].sort((a, b) => a[0] - b[0]).map(([x, y]) => ({ x, y })),
      dashed: true,
    });
  }
  return series;
}

const backendsOf = (result: BenchmarkResult) => [...new Set(result.results.map((r) => r.backend))];
const casesOf = (result: BenchmarkResult) => [...new Set(result.results.map((r) => r.caseId))];
const find = (result: BenchmarkResult, id: string, backend: string) =>
  result.results.find((x) => x.caseId === id && x.backend === backend);

/** Measured speed-up of each case per backend, with the theoretical ratio as a marker. */
export function speedupBars(result: BenchmarkResult): BarChartOptions {
  const cases = casesOf(result);
  return {
    title: 'Speed-up per case (vanilla median / octave median)',
    x: 'speed-up vs vanilla (×)',
    labels: cases,
    bars: backendsOf(result).map((backend) => ({
      label: `${backend} measured`,
      values: cases.map((id) => find(result, id, backend)?.speedup ?? null),
    })),
    reference: {
      label: 'theoretical (multiply-adds)',
      values: cases.map((id) => result.results.find((x) => x.caseId === id)?.theoretical ?? null),
    },
  };
}

/**
 * Median time of each case, octave and vanilla, per backend, on a linear axis from zero: bar
 * lengths compare. The cases span three orders of magnitude, so the short ones are thin bars;
 * their numbers are in the table under the chart.
 */
export function timeBars(result: BenchmarkResult): BarChartOptions {
  const cases = casesOf(result);
  return {
    title: 'Median time per call',
    x: 'median ms per call',
    labels: cases,
    bars: backendsOf(result).flatMap((backend) =>
      (['octave', 'vanilla'] as const).map((variant) => ({
        label: `${backend} ${variant}`,
        values: cases.map((id) => find(result, id, backend)?.[variant].timing.median ?? null),
      })),
    ),
  };
}

/** The file name a downloaded result gets. */
export function resultFileName(result: BenchmarkResult): string {
  return `octconv-bench-${result.startedAt.replace(/[:.]/g, '-')}.json`;
}
