/**
 * The benches' charts: side-by-side bar panels, one bar per scenario or action, each panel with its
 * target (issue 16) as a dashed line — `npm run bench:real` (req/s and p99) and `npm run
 * bench:actions` (p50 and p99). Scales and ticks from d3-scale; the SVG is written here (recharts,
 * the client's chart library, renders nothing outside a browser).
 */
import { scaleBand, scaleLinear } from 'd3-scale';

export interface ChartRow {
  label: string;
  requestsPerSecond: number;
  p99Ms: number;
  /** Target req/s for this kind of request, if the issue sets one. */
  targetRps?: number;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));

/** One panel: what it shows of each row, its unit, colour and target. */
export interface PanelSpec<T> { title: string; value: (r: T) => number; target: (r: T) => number | undefined; unit: string; colour: string }

function panel<T extends { label: string }>(rows: T[], opts: PanelSpec<T> & { x: number; width: number; height: number }): string {
  const margin = { top: 40, right: 16, bottom: 24, left: 190 };
  const innerWidth = opts.width - margin.left - margin.right;
  const innerHeight = opts.height - margin.top - margin.bottom;
  const max = Math.max(1, ...rows.map(opts.value), ...rows.map((r) => opts.target(r) ?? 0));
  const x = scaleLinear().domain([0, max * 1.1]).nice().range([0, innerWidth]);
  const y = scaleBand().domain(rows.map((r) => r.label)).range([0, innerHeight]).padding(0.25);
  const parts: string[] = [`<g transform="translate(${opts.x + margin.left},${margin.top})">`];
  parts.push(`<text x="${innerWidth / 2}" y="-18" text-anchor="middle" font-weight="bold">${escape(opts.title)}</text>`);
  for (const tick of x.ticks(5)) {
    parts.push(`<line x1="${x(tick)}" x2="${x(tick)}" y1="0" y2="${innerHeight}" stroke="#ddd"/>`);
    parts.push(`<text x="${x(tick)}" y="${innerHeight + 16}" text-anchor="middle" font-size="11" fill="#555">${fmt(tick)}</text>`);
  }
  for (const row of rows) {
    const top = y(row.label) ?? 0;
    const value = opts.value(row);
    parts.push(`<text x="-8" y="${top + y.bandwidth() / 2 + 4}" text-anchor="end" font-size="12">${escape(row.label)}</text>`);
    parts.push(`<rect x="0" y="${top}" width="${Math.max(1, x(value))}" height="${y.bandwidth()}" fill="${opts.colour}"><title>${escape(`${row.label}: ${fmt(value)} ${opts.unit}`)}</title></rect>`);
    parts.push(`<text x="${x(value) + 4}" y="${top + y.bandwidth() / 2 + 4}" font-size="11">${fmt(value)}</text>`);
    const target = opts.target(row);
    if (target !== undefined) {
      parts.push(`<line x1="${x(target)}" x2="${x(target)}" y1="${top - 2}" y2="${top + y.bandwidth() + 2}" stroke="#c00" stroke-width="2" stroke-dasharray="4 2"><title>target ${fmt(target)} ${opts.unit}</title></line>`);
    }
  }
  parts.push('</g>');
  return parts.join('\n');
}

/** Panels side by side, one bar per row in each, and the caption (data size, machine) below. */
export function renderPanels<T extends { label: string }>(rows: T[], panels: PanelSpec<T>[], caption: string, panelWidth = 550): string {
  const width = panelWidth * panels.length;
  const height = 90 + rows.length * 42;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height + 30}" font-family="sans-serif" font-size="13">`,
    '<rect width="100%" height="100%" fill="white"/>',
    ...panels.map((spec, i) => panel(rows, { ...spec, x: i * panelWidth, width: panelWidth, height })),
    `<text x="12" y="${height + 20}" font-size="11" fill="#333">${escape(caption)} — dashed red: target of issue 16</text>`,
    '</svg>',
  ].join('\n');
}

/** bench:real — per scenario, req/s and p99 latency. */
export function renderChart(rows: ChartRow[], caption: string, p99TargetMs: number): string {
  return renderPanels(rows, [
    { title: 'requests per second (higher is better)', value: (r) => r.requestsPerSecond, target: (r) => r.targetRps, unit: 'req/s', colour: '#3b6ea8' },
    { title: 'p99 latency, ms (lower is better)', value: (r) => r.p99Ms, target: () => p99TargetMs, unit: 'ms', colour: '#d08a2c' },
  ], caption);
}
