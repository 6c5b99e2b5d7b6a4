// Reads a run's metrics from <run>/metrics.jsonl: the final value of one metric (W&B's summary value: the last
// one logged), or an objective for a model-based sweep. The last line may be torn while the run is writing;
// unreadable lines are skipped.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every logged value of one metric, in order. */
function metricValues(runDir: string, name: string): number[] {
  const file = join(runDir, 'metrics.jsonl');
  if (!existsSync(file)) return [];
  const out: number[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const row = JSON.parse(line) as Record<string, unknown>;
      if (typeof row[name] === 'number') out.push(row[name] as number);
    } catch {
      // A torn last line: the run is still writing it.
    }
  }
  return out;
}

export function lastMetric(runDir: string, name: string): number | undefined {
  return metricValues(runDir, name).at(-1);
}

/**
 * The objective of a trial, as lightning-hydra-template's train.py returns it: the final value of the metric
 * (Lightning's callback_metrics). A `<metric>_best` name that the run does not log itself (the template logs
 * `val/acc_best` with a MaxMetric) is the best value of `<metric>` over the run, in the study's direction.
 */
export function objectiveMetric(runDir: string, name: string, direction: 'minimize' | 'maximize'): number | undefined {
  const last = lastMetric(runDir, name);
  if (last !== undefined || !name.endsWith('_best')) return last;
  const values = metricValues(runDir, name.slice(0, -'_best'.length)).filter(Number.isFinite);
  if (!values.length) return undefined;
  return direction === 'maximize' ? Math.max(...values) : Math.min(...values);
}

/** The metric names a run has logged (for a message when the objective is not among them). */
export function loggedMetricNames(runDir: string): string[] {
  const file = join(runDir, 'metrics.jsonl');
  if (!existsSync(file)) return [];
  const names = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    try {
      for (const k of Object.keys(JSON.parse(line) as object)) if (!['step', 'epoch', 'time', 'attempt'].includes(k)) names.add(k);
    } catch {
      // Torn or empty line.
    }
  }
  return [...names];
}
