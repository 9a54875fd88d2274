// Chart.js for the live pages: line charts over a numeric x axis and horizontal bars.
import { Chart, type ChartConfiguration, type ChartDataset, registerables } from 'chart.js';

Chart.register(...registerables);

export { Chart };

export const COLOURS = [
  '#3451b2',
  '#e8590c',
  '#2f9e44',
  '#c2255c',
  '#7048e8',
  '#0c8599',
  '#868e96',
];

export interface Point {
  x: number;
  y: number;
}

export interface Series {
  label: string;
  points: Point[];
  dashed?: boolean;
}

export interface XYChartOptions {
  title: string;
  x: string;
  y: string;
  series: Series[];
  /** Start the y axis at zero (default true). */
  fromZero?: boolean;
  /** Fixed top of the y axis. */
  yMax?: number;
  /** Fixed x axis range. */
  xRange?: [number, number];
}

function datasets(series: Series[]): ChartDataset<'line', Point[]>[] {
  return series.map((s, i) => ({
    label: s.label,
    data: s.points,
    borderColor: s.dashed ? '#000' : COLOURS[i % COLOURS.length],
    backgroundColor: s.dashed ? '#fff' : COLOURS[i % COLOURS.length],
    borderDash: s.dashed ? [6, 4] : [],
    // Dots help a short series and clutter a long one.
    pointRadius: s.points.length > 40 ? 0 : 3,
    tension: 0,
  }));
}

function xyConfig(options: XYChartOptions): ChartConfiguration<'line', Point[]> {
  return {
    type: 'line',
    data: { datasets: datasets(options.series) },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { title: { display: true, text: options.title } },
      scales: {
        x: {
          type: 'linear',
          ...(options.xRange && { min: options.xRange[0], max: options.xRange[1] }),
          title: { display: true, text: options.x },
        },
        y: {
          beginAtZero: options.fromZero ?? true,
          ...(options.yMax !== undefined && { max: options.yMax }),
          title: { display: true, text: options.y },
        },
      },
    },
  };
}

/** A line chart over a numeric x axis, or the same chart updated in place. */
export function xyChart(
  canvas: HTMLCanvasElement,
  options: XYChartOptions,
  existing?: Chart<'line', Point[]> | null,
): Chart<'line', Point[]> {
  if (existing) {
    existing.data.datasets = datasets(options.series);
    if (existing.options.plugins?.title) existing.options.plugins.title.text = options.title;
    existing.update();
    return existing;
  }
  return new Chart(canvas, xyConfig(options));
}

export interface BarChartOptions {
  title: string;
  x: string;
  labels: string[];
  bars: { label: string; values: (number | null)[] }[];
  logarithmic?: boolean;
}

/** Horizontal bars, one group per label. */
export function barChart(canvas: HTMLCanvasElement, options: BarChartOptions): Chart<'bar'> {
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: options.labels,
      datasets: options.bars.map((bar, i) => ({
        label: bar.label,
        data: bar.values,
        backgroundColor: COLOURS[i % COLOURS.length],
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      indexAxis: 'y',
      plugins: { title: { display: true, text: options.title } },
      scales: {
        x: {
          type: options.logarithmic ? 'logarithmic' : 'linear',
          title: { display: true, text: options.x },
        },
      },
    },
  });
}
