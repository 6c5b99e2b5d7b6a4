// A model-based sweep (a bayes sweep file, an Optuna study) runs in rounds of `batch` jobs: after each round the
// objective of every finished job is read from its run directory and recorded in sweep.json (`objective`), and
// the next round is proposed by the model in sweep-plan.ts from that history. Job numbers continue across
// rounds in the same sweep.json, so the history, and with it the next proposal, is rebuilt from the sweep
// directory alone: a resumed sweep continues where it stopped, and the same seed gives the same trials.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadYaml } from '../config/yaml-load.js';
import type { Job } from '../launchers/types.js';
import { absoluteJobDir, readManifest, writeManifest, type SweepManifest } from './manifest.js';
import { lastMetric } from './metrics.js';
import { runSweep, type SweepOptions, type SweepSummary } from './run-sweep.js';
import type { SweepSpec } from './sweep-file.js';
import { bayesPropose, pointToOverrides, type Observation, type Point } from './sweep-plan.js';

export interface RoundsOptions extends Omit<SweepOptions, 'jobs'> {
  spec: SweepSpec;
  /** Jobs in all (a resumed sweep counts the ones it already has). */
  total: number;
  /** Jobs per round. */
  batch: number;
  /** Placed before each job's parameter overrides. */
  baseOverrides: string[];
  seed: number;
  /** Random jobs before the model proposes (default: bayesPropose's). */
  startup?: number;
  /** The objective of a completed job's run directory; default: the last logged value of spec.metric. */
  objective?: (runDir: string) => number | undefined;
  /** Called after every round with the manifest, objectives recorded. */
  onRound?: (manifest: SweepManifest) => void;
}

export function jobsFrom(lists: string[][], sweepDir: string, firstNum: number): Job[] {
  return lists.map((overrides, i) => ({ num: firstNum + i, overrides, dir: join(sweepDir, String(firstNum + i)) }));
}

function defaultObjective(spec: SweepSpec): (runDir: string) => number | undefined {
  return (dir) => (spec.metric ? lastMetric(dir, spec.metric.name) : undefined);
}

/**
 * Records the objective of every completed job that has none yet (a job rerun by a resume gets a new one), and
 * returns the history the model learns from: each job's parameter values and its objective.
 */
export function recordObjectives(spec: SweepSpec, sweepDir: string, objective = defaultObjective(spec)): { manifest?: SweepManifest; history: Observation[] } {
  if (!existsSync(join(sweepDir, 'sweep.json'))) return { history: [] };
  const m = readManifest(sweepDir);
  const keys = new Set(spec.parameters.map((p) => p.key));
  let changed = false;
  const history = m.jobs.map((j) => {
    const point: Point = new Map();
    for (const o of j.overrides) {
      const eq = o.indexOf('=');
      if (eq < 0 || !keys.has(o.slice(0, eq))) continue;
      const node = loadYaml(o.slice(eq + 1), 'override').node;
      if (node) point.set(o.slice(0, eq), node);
    }
    if (j.status !== 'completed') {
      if (j.objective !== undefined) { delete j.objective; changed = true; }
      return { point };
    }
    if (j.objective === undefined) {
      const v = objective(absoluteJobDir(sweepDir, j));
      if (v !== undefined) { j.objective = v; changed = true; }
    }
    return { point, ...(j.objective === undefined ? {} : { value: j.objective }) };
  });
  if (changed) writeManifest(sweepDir, m);
  return { manifest: m, history };
}

export async function runRounds(opts: RoundsOptions): Promise<SweepSummary> {
  const all: SweepSummary = { results: [], completed: [], failed: [], stopped: [] };
  const batch = Math.max(1, opts.batch);
  for (;;) {
    const { manifest, history } = recordObjectives(opts.spec, opts.sweepDir, opts.objective);
    if (manifest) opts.onRound?.(manifest);
    if (history.length >= opts.total || opts.signal?.aborted) break;
    const points = bayesPropose(opts.spec, history, Math.min(batch, opts.total - history.length), opts.seed, opts.startup);
    if (!points.length) break;
    const jobs = jobsFrom(points.map((p) => [...opts.baseOverrides, ...pointToOverrides(p)]), opts.sweepDir, history.length);
    const r = await runSweep({ ...opts, jobs }, manifest);
    all.results.push(...r.results);
    all.completed.push(...r.completed);
    all.failed.push(...r.failed);
    all.stopped.push(...r.stopped);
    if ((opts.failFast && r.failed.length) || r.stopped.length) break;
  }
  return all;
}
