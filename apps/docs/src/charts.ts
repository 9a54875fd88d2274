// Chart.js for the live pages: line charts over a numeric x axis and horizontal bars, drawn in
// the colours of the current theme (the --oct-chart-* properties of a11y.css: 4.5:1 text and
// 3:1 lines and bars against the page, light and dark). Every chart has its data as a table
// under it (ChartData.vue); redraw a chart when the theme changes.
import { Chart, type ChartConfiguration, type ChartDataset, registerables } from 'chart.js';

/**
 * Writes on each canvas how many category labels the chart drew (`data-labels-drawn`) of how
 * many it has (`data-labels`): Chart.js skips labels that do not fit, silently.
 */
const labelsDrawn = {
  id: 'octconvLabelsDrawn',
  afterDraw(chart: Chart) {
    const axis = chart.options.indexAxis === 'y' ? chart.scales.y : chart.scales.x;
    const labels = chart.data.labels;
    if (!axis || !labels || axis.type !== 'category') return;
    chart.canvas.dataset.labels = String(labels.length);
    chart.canvas.dataset.labelsDrawn = String(axis.ticks.length);
  },
};

Chart.register(...registerables, labelsDrawn);

export { Chart };

/** The theme's chart colours, read from the page's styles. */
export interface ChartTheme {
  text: string;
  grid: string;
  /** The theoretical curve or marker: the theme's strongest colour. */
  reference: string;
  series: string[];
}

const FALLBACK: ChartTheme = {
  text: '#3c3c43',
  grid: 'rgba(60, 60, 67, 0.18)',
  reference: '#1b1b1f',
  series: ['#3451b2', '#c2410c', '#2b8a3e', '#c2255c', '#7048e8', '#0b7285', '#495057'],
};

/** The chart colours a11y.css sets for the theme the page shows now. */
export function chartTheme(): ChartTheme {
  if (typeof document === 'undefined') return FALLBACK;
  const style = getComputedStyle(document.documentElement);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: read('--oct-chart-text', FALLBACK.text),
    grid: read('--oct-chart-grid', FALLBACK.grid),
    reference: read('--oct-chart-reference', FALLBACK.reference),
    series: FALLBACK.series.map((colour, i) => read(`--oct-chart-${i + 1}`, colour)),
  };
}

export interface Point {
  x: number;
  y: number;
}

export interface Series {
  label: string;
  points: Point[];
  /** The theoretical curve: dashed, in the reference colour. */
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

function datasets(series: Series[], theme: ChartTheme): ChartDataset<'line', Point[]>[] {
  let next = 0;
  return series.map((s) => {
    const colour = s.dashed ? theme.reference : theme.series[next++ % theme.series.length]!;
    return {
      label: s.label,
      data: s.points,
      borderColor: colour,
      backgroundColor: colour,
      borderDash: s.dashed ? [6, 4] : [],
      borderWidth: 2,
      // Dots help a short series and clutter a long one.
      pointRadius: s.points.length > 40 ? 0 : 3,
      tension: 0,
    };
  });
}

/** Axis, title and legend colours of the theme. */
function themed(theme: ChartTheme) {
  const axis = (title: string) => ({
    title: { display: true, text: title, color: theme.text },
    ticks: { color: theme.text },
    grid: { color: theme.grid },
    border: { color: theme.text },
  });
  const plugins = (title: string) => ({
    title: { display: true, text: title, color: theme.text },
    legend: { labels: { color: theme.text } },
  });
  return { axis, plugins };
}

function xyConfig(options: XYChartOptions): ChartConfiguration<'line', Point[]> {
  const theme = chartTheme();
  const { axis, plugins } = themed(theme);
  return {
    type: 'line',
    data: { datasets: datasets(options.series, theme) },
    options: {
      animation: false,
      maintainAspectRatio: false,
      color: theme.text,
      plugins: plugins(options.title),
      scales: {
        x: {
          type: 'linear',
          ...(options.xRange && { min: options.xRange[0], max: options.xRange[1] }),
          ...axis(options.x),
        },
        y: {
          beginAtZero: options.fromZero ?? true,
          ...(options.yMax !== undefined && { max: options.yMax }),
          ...axis(options.y),
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
    existing.data.datasets = datasets(options.series, chartTheme());
    if (existing.options.plugins?.title) existing.options.plugins.title.text = options.title;
    existing.update();
    return existing;
  }
  return new Chart(canvas, xyConfig(options));
}

export interface BarChartOptions {
  title: string;
  /** The value axis' title. */
  x: string;
  labels: string[];
  bars: { label: string; values: (number | null)[] }[];
  /** A marker per label drawn over the bars (the theoretical speed-up). */
  reference?: { label: string; values: (number | null)[] };
}

/** Height in pixels a horizontal bar chart needs for every label to be written. */
export function barChartHeight(options: BarChartOptions): number {
  return Math.max(260, 110 + options.labels.length * Math.max(22, 12 * options.bars.length));
}

/**
 * Horizontal bars, one group per label, on a linear axis from zero (bar lengths compare), with
 * every label written (the canvas' parent should be {@link barChartHeight} tall).
 */
export function barChart(canvas: HTMLCanvasElement, options: BarChartOptions): Chart {
  const theme = chartTheme();
  const { axis, plugins } = themed(theme);
  const bars: ChartDataset<'bar', (number | null)[]>[] = options.bars.map((bar, i) => ({
    label: bar.label,
    data: bar.values,
    backgroundColor: theme.series[i % theme.series.length],
    borderColor: theme.series[i % theme.series.length],
  }));
  const reference = options.reference && {
    type: 'line' as const,
    label: options.reference.label,
    data: options.reference.values,
    showLine: false,
    pointStyle: 'line' as const,
    pointRadius: 10,
    pointRotation: 90,
    pointBorderWidth: 3,
    borderColor: theme.reference,
    backgroundColor: theme.reference,
    order: -1,
  };
  // A bar chart with one line dataset (the reference markers) mixed in.
  const config = {
    type: 'bar',
    data: {
      labels: options.labels,
      datasets: reference ? [...bars, reference] : bars,
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      color: theme.text,
      indexAxis: 'y',
      plugins: plugins(options.title),
      scales: {
        x: { type: 'linear', beginAtZero: true, min: 0, ...axis(options.x) },
        y: {
          ...axis(''),
          title: { display: false },
          ticks: { color: theme.text, autoSkip: false },
        },
      },
    },
  } as unknown as ChartConfiguration;
  return new Chart(canvas, config);
}
