// What a Hydra app's run directory holds, read from the files Hydra, Lightning, TensorBoard and W&B write there:
// the metrics (CSVLogger's metrics.csv first, else TensorBoard scalars, else the W&B history), the latest value of
// each metric, and the W&B runs. The runner's `bait runs` and the extension's explorer and webviews share it.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readCsvMetrics, findMetricsCsv, type OutputRow } from './csv-metrics.js';
import { findEventFiles, readTensorBoardScalars } from './tb-events.js';
import { findWandbRuns, readWandbRun, type WandbRun } from './wandb-runs.js';

export type MetricsSource = 'csv' | 'tensorboard' | 'wandb';

export interface AppMetrics {
  source?: MetricsSource;
  /** Every source found, in the order they are preferred. */
  sources: MetricsSource[];
  rows: OutputRow[];
}

/** Sizes and times of the files metrics come from: when it is unchanged, so are the metrics. */
export function metricsFilesStamp(runDir: string): string {
  const files = [...findMetricsCsv(runDir), ...findEventFiles(runDir), ...findWandbRuns(runDir).flatMap((d) => {
    try {
      return readdirSync(d).filter((f) => f.endsWith('.wandb')).map((f) => join(d, f));
    } catch {
      return [];
    }
  })];
  return files.map((f) => {
    try {
      const s = statSync(f);
      return `${f}:${s.size}:${s.mtimeMs}`;
    } catch {
      return f;
    }
  }).join('|');
}

export function readAppMetrics(runDir: string): AppMetrics {
  const sources: MetricsSource[] = [];
  if (findMetricsCsv(runDir).length) sources.push('csv');
  if (findEventFiles(runDir).length) sources.push('tensorboard');
  const wandb = findWandbRuns(runDir);
  if (wandb.length) sources.push('wandb');
  for (const s of sources) {
    const rows = s === 'csv' ? readCsvMetrics(runDir) : s === 'tensorboard' ? readTensorBoardScalars(runDir)
      : wandb.flatMap((d, i) => readWandbRun(d).history.map((r) => (wandb.length > 1 ? { ...r, attempt: i + 1 } : r)));
    if (rows.length) return { source: s, sources, rows };
  }
  return { sources, rows: [] };
}

const RESERVED = new Set(['step', 'epoch', 'time', 'attempt']);

/** The last logged value of each metric. */
export function latestMetrics(rows: OutputRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) for (const [k, v] of Object.entries(r)) if (!RESERVED.has(k) && typeof v === 'number') out[k] = v;
  return out;
}

export function readWandbRuns(runDir: string): WandbRun[] {
  return findWandbRuns(runDir).map(readWandbRun);
}
