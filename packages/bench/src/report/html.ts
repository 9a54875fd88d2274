import type { BenchmarkResult } from '../schema/result-schema';
import { formatBackends, formatResults } from './table';

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/**
 * A self-contained HTML report: the results table, the machine and backend facts, and two
 * Chart.js charts (speed-up against α per backend and layer shape, with the theoretical curve;
 * median time per case and backend). `chartScript` is Chart.js's UMD build, inlined so the file
 * opens anywhere without a network.
 */
export function renderHtml(result: BenchmarkResult, chartScript: string): string {
  const data = JSON.stringify(result).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>octconv-bench ${escapeHtml(result.startedAt)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #222; }
pre { background: #f6f6f6; padding: 1rem; overflow-x: auto; }
.chart { max-width: 960px; margin: 2rem 0; }
</style>
</head>
<body>
<h1>octconv-bench</h1>
<p>${escapeHtml(result.startedAt)} · ${result.results.length} results · warmup ${result.settings.warmup}, runs ${result.settings.runs}, seed ${result.settings.seed} · tfjs ${escapeHtml(result.machine.tfjs)} · ${escapeHtml([result.machine.platform, result.machine.cpuModel, result.machine.cpus && `${result.machine.cpus} CPUs`, result.machine.node && `Node ${result.machine.node}`].filter(Boolean).join(', '))}</p>
<h2>Backends</h2>
<pre>${escapeHtml(formatBackends(result))}</pre>
<h2>Speed-up against α (layers)</h2>
<div class="chart"><canvas id="speedup"></canvas></div>
<h2>Median time per case</h2>
<div class="chart"><canvas id="times"></canvas></div>
<h2>Results</h2>
<p>speed-up = vanilla median / octave median; theoretical = vanilla / octave multiply-adds; efficiency = speed-up / theoretical.</p>
<pre>${escapeHtml(formatResults(result))}</pre>
<script>${chartScript}</script>
<script>
const result = ${data};
const colours = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2'];
const layers = result.results.filter((r) => r.kind === 'layer');
const groups = new Map();
for (const r of layers) {
  const key = r.backend + ' ' + r.caseId.replace(/-a[0-9.]+$/, '');
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key).push({ x: r.alpha, y: r.speedup });
}
const theory = new Map();
for (const r of layers) theory.set(r.alpha, r.theoretical);
const datasets = [...groups].map(([label, points], i) => ({ label, data: points.sort((a, b) => a.x - b.x), borderColor: colours[i % colours.length], showLine: true }));
datasets.push({ label: 'theoretical (multiply-adds)', data: [...theory].sort((a, b) => a[0] - b[0]).map(([x, y]) => ({ x, y })), borderColor: '#000', borderDash: [6, 4], showLine: true });
new Chart(document.getElementById('speedup'), { type: 'scatter', data: { datasets }, options: { animation: false, scales: { x: { title: { display: true, text: 'α' } }, y: { title: { display: true, text: 'speed-up vs vanilla (×)' } } } } });
const backends = [...new Set(result.results.map((r) => r.backend))];
const cases = [...new Set(result.results.map((r) => r.caseId))];
const bars = backends.flatMap((backend, i) => ['octave', 'vanilla'].map((variant, j) => ({
  label: backend + ' ' + variant,
  backgroundColor: colours[(2 * i + j) % colours.length],
  data: cases.map((id) => { const r = result.results.find((x) => x.caseId === id && x.backend === backend); return r ? r[variant].timing.median : null; }),
})));
new Chart(document.getElementById('times'), { type: 'bar', data: { labels: cases, datasets: bars }, options: { animation: false, indexAxis: 'y', scales: { x: { type: 'logarithmic', title: { display: true, text: 'median ms (log)' } } } } });
</script>
</body>
</html>
`;
}
