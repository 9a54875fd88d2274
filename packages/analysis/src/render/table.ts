import type { Analysis } from '../analyze/analyze';
import type { SweepRow } from '../analyze/compare';

/** Output style of the table renderers. */
export type TableFormat = 'terminal' | 'markdown';

function render(
  headers: string[],
  rows: string[][],
  format: TableFormat,
  alignRight: boolean[],
): string {
  if (format === 'markdown') {
    const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
    return [
      line(headers),
      line(headers.map((_, i) => (alignRight[i] ? '---:' : '---'))),
      ...rows.map(line),
    ].join('\n');
  }
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => row[i]!.length)),
  );
  const pad = (cells: string[]) =>
    cells
      .map((cell, i) => (alignRight[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [pad(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(pad)].join('\n');
}

/** `1234567` → `1,234,567`. */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** `4089184256` → `4.089 G`. */
export function formatGiga(value: number, digits = 3): string {
  return `${(value / 1e9).toFixed(digits)} G`;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(2)} MiB`;
  if (bytes >= 1 << 10) return `${(bytes / (1 << 10)).toFixed(1)} KiB`;
  return `${bytes} B`;
}

function shape(shape: number[] | null): string {
  return shape ? shape.join('×') : '—';
}

/** Per-layer table: kind, shapes per band, params, conv MACs, other ops, output memory. */
export function formatLayers(analysis: Analysis, format: TableFormat = 'terminal'): string {
  const rows = analysis.layers.map((layer) => [
    String(layer.index),
    layer.name || '(layer)',
    layer.kind,
    `${shape(layer.output.high)}${layer.output.low ? ` + ${shape(layer.output.low)}` : ''}`,
    formatCount(layer.params),
    formatCount(layer.convMacs),
    formatCount(layer.normMacs),
    formatCount(layer.otherOps),
    formatBytes(layer.activationBytes),
  ]);
  const t = analysis.totals;
  rows.push([
    '',
    'total',
    '',
    '',
    formatCount(t.params),
    formatCount(t.convMacs),
    formatCount(t.normMacs),
    formatCount(t.otherOps),
    formatBytes(t.activationBytes),
  ]);
  return render(
    [
      '#',
      'layer',
      'kind',
      'output (high + low)',
      'params',
      'conv MACs',
      'BN MACs',
      'other ops',
      'output memory',
    ],
    rows,
    format,
    [true, false, false, false, true, true, true, true, true],
  );
}

/** α sweep table: MACs (the paper's convention) in G, FLOPs, params, memory, ratios to α = 0. */
export function formatSweep(rows: SweepRow[], format: TableFormat = 'terminal'): string {
  return render(
    [
      'α',
      "conv GMACs (paper's FLOPs)",
      'GFLOPs = 2 × (conv + BN MACs)',
      'params',
      'activation memory',
      'MACs vs α=0',
      'memory vs α=0',
      'theoretical speed-up',
    ],
    rows.map((row) => [
      String(row.alpha),
      (row.octave.convMacs / 1e9).toFixed(3),
      (row.octave.flops / 1e9).toFixed(3),
      formatCount(row.octave.params),
      formatBytes(row.octave.activationBytes),
      `${(row.macsRatio * 100).toFixed(1)}%`,
      `${(row.activationRatio * 100).toFixed(1)}%`,
      `${row.theoreticalSpeedup.toFixed(2)}×`,
    ]),
    format,
    [true, true, true, true, true, true, true, true],
  );
}
