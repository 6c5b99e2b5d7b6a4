// Host-side conversion from run records and metric rows to the webviews' message payloads (webview/contract.ts).
import type { GraphRun, MetricColumns, MetricsRun } from '../../webview/contract.js';
import type { MetricRow, RunRecord } from '../run-dirs/model.js';
import { runLabel } from '../run-dirs/tree.js';

const RESERVED = ['step', 'epoch', 'time', 'attempt'] as const;

export function toColumns(rows: MetricRow[]): MetricColumns {
  const n = rows.length;
  const col = (): Float64Array => new Float64Array(n).fill(NaN);
  const c: MetricColumns = { step: col(), epoch: col(), time: col(), attempt: col(), metrics: {} };
  rows.forEach((row, i) => {
    for (const [k, v] of Object.entries(row)) {
      if (v === undefined) continue;
      if ((RESERVED as readonly string[]).includes(k)) c[k as (typeof RESERVED)[number]][i] = v;
      else (c.metrics[k] ??= col())[i] = v;
    }
    // Rows logged without a step (rare) are placed at their row number so they still draw on the step axis.
    if (Number.isNaN(c.step[i])) c.step[i] = i;
  });
  return c;
}

export function toMetricsRun(run: RunRecord, rows: MetricRow[], label = runLabel(run)): MetricsRun {
  return { key: run.dir, label, status: run.status, overrides: run.overrides, monitor: run.monitor,
    mode: run.mode, bestStep: run.checkpoints.find((c) => c.isBest)?.step, columns: toColumns(rows) };
}

export function toGraphRun(run: RunRecord, parentKey: string | undefined,
  steps?: Map<number, { from: number; to: number }>): GraphRun {
  return {
    key: run.dir, id: run.id, label: runLabel(run), status: run.status,
    attempts: run.attempts.map((a) => ({ index: a.index, status: a.status, started: a.started, ended: a.ended,
      resumedFrom: a.resumedFrom, fromStep: steps?.get(a.index)?.from, toStep: steps?.get(a.index)?.to })),
    checkpoints: run.checkpoints.map((c) => ({ name: c.name, isBest: c.isBest, isLast: c.isLast, score: c.score,
      step: c.step, attempt: c.attempt })),
    parent: run.parent ? { key: parentKey, checkpoint: run.parent.checkpoint } : undefined,
  };
}
