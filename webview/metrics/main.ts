// The metrics dashboard: a grid of uPlot charts, one per metric, with a line per run (x = step/epoch/time),
// cursors synced across charts, smoothing, log scale, live appends, markers where a resumed attempt began and where
// the best checkpoint was saved; for several runs a sortable sweep table on top (swept values as columns, final
// and best of each metric). Numbers read as numbers: ticks never repeat, legends name runs by their swept values.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './metrics.css';
import type { ConfigDiff, MetricColumns, MetricsHostMessage, MetricsRun, MetricsWebviewMessage, XAxis } from '../contract.js';
import { cssVar, el, host, onHostMessage, runColor } from '../shared/host.js';
import { icon, STATUS_ICON } from '../shared/icons.js';
import { registerToolkit } from '../shared/toolkit.js';
import { formatNumber, formatTicks } from '../shared/format.js';
import { ChartDataCache, finalAndBest, metricNames, type ChartSettings } from './chart-data.js';
import { runMarkers, valueAt } from './markers.js';
import { legendLabels, overrideColumns } from './overrides.js';
import { ColumnStore } from './store.js';

registerToolkit();
const vscode = host<MetricsWebviewMessage>();

interface ViewState {
  xAxis: XAxis;
  smoothing: number;
  logScale: boolean;
  /** The sweep table's sort: a column header and a direction. */
  sort?: { column: string; dir: 1 | -1 };
}

const state: ViewState = { xAxis: 'step', smoothing: 0, logScale: false, ...vscode.getState<ViewState>() };
const SYNC_KEY = 'bait-metrics';
let title = '';
let runs: MetricsRun[] = [];
/** Bumped per run on every append; the chart cache recomputes only runs whose version changed. */
const versions = new Map<string, number>();
const cache = new ChartDataCache();
const charts = new Map<string, { plot: uPlot; box: HTMLElement }>();
let chartsKey = '';
let pending = false;
let renderStart = 0;

const root = el('main', { id: 'metrics' });
const heading = el('h1', { id: 'title' });
const xSelect = el('vscode-dropdown', { id: 'x-axis', 'aria-label': 'x axis' },
  ...(['step', 'epoch', 'time'] as const).map((v) => el('vscode-option', { value: v }, v)));
const smoothing = el('input', { id: 'smoothing', type: 'range', min: '0', max: '0.99', step: '0.01',
  'aria-label': 'smoothing' });
const smoothingValue = el('span', { id: 'smoothing-value' });
const logBox = el('vscode-checkbox', { id: 'log-scale' }, 'log scale');
const toolbar = el('header', { class: 'toolbar' }, heading,
  el('label', {}, 'x ', xSelect), el('label', {}, 'smoothing ', smoothing, smoothingValue), logBox);
const chartsBox = el('section', { id: 'charts' });
const empty = el('p', { id: 'empty' }, 'Waiting for metrics…');
const table = el('section', { id: 'sweep-table' });
const diffBox = el('section', { id: 'config-diff', hidden: '' });
root.append(toolbar, diffBox, table, empty, chartsBox);

/** Compare view: the composed-config keys whose values differ, one column per run (its line colour). */
function renderConfigDiff(diff: ConfigDiff | undefined): void {
  diffBox.hidden = !diff;
  if (!diff) return;
  const head = el('tr', {}, el('th', {}, 'config key'), ...diff.runs.map((r, i) =>
    el('th', {}, el('span', { class: 'swatch', style: `background:${runColor(i)}` }), ` ${r}`)));
  const rows = diff.rows.map((r) => el('tr', { 'data-key': r.key }, el('td', { class: 'key' }, r.key),
    ...r.values.map((v) => el('td', { class: v === '(absent)' ? 'absent' : '' }, v))));
  const summary = el('h2', {}, diff.rows.length ? `${diff.rows.length} config value${diff.rows.length === 1 ? '' : 's'} differ`
    : 'The composed configs are identical');
  const actions: HTMLElement[] = [];
  if (runs.length === 2) {
    const open = el('vscode-button', { id: 'open-diff', appearance: 'secondary' },
      Object.assign(icon('diff'), { slot: 'start' }), 'Open side-by-side diff');
    open.addEventListener('click', () => vscode.postMessage({ type: 'openDiff', keys: runs.map((r) => r.key) }));
    actions.push(open);
  }
  diffBox.replaceChildren(el('div', { class: 'section-head' }, summary, ...actions),
    ...(diff.rows.length ? [el('div', { class: 'table-scroll' }, el('table', { 'aria-label': 'config differences' },
      el('thead', {}, head), el('tbody', {}, ...rows)))] : []));
}
document.body.append(root);

function syncControls(): void {
  (xSelect as unknown as { value: string }).value = state.xAxis;
  smoothing.value = String(state.smoothing);
  smoothingValue.textContent = state.smoothing.toFixed(2);
  (logBox as unknown as { checked: boolean }).checked = state.logScale;
}

function changed(update: Partial<ViewState>): void {
  Object.assign(state, update);
  vscode.setState(state);
  syncControls();
  rebuildCharts();
}

// Ctrl-F5-free theme changes: VS Code swaps the body class; charts read colours at build time, so rebuild.
new MutationObserver(() => rebuildCharts()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

xSelect.addEventListener('change', () => changed({ xAxis: (xSelect as unknown as { value: XAxis }).value }));
smoothing.addEventListener('input', () => changed({ smoothing: Number(smoothing.value) }));
logBox.addEventListener('change', () => changed({ logScale: (logBox as unknown as { checked: boolean }).checked }));

/**
 * Points kept per run: one per pixel column for a few runs; with many runs, fewer, so the total segments drawn per
 * chart stay near 25 lines' worth (stroking is the dominant cost, and a hundred overlaid lines show no more detail).
 */
function settings(width: number): ChartSettings {
  const share = Math.max(1, Math.ceil(runs.length / 25));
  return { ...state, pointsPerRun: Math.max(64, Math.min(2000, Math.round(width / share))) };
}

/** Charts sit in a grid: as many columns of at least 380 px as fit, never wider than the page. */
function chartWidth(): number {
  const w = chartsBox.clientWidth || 800;
  const cols = Math.max(1, Math.floor((w + 16) / (380 + 16)));
  return Math.max(200, Math.floor((w - 16 * (cols - 1)) / cols));
}

const CHART_HEIGHT = 220;
/** Line patterns for high-contrast themes: solid, dashed, dotted, dash-dot. */
const HC_DASHES: number[][] = [[], [8, 4], [2, 3], [8, 3, 2, 3]];

function highContrast(): boolean {
  return document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light');
}
const tickValues = (_u: uPlot, splits: number[]): string[] => formatTicks(splits);

/** Draws each run's resume lines (dashed, with the attempt number) and its best checkpoint (a ringed dot). */
function markersHook(metric: string): (u: uPlot) => void {
  return (u) => {
    const ctx = u.ctx;
    const { top, height } = u.bbox;
    const px = devicePixelRatio || 1;
    ctx.save();
    runs.forEach((r, i) => {
      if (!u.series[i + 1]?.show) return;
      const m = runMarkers(r, state.xAxis);
      ctx.strokeStyle = runColor(i);
      ctx.fillStyle = runColor(i);
      ctx.lineWidth = px;
      ctx.setLineDash([4 * px, 3 * px]);
      ctx.font = `${10 * px}px ${cssVar('--vscode-font-family', 'sans-serif')}`;
      for (const rs of m.resumes) {
        const x = Math.round(u.valToPos(rs.x, 'x', true));
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, top + height);
        ctx.stroke();
        ctx.fillText(`↻${rs.attempt}`, x + 3 * px, top + 10 * px);
      }
      ctx.setLineDash([]);
      const y = m.best ? valueAt(r, metric, m.best.row) : undefined;
      if (m.best && y !== undefined && (!state.logScale || y > 0)) {
        const cx = u.valToPos(m.best.x, 'x', true);
        const cy = u.valToPos(y, 'y', true);
        ctx.beginPath();
        ctx.arc(cx, cy, 4.5 * px, 0, 2 * Math.PI);
        ctx.lineWidth = 2 * px;
        ctx.strokeStyle = cssVar('--vscode-editor-background', '#1e1e1e');
        ctx.stroke();
        ctx.fill();
      }
    });
    ctx.restore();
  };
}

function plotOptions(width: number, metric: string): uPlot.Options {
  const fg = cssVar('--vscode-descriptionForeground', cssVar('--vscode-foreground', '#cccccc'));
  const grid = cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.25)');
  const font = `11px ${cssVar('--vscode-font-family', 'sans-serif')}`;
  // High contrast: the theme's border colour is as strong as the data, so the grid is dotted there, and lines
  // differ by dash pattern as well as colour (the theme's chart colours are close to each other in light HC).
  const hc = highContrast();
  const axis = { stroke: fg, font, labelFont: font, grid: { stroke: grid, width: hc ? 0.5 : 1, ...(hc ? { dash: [1, 4] } : {}) },
    ticks: { stroke: grid, width: 1 }, values: tickValues };
  const labels = legendLabels(runs);
  return {
    width, height: CHART_HEIGHT,
    scales: { x: { time: false }, y: { distr: state.logScale ? 3 : 1 } },
    axes: [{ ...axis, label: state.xAxis === 'time' ? 'seconds' : state.xAxis, labelSize: 18 }, { ...axis, size: 56 }],
    // A legend per run stops being readable past a dozen runs; the sweep table then carries the colours.
    legend: { show: runs.length <= 12, live: true },
    cursor: { drag: { x: true, y: false }, sync: { key: SYNC_KEY, setSeries: true } },
    hooks: { draw: [markersHook(metric)] },
    series: [
      { label: state.xAxis, value: (_u, v) => (v == null ? '' : formatNumber(v)) },
      ...runs.map((r, i) => ({ label: labels[i], stroke: runColor(i), width: runs.length > 25 ? 1 : hc ? 2 : 1.5, spanGaps: true,
        ...(hc && i % HC_DASHES.length ? { dash: HC_DASHES[i % HC_DASHES.length] } : {}),
        points: { show: false }, value: (_u: uPlot, v: number | null) => (v == null ? '' : formatNumber(v)) })),
    ],
  };
}

function dataFor(metric: string, width: number): { data: uPlot.AlignedData; points: number } {
  const t = cache.table(runs, versions, metric, settings(width));
  return { data: [t.x, ...t.ys] as unknown as uPlot.AlignedData, points: t.points };
}

/** Throws away the charts and builds them again: needed when the runs, the metrics or the scales change. */
function rebuildCharts(): void {
  renderStart = performance.now();
  for (const c of charts.values()) c.plot.destroy();
  charts.clear();
  chartsBox.replaceChildren();
  const metrics = metricNames(runs);
  chartsKey = runs.map((r) => r.key).join('\n') + '\u0000' + metrics.join(',');
  empty.hidden = metrics.length > 0;
  const width = chartWidth();
  for (const m of metrics) {
    const plotBox = el('div', { class: 'plot' });
    const box = el('div', { class: 'chart', 'data-metric': m }, el('h2', {}, m), plotBox);
    chartsBox.append(box);
    const { data, points } = dataFor(m, width);
    box.dataset.points = String(points);
    box.dataset.columns = String(data[0].length);
    const marks = runs.map((r) => runMarkers(r, state.xAxis));
    box.dataset.resumes = String(marks.reduce((n, k) => n + k.resumes.length, 0));
    box.dataset.best = String(marks.filter((k) => k.best).length);
    charts.set(m, { plot: new uPlot(plotOptions(width, m), data, plotBox), box });
  }
  renderTable();
  reportRendered();
}

/** Runs that got rows since the last frame; only their table cells are refreshed. */
const dirty = new Set<string>();

function redrawData(): void {
  const metrics = metricNames(runs);
  const key = runs.map((r) => r.key).join('\n') + '\u0000' + metrics.join(',');
  if (key !== chartsKey) return rebuildCharts();
  const width = chartWidth();
  for (const [m, c] of charts) {
    const { data, points } = dataFor(m, width);
    c.box.dataset.points = String(points);
    c.box.dataset.columns = String(data[0].length);
    c.plot.setData(data);
  }
  renderTable(new Set(dirty));
  dirty.clear();
  reportRendered();
}

function reportRendered(): void {
  // uPlot draws in a microtask after setData or construction; a zero timeout runs after it.
  setTimeout(() => {
    let points = 0;
    for (const c of charts.values()) points += Number(c.box.dataset.points);
    const ms = performance.now() - renderStart;
    document.body.dataset.renders = String(Number(document.body.dataset.renders ?? 0) + 1);
    vscode.postMessage({ type: 'rendered', charts: charts.size, points, ms });
  }, 0);
}

function scheduleRedraw(): void {
  if (pending) return;
  pending = true;
  renderStart = performance.now();
  requestAnimationFrame(() => {
    pending = false;
    redrawData();
  });
}

function fmt(v: number | undefined): string {
  return v === undefined ? '' : formatNumber(v);
}

/**
 * The sweep table: one row per run, its overrides as columns, then final and best of every metric. A plain table
 * rather than the toolkit's data grid: a hundred rows of grid cells (each a web component) cost hundreds of
 * milliseconds to create, and a live append must only touch the cells of the run that changed.
 */
/** A status as the run explorer and the runs table show it: its codicon, then the word. */
function statusCell(status: string): (Node | string)[] {
  return [icon(STATUS_ICON[status] ?? 'question', `status-icon ${status}`), status];
}

let tableRows = new Map<string, { status: HTMLElement; metrics: HTMLElement[] }>();
let tableKey = '';

function metricCells(r: MetricsRun, metrics: string[], cells: HTMLElement[]): void {
  metrics.forEach((m, j) => {
    const fb = finalAndBest(r, m);
    cells[2 * j].textContent = fmt(fb.final);
    cells[2 * j + 1].textContent = fmt(fb.best);
    cells[2 * j].dataset.value = String(fb.final ?? '');
    cells[2 * j + 1].dataset.value = String(fb.best ?? '');
  });
}

function renderTable(changed?: Set<string>): void {
  const metrics = metricNames(runs);
  const key = runs.map((r) => r.key).join('\n') + '\u0000' + metrics.join(',');
  if (changed && key === tableKey) {
    for (const r of runs) {
      const row = tableRows.get(r.key);
      if (!row) continue;
      row.status.replaceChildren(...statusCell(r.status));
      if (changed.has(r.key)) metricCells(r, metrics, row.metrics);
    }
    return;
  }
  tableKey = key;
  tableRows = new Map();
  table.replaceChildren();
  if (runs.length < 2) return;
  const keys = overrideColumns(runs.map((r) => r.overrides));
  const headers = ['', 'run', 'status', ...keys.columns, ...metrics.flatMap((m) => [`${m} final`, `${m} best`])];
  const body = el('tbody');
  const labels = legendLabels(runs);
  runs.forEach((r, i) => {
    const name = el('td', { class: 'run-link', title: `${labels[i]}\n${r.key}` }, r.label);
    name.addEventListener('click', () => vscode.postMessage({ type: 'openRun', key: r.key }));
    const status = el('td', { class: 'status' }, ...statusCell(r.status));
    const cells = metrics.flatMap(() => [el('td', { class: 'num' }), el('td', { class: 'num' })]);
    metricCells(r, metrics, cells);
    body.append(el('tr', { 'data-run': r.key },
      el('td', {}, el('span', { class: 'swatch', style: `background:${runColor(i)}` })), name, status,
      ...keys.values[i].map((v) => el('td', {}, v)), ...cells));
    tableRows.set(r.key, { status, metrics: cells });
  });
  const ths = headers.map((h, j) => {
    const th = el('th', j === 0 ? {} : { tabindex: '0', class: 'sortable' }, h);
    if (j > 0) {
      const sortBy = (): void => {
        const dir = state.sort?.column === h && state.sort.dir === 1 ? -1 : 1;
        state.sort = { column: h, dir };
        vscode.setState(state);
        sortTable(body, ths);
      };
      th.addEventListener('click', sortBy);
      th.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') sortBy();
      });
    }
    return th;
  });
  table.append(el('div', { class: 'table-scroll' }, el('table', { 'aria-label': 'sweep table' },
    el('thead', {}, el('tr', {}, ...ths)), body)));
  sortTable(body, ths);
}

/** Orders the rows by the sorted column: numbers as numbers (empty cells last), text naturally. */
function sortTable(body: HTMLElement, ths: HTMLElement[]): void {
  const col = state.sort ? ths.findIndex((t) => t.textContent === state.sort!.column) : -1;
  ths.forEach((t, j) => t.setAttribute('aria-sort', j === col ? (state.sort!.dir === 1 ? 'ascending' : 'descending') : 'none'));
  if (col < 0) return;
  const dir = state.sort!.dir;
  const key = (tr: Element): string => {
    const td = tr.children[col] as HTMLElement;
    return td.dataset.value ?? td.textContent ?? '';
  };
  const rows = Array.from(body.children).sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x === '' || y === '') return x === y ? 0 : x === '' ? 1 : -1;
    const nx = Number(x);
    const ny = Number(y);
    const c = Number.isFinite(nx) && Number.isFinite(ny) ? nx - ny : x.localeCompare(y, undefined, { numeric: true });
    return c * dir;
  });
  body.append(...rows);
}

const stores = new Map<string, ColumnStore>();

function appendColumns(run: MetricsRun, add: MetricColumns): void {
  let store = stores.get(run.key);
  if (!store) {
    store = new ColumnStore(run.columns);
    stores.set(run.key, store);
  }
  store.append(add);
  run.columns = store.view();
}

onHostMessage<MetricsHostMessage>((m) => {
  switch (m.type) {
    case 'init':
      title = m.title;
      heading.textContent = title;
      runs = m.runs;
      for (const r of runs) versions.set(r.key, 1);
      renderConfigDiff(m.configDiff);
      rebuildCharts();
      break;
    case 'addRun':
      if (!runs.some((r) => r.key === m.run.key)) {
        runs.push(m.run);
        versions.set(m.run.key, 1);
        scheduleRedraw();
      }
      break;
    case 'append': {
      const run = runs.find((r) => r.key === m.key);
      if (!run) break;
      appendColumns(run, m.columns);
      dirty.add(run.key);
      versions.set(run.key, (versions.get(run.key) ?? 0) + 1);
      scheduleRedraw();
      break;
    }
    case 'status': {
      const run = runs.find((r) => r.key === m.key);
      if (run) {
        run.status = m.status;
        renderTable(new Set());
      }
      break;
    }
  }
});

new ResizeObserver(() => {
  const w = chartWidth();
  for (const c of charts.values()) if (Math.abs(c.plot.width - w) > 4) c.plot.setSize({ width: w, height: CHART_HEIGHT });
}).observe(chartsBox);

syncControls();
vscode.postMessage({ type: 'initialized' });
