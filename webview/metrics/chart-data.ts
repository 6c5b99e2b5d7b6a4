// Turns the runs' metric columns into one aligned, downsampled table per chart. Per run and metric the reduced
// series is cached and only recomputed when that run got new rows or a setting changed, so a live append costs one
// run's work plus the cheap alignment.
import type { MetricsRun, XAxis } from '../contract.js';
import { alignSeries, lttb, smoothEma, validPoints, type Series } from './downsample.js';

export interface ChartSettings {
  xAxis: XAxis;
  smoothing: number;
  logScale: boolean;
  /** Points kept per run: about the chart's width in pixels. */
  pointsPerRun: number;
}

export const RESERVED = new Set(['step', 'epoch', 'time', 'attempt']);

/** Every metric any run has, in first-seen order. */
export function metricNames(runs: MetricsRun[]): string[] {
  const names = new Set<string>();
  for (const r of runs) for (const k of Object.keys(r.columns.metrics)) if (!RESERVED.has(k)) names.add(k);
  return [...names];
}

/** The x column a run's rows are drawn against; time is shown as seconds since the run's first row. */
export function xColumn(run: MetricsRun, axis: XAxis): Float64Array {
  if (axis !== 'time') return run.columns[axis];
  const t = run.columns.time;
  let t0 = Infinity;
  for (let i = 0; i < t.length; i++) if (t[i] < t0) t0 = t[i];
  return Number.isFinite(t0) ? t.map((v) => v - t0) : t;
}

/** `a[i]` for each index (a plain loop: typed-array `from` with a map function is several times slower). */
function pick(a: Float64Array, idx: ArrayLike<number>): Float64Array {
  const out = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = a[idx[i]];
  return out;
}

export function reduceSeries(run: MetricsRun, metric: string, s: ChartSettings): Series {
  const ys = run.columns.metrics[metric];
  if (!ys) return { x: new Float64Array(0), y: new Float64Array(0) };
  const pts = validPoints(xColumn(run, s.xAxis), ys);
  let y = smoothEma(pts.y, s.smoothing);
  let x = pts.x;
  if (s.logScale) {
    // A log axis cannot show zero or negative values: they are left out rather than drawn at a wrong place.
    const keep: number[] = [];
    for (let i = 0; i < y.length; i++) if (y[i] > 0) keep.push(i);
    if (keep.length !== y.length) {
      x = pick(x, keep);
      y = pick(y, keep);
    }
  }
  const idx = lttb(x, y, s.pointsPerRun);
  if (idx.length === x.length) return { x, y };
  return { x: pick(x, idx), y: pick(y, idx) };
}

export class ChartDataCache {
  private cache = new Map<string, { version: number; series: Series }>();
  private settingsKey = '';

  /** Aligned data for one chart: [x, y of run 0, y of run 1, ...] in the runs' order. */
  table(runs: MetricsRun[], versions: Map<string, number>, metric: string, s: ChartSettings):
      { x: Float64Array; ys: (number | null)[][]; points: number } {
    const key = `${s.xAxis}|${s.smoothing}|${s.logScale}|${s.pointsPerRun}`;
    if (key !== this.settingsKey) {
      this.cache.clear();
      this.settingsKey = key;
    }
    let points = 0;
    const series = runs.map((r) => {
      const ck = `${r.key}\u0000${metric}`;
      const v = versions.get(r.key) ?? 0;
      let hit = this.cache.get(ck);
      if (!hit || hit.version !== v) {
        hit = { version: v, series: reduceSeries(r, metric, s) };
        this.cache.set(ck, hit);
      }
      points += r.columns.metrics[metric]?.length ?? 0;
      return hit.series;
    });
    return { ...alignSeries(series, s.pointsPerRun), points };
  }
}

/** "Best" follows the checkpoint monitor's mode when the metric is the monitor, else a loss-like name is minimised. */
export function bestMode(run: MetricsRun, metric: string): 'min' | 'max' {
  if (run.monitor === metric && run.mode) return run.mode;
  return /loss|err|perplexity|mse|mae|rmse/i.test(metric) ? 'min' : 'max';
}

export function finalAndBest(run: MetricsRun, metric: string): { final?: number; best?: number } {
  const ys = run.columns.metrics[metric];
  if (!ys) return {};
  const mode = bestMode(run, metric);
  let final: number | undefined;
  let best: number | undefined;
  for (let i = 0; i < ys.length; i++) {
    const v = ys[i];
    if (!Number.isFinite(v)) continue;
    final = v;
    if (best === undefined || (mode === 'min' ? v < best : v > best)) best = v;
  }
  return { final, best };
}
