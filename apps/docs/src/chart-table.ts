// The data of a chart as a table: the text alternative each chart of the live pages shows under
// its canvas (ChartData.vue).
import type { BarChartOptions, Series } from './charts';

export interface ChartTable {
  columns: string[];
  rows: string[][];
}

/** One row per bar group: the label, then each bar's value (and the reference marker's). */
export function barTable(
  options: BarChartOptions,
  first: string,
  format: (value: number) => string,
): ChartTable {
  const columns = [first, ...options.bars.map((bar) => bar.label)];
  if (options.reference) columns.push(options.reference.label);
  const cell = (value: number | null | undefined) =>
    value === null || value === undefined ? '–' : format(value);
  const rows = options.labels.map((label, i) => [
    label,
    ...options.bars.map((bar) => cell(bar.values[i])),
    ...(options.reference ? [cell(options.reference.values[i])] : []),
  ]);
  return { columns, rows };
}

/** One row per x value of any series, one column per series (`–` where a series has no point). */
export function seriesTable(
  series: readonly Series[],
  x: string,
  format: (value: number) => string,
  formatX: (value: number) => string = String,
): ChartTable {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const lookup = series.map((s) => new Map(s.points.map((p) => [p.x, p.y])));
  return {
    columns: [x, ...series.map((s) => s.label)],
    rows: xs.map((value) => [
      formatX(value),
      ...lookup.map((points) => {
        const y = points.get(value);
        return y === undefined ? '–' : format(y);
      }),
    ]),
  };
}
