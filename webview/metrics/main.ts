// The metrics dashboard: one uPlot chart per metric with a line per run, x = step/epoch/time, smoothing, log scale,
// live appends, and for several runs a sweep table (overrides as columns, final and best of each metric).
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './metrics.css';
import type { MetricColumns, MetricsHostMessage, MetricsRun, MetricsWebviewMessage, XAxis } from '../contract.js';
import { cssVar, el, host, onHostMessage, runColor } from '../shared/host.js';
import { registerToolkit } from '../shared/toolkit.js';
import { ChartDataCache, finalAndBest, metricNames, type ChartSettings } from './chart-data.js';
import { overrideColumns } from './overrides.js';
import { ColumnStore } from './store.js';

registerToolkit();
const vscode = host<MetricsWebviewMessage>();

interface ViewState {
  xAxis: XAxis;
  smoothing: number;
  logScale: boolean;
}

const state: ViewState = { xAxis: 'step', smoothing: 0, logScale: false, ...vscode.getState<ViewState>() };
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
root.append(toolbar, empty, chartsBox, table);
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

function chartWidth(): number {
  return Math.max(300, Math.floor((chartsBox.clientWidth || 800) / (chartsBox.clientWidth > 1100 ? 2 : 1)) - 16);
}

function plotOptions(width: number): uPlot.Options {
  const fg = cssVar('--vscode-foreground', '#cccccc');
  const grid = cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.25)');
  const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  return {
    width, height: 220,
    scales: { x: { time: false }, y: { distr: state.logScale ? 3 : 1 } },
    axes: [{ ...axis, label: state.xAxis === 'time' ? 'seconds' : state.xAxis }, { ...axis }],
    // A legend per run stops being readable past a dozen runs; the sweep table then carries the colours.
    legend: { show: runs.length <= 12, live: true },
    cursor: { drag: { x: true, y: false } },
    series: [
      { label: state.xAxis },
      ...runs.map((r, i) => ({ label: r.label, stroke: runColor(i), width: runs.length > 25 ? 1 : 1.5, spanGaps: true, points: { show: false } })),
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
    charts.set(m, { plot: new uPlot(plotOptions(width), data, plotBox), box });
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
  if (v === undefined) return '';
  return Math.abs(v) >= 1000 || (Math.abs(v) < 0.001 && v !== 0) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

/**
 * The sweep table: one row per run, its overrides as columns, then final and best of every metric. A plain table
 * rather than the toolkit's data grid: a hundred rows of grid cells (each a web component) cost hundreds of
 * milliseconds to create, and a live append must only touch the cells of the run that changed.
 */
let tableRows = new Map<string, { status: HTMLElement; metrics: HTMLElement[] }>();
let tableKey = '';

function metricCells(r: MetricsRun, metrics: string[], cells: HTMLElement[]): void {
  metrics.forEach((m, j) => {
    const fb = finalAndBest(r, m);
    cells[2 * j].textContent = fmt(fb.final);
    cells[2 * j + 1].textContent = fmt(fb.best);
  });
}

function renderTable(changed?: Set<string>): void {
  const metrics = metricNames(runs);
  const key = runs.map((r) => r.key).join('\n') + '\u0000' + metrics.join(',');
  if (changed && key === tableKey) {
    for (const r of runs) {
      const row = tableRows.get(r.key);
      if (!row) continue;
      row.status.textContent = r.status;
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
  runs.forEach((r, i) => {
    const name = el('td', { class: 'run-link', title: r.key }, r.label);
    name.addEventListener('click', () => vscode.postMessage({ type: 'openRun', key: r.key }));
    const status = el('td', { class: 'status' }, r.status);
    const cells = metrics.flatMap(() => [el('td', { class: 'num' }), el('td', { class: 'num' })]);
    metricCells(r, metrics, cells);
    body.append(el('tr', { 'data-run': r.key },
      el('td', {}, el('span', { class: 'swatch', style: `background:${runColor(i)}` })), name, status,
      ...keys.values[i].map((v) => el('td', {}, v)), ...cells));
    tableRows.set(r.key, { status, metrics: cells });
  });
  table.append(el('h2', {}, 'Runs'), el('table', { 'aria-label': 'sweep table' },
    el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', {}, h)))), body));
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
  for (const c of charts.values()) if (Math.abs(c.plot.width - w) > 4) c.plot.setSize({ width: w, height: 220 });
}).observe(chartsBox);

syncControls();
vscode.postMessage({ type: 'initialized' });
