import type { BenchmarkResult } from '../schema/result-schema';
import {
  detailsTable,
  formatBackends,
  formatNoiseWarning,
  resultsTable,
  type TableData,
} from './table';

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** Columns that hold words, not numbers (left-aligned, free to wrap). */
const WORDS = new Set(['case', 'backend', 'noise', 'octave kernels', 'vanilla kernels']);

/** An HTML table of `data`; number columns are right-aligned and do not wrap. */
function table(id: string, { headers, rows }: TableData): string {
  const cls = (i: number) => (WORDS.has(headers[i]!) ? '' : ' class="num"');
  const head = headers.map((h, i) => `<th scope="col"${cls(i)}>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map(
      (row) =>
        `<tr>${row.map((cell, i) => (i === 0 ? `<th scope="row">${escapeHtml(cell)}</th>` : `<td${cls(i)}>${escapeHtml(cell)}</td>`)).join('')}</tr>`,
    )
    .join('\n');
  return `<div class="scroll"><table id="${id}">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`;
}

/**
 * A self-contained HTML report that fits a laptop and a phone: the machine and backend facts
 * (skipped backends with why), the results table with its noise warning, the details (first call,
 * peak and kept memory, leaks, kernels), failures, and Chart.js charts with every case labelled
 * on linear axes from zero: measured against theoretical speed-up per case; speed-up against α
 * for layer shapes run at two or more α; median time per case. `chartScript` is Chart.js's UMD
 * build, inlined so the file opens anywhere without a network.
 */
export function renderHtml(result: BenchmarkResult, chartScript: string): string {
  const data = JSON.stringify(result).replace(/</g, '\\u003c');
  const noise = formatNoiseWarning(result);
  const failures = result.failures.map((f) => `${f.caseId}@${f.backend}: ${f.error}`).join('\n');
  const cases = new Set(result.results.map((r) => r.caseId)).size;
  const backends = new Set(result.results.map((r) => r.backend)).size;
  // Horizontal bars: every case gets a row tall enough for its label.
  const height = (bars: number) => Math.max(240, 100 + cases * Math.max(22, 12 * bars));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>octconv-bench ${escapeHtml(result.startedAt)}</title>
<style>
*, *::before, *::after { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; padding: 1rem clamp(0.75rem, 3vw, 2rem); max-width: 1200px; color: #1f1f1f; background: #fff; }
h1 { font-size: 1.6rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; }
pre { background: #f4f4f4; padding: 0.75rem; white-space: pre-wrap; overflow-wrap: anywhere; }
.warning { background: #fff4e5; border-left: 4px solid #b25e00; }
.scroll { max-width: 100%; overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.85rem; }
th, td { padding: 0.3rem 0.5rem; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #999; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody th { font-weight: 600; font-family: ui-monospace, monospace; overflow-wrap: anywhere; min-width: 9rem; }
#details td:nth-child(7), #details td:nth-child(8) { min-width: 14rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; }
@media (max-width: 640px) { dl { grid-template-columns: 1fr; } dd { margin-bottom: 0.5rem; } }
.chart { position: relative; width: 100%; margin: 1rem 0 2rem; }
a:focus-visible, summary:focus-visible { outline: 2px solid #1f4fbf; outline-offset: 2px; }
</style>
</head>
<body>
<h1>octconv-bench</h1>
<p>${escapeHtml(result.startedAt)} · ${result.results.length} results · warmup ${result.settings.warmup}, runs ${result.settings.runs}, seed ${result.settings.seed} · tfjs ${escapeHtml(result.machine.tfjs)} · ${escapeHtml([result.machine.platform, result.machine.cpuModel, result.machine.cpus && `${result.machine.cpus} CPUs`, result.machine.node && `Node ${result.machine.node}`].filter(Boolean).join(', '))}</p>
<h2>Backends</h2>
<pre id="backends">${escapeHtml(formatBackends(result))}</pre>
<h2>Results</h2>
<dl>
<dt>speed-up</dt><dd>vanilla median / octave median: above 1, the octave variant is faster.</dd>
<dt>theoretical</dt><dd>vanilla / octave multiply-adds: the speed-up if time followed arithmetic.</dd>
<dt>efficiency</dt><dd>speed-up / theoretical: the share of the saving that became time.</dd>
<dt>p10–p90</dt><dd>the spread of the timed calls; a wide one means something else used the machine.</dd>
</dl>
${table('results', resultsTable(result))}
${noise ? `<pre id="noise" class="warning">${escapeHtml(noise)}</pre>` : ''}
<h2>Speed-up per case</h2>
<div class="chart" style="height: ${height(backends)}px"><canvas id="speedup" role="img" aria-label="Speed-up per case; the numbers are in the results table"></canvas></div>
<section id="alpha-section" hidden>
<h2>Speed-up against α (layers)</h2>
<div class="chart" style="height: 320px"><canvas id="alpha" role="img" aria-label="Speed-up against α; the numbers are in the results table"></canvas></div>
</section>
<h2>Median time per case</h2>
<div class="chart" style="height: ${height(2 * backends)}px"><canvas id="times" role="img" aria-label="Median time per case; the numbers are in the results table"></canvas></div>
<h2>Details</h2>
<p>First call (compilation, uploads and operator caches included); tf.profile's peak memory of one call and the activations it keeps (its outputs; the rest of the peak is transient buffers freed inside the call); tensors the case leaked (must be 0); the kernels one call runs.</p>
${table('details', detailsTable(result))}
${failures ? `<h2>Failures</h2>\n<pre id="failures" class="warning">${escapeHtml(failures)}</pre>` : ''}
<script>${chartScript}</script>
<script>
const result = ${data};
Chart.defaults.color = '#333';
const colours = ['#1f4fbf', '#c2410c', '#2b8a3e', '#c2255c', '#7048e8', '#0b7285', '#495057'];
const backends = [...new Set(result.results.map((r) => r.backend))];
const cases = [...new Set(result.results.map((r) => r.caseId))];
const find = (id, backend) => result.results.find((x) => x.caseId === id && x.backend === backend);
const every = { ticks: { autoSkip: false } };
const base = { animation: false, maintainAspectRatio: false, indexAxis: 'y' };
const measured = backends.map((backend, i) => ({ type: 'bar', label: backend + ' measured', backgroundColor: colours[i % colours.length], order: 1, data: cases.map((id) => find(id, backend)?.speedup ?? null) }));
const theory = { type: 'line', label: 'theoretical (multiply-adds)', data: cases.map((id) => result.results.find((x) => x.caseId === id).theoretical), showLine: false, order: 0, pointStyle: 'line', pointRotation: 90, pointRadius: 10, pointBorderWidth: 3, borderColor: '#000', backgroundColor: '#000' };
new Chart(document.getElementById('speedup'), { type: 'bar', data: { labels: cases, datasets: [...measured, theory] }, options: { ...base, scales: { y: every, x: { beginAtZero: true, title: { display: true, text: 'speed-up vs vanilla (×)' } } } } });
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
  const datasets = [...groups].map(([label, points], i) => ({ label, data: points.sort((a, b) => a.x - b.x), borderColor: colours[i % colours.length], backgroundColor: colours[i % colours.length], showLine: true }));
  datasets.push({ label: 'theoretical (multiply-adds)', data: [...curve].sort((a, b) => a[0] - b[0]).map(([x, y]) => ({ x, y })), borderColor: '#000', backgroundColor: '#000', borderDash: [6, 4], showLine: true });
  new Chart(document.getElementById('alpha'), { type: 'scatter', data: { datasets }, options: { animation: false, maintainAspectRatio: false, scales: { x: { min: 0, max: 1, title: { display: true, text: 'α' } }, y: { beginAtZero: true, title: { display: true, text: 'speed-up vs vanilla (×)' } } } } });
}
const bars = backends.flatMap((backend, i) => ['octave', 'vanilla'].map((variant, j) => ({
  label: backend + ' ' + variant,
  backgroundColor: colours[(2 * i + j) % colours.length],
  data: cases.map((id) => find(id, backend)?.[variant].timing.median ?? null),
})));
// Linear from zero, so bar lengths compare; the short cases' numbers are in the results table.
new Chart(document.getElementById('times'), { type: 'bar', data: { labels: cases, datasets: bars }, options: { ...base, scales: { y: every, x: { beginAtZero: true, title: { display: true, text: 'median ms per call' } } } } });
</script>
</body>
</html>
`;
}
