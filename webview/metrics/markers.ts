// Where a run's events sit on the chosen x axis: the rows where a resumed attempt begins (the attempt column goes
// up) and the row of the best checkpoint's step. Plain functions over the run's columns, drawn by main.ts.
import type { MetricsRun, XAxis } from '../contract.js';
import { xColumn } from './chart-data.js';

export interface RunMarkers {
  /** x of each resumed attempt's first row, with the attempt number. */
  resumes: { x: number; attempt: number }[];
  /** x of the best checkpoint's step (the first row at or after it), if the run has one. */
  best?: { x: number; row: number };
}

export function runMarkers(run: MetricsRun, axis: XAxis): RunMarkers {
  const x = xColumn(run, axis);
  const { attempt, step } = run.columns;
  const resumes: RunMarkers['resumes'] = [];
  let prev = NaN;
  for (let i = 0; i < attempt.length; i++) {
    const a = attempt[i];
    if (Number.isFinite(a) && Number.isFinite(prev) && a > prev && Number.isFinite(x[i])) resumes.push({ x: x[i], attempt: a });
    if (Number.isFinite(a)) prev = a;
  }
  let best: RunMarkers['best'];
  if (run.bestStep !== undefined) {
    for (let i = 0; i < step.length; i++) {
      if (step[i] >= run.bestStep && Number.isFinite(x[i])) {
        best = { x: x[i], row: i };
        break;
      }
    }
  }
  return { resumes, best };
}

/** The metric's value at a row, or the nearest earlier row that has one (metrics are logged at different rows). */
export function valueAt(run: MetricsRun, metric: string, row: number): number | undefined {
  const ys = run.columns.metrics[metric];
  if (!ys) return undefined;
  for (let i = Math.min(row, ys.length - 1); i >= 0; i--) if (Number.isFinite(ys[i])) return ys[i];
  return undefined;
}
