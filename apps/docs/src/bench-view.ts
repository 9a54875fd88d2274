// What the benchmark page draws from a result: speed-up against α per backend and layer shape
// (with the theoretical curve), and median times per case.
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

/** Median time of each case, octave and vanilla, per backend. */
export function timeBars(result: BenchmarkResult): BarChartOptions {
  const backends = [...new Set(result.results.map((r) => r.backend))];
  const cases = [...new Set(result.results.map((r) => r.caseId))];
  return {
    title: 'Median time per call',
    x: 'ms (log scale)',
    logarithmic: true,
    labels: cases,
    bars: backends.flatMap((backend) =>
      (['octave', 'vanilla'] as const).map((variant) => ({
        label: `${backend} ${variant}`,
        values: cases.map((id) => {
          const r = result.results.find((x) => x.caseId === id && x.backend === backend);
          return r ? r[variant].timing.median : null;
        }),
      })),
    ),
  };
}

/** The file name a downloaded result gets. */
export function resultFileName(result: BenchmarkResult): string {
  return `octconv-bench-${result.startedAt.replace(/[:.]/g, '-')}.json`;
}
