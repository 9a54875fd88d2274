import type { BenchmarkResult } from '../schema/result-schema';
import { formatBackends, formatDetails, formatNoiseWarning, formatResults } from './table';

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/**
 * A self-contained HTML report: the machine and backend facts (skipped backends with why), the
 * results table with its noise warning, the details (first call, peak memory, leaks, kernels),
 * failures, and Chart.js charts: measured against theoretical speed-up per case; speed-up
 * against α for layer shapes run at two or more α; median time per case. `chartScript` is
 * Chart.js's UMD build, inlined so the file opens anywhere without a network.
 */
export function renderHtml(result: BenchmarkResult, chartScript: string): string {
  const data = JSON.stringify(result).replace(/</g, '\\u003c');
  const noise = formatNoiseWarning(result);
  const failures = result.failures.map((f) => `${f.caseId}@${f.backend}: ${f.error}`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>octconv-bench ${escapeHtml(result.startedAt)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #222; }
pre { background: #f6f6f6; padding: 1rem; overflow-x: auto; }
.warning { background: #fff4e5; border-left: 4px solid #f0a020; white-space: pre-wrap; }
.chart { max-width: 960px; margin: 2rem 0; }
</style>
</head>
<body>
<h1>octconv-bench</h1>
<p>${escapeHtml(result.startedAt)} · ${result.results.length} results · warmup ${result.settings.warmup}, runs ${result.settings.runs}, seed ${result.settings.seed} · tfjs ${escapeHtml(result.machine.tfjs)} · ${escapeHtml([result.machine.platform, result.machine.cpuModel, result.machine.cpus && `${result.machine.cpus} CPUs`, result.machine.node && `Node ${result.machine.node}`].filter(Boolean).join(', '))}</p>
<h2>Backends</h2>
<pre id="backends">${escapeHtml(formatBackends(result))}</pre>
<h2>Speed-up per case</h2>
<div class="chart"><canvas id="speedup"></canvas></div>
<section id="alpha-section" hidden>
<h2>Speed-up against α (layers)</h2>
<div class="chart"><canvas id="alpha"></canvas></div>
</section>
<h2>Median time per case</h2>
<div class="chart"><canvas id="times"></canvas></div>
<h2>Results</h2>
<p>speed-up = vanilla median / octave median; theoretical = vanilla / octave multiply-adds; efficiency = speed-up / theoretical.</p>
<pre id="results">${escapeHtml(formatResults(result))}</pre>
${noise ? `<pre id="noise" class="warning">${escapeHtml(noise)}</pre>` : ''}
<h2>Details</h2>
<p>First call (compilation, uploads and operator caches included), tf.profile's peak memory of one call, tensors the case leaked (must be 0), and the kernels one call runs.</p>
<pre id="details">${escapeHtml(formatDetails(result))}</pre>
${failures ? `<h2>Failures</h2>\n<pre id="failures" class="warning">${escapeHtml(failures)}</pre>` : ''}
<script>${chartScript}</script>
<script>
const result = ${data};
const colours = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2'];
const backends = [...new Set(result.results.map((r) => r.backend))];
const cases = [...new Set(result.results.map((r) => r.caseId))];
const find = (id, backend) => result.results.find((x) => x.caseId === id && x.backend === backend);
const measured = backends.map((backend, i) => ({ type: 'bar', label: backend + ' measured', backgroundColor: colours[i % colours.length], order: 1, data: cases.map((id) => find(id, backend)?.speedup ?? null) }));
const theory = { type: 'line', label: 'theoretical (multiply-adds)', data: cases.map((id) => result.results.find((x) => x.caseId === id).theoretical), showLine: false, order: 0, pointStyle: 'line', pointRadius: 14, pointBorderWidth: 3, borderColor: '#000', backgroundColor: '#000' };
new Chart(document.getElementById('speedup'), { type: 'bar', data: { labels: cases, datasets: [...measured, theory] }, options: { animation: false, scales: { y: { beginAtZero: true, title: { display: true, text: 'speed-up vs vanilla (×)' } } } } });
const layers = result.results.filter((r) => r.kind === 'layer');
const groups = new Map();
for (const r of layers) {
  const key = r.backend + ' ' + r.caseId.replace(/-a[0-9.]+$/, '');
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key).push({ x: r.alpha, y: r.speedup });
}
// A curve needs two α or more; with one α the bars above say it all.
if ([...groups.values()].some((points) => new Set(points.map((p) => p.x)).size > 1)) {
  document.getElementById('alpha-section').hidden = false;
  const curve = new Map();
  for (const r of layers) curve.set(r.alpha, r.theoretical);
  const datasets = [...groups].map(([label, points], i) => ({ label, data: points.sort((a, b) => a.x - b.x), borderColor: colours[i % colours.length], showLine: true }));
  datasets.push({ label: 'theoretical (multiply-adds)', data: [...curve].sort((a, b) => a[0] - b[0]).map(([x, y]) => ({ x, y })), borderColor: '#000', borderDash: [6, 4], showLine: true });
  new Chart(document.getElementById('alpha'), { type: 'scatter', data: { datasets }, options: { animation: false, scales: { x: { title: { display: true, text: 'α' } }, y: { title: { display: true, text: 'speed-up vs vanilla (×)' } } } } });
}
const bars = backends.flatMap((backend, i) => ['octave', 'vanilla'].map((variant, j) => ({
  label: backend + ' ' + variant,
  backgroundColor: colours[(2 * i + j) % colours.length],
  data: cases.map((id) => find(id, backend)?.[variant].timing.median ?? null),
})));
new Chart(document.getElementById('times'), { type: 'bar', data: { labels: cases, datasets: bars }, options: { animation: false, indexAxis: 'y', scales: { x: { type: 'logarithmic', title: { display: true, text: 'median ms (log)' } } } } });
</script>
</body>
</html>
`;
}
