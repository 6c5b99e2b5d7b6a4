// Runs a W&B-style sweep file natively. grid and random sweeps are planned up front and run as one sweep; a
// bayes sweep runs in rounds of `batchSize` jobs: after each round the metric of every finished job is read
// from its metrics.jsonl and the next round is proposed by the model in sweep-plan.ts. Job numbers continue
// across rounds and everything is recorded in the same sweep.json, so a sweep can be resumed.
import { join } from 'node:path';
import type { Job } from '../launchers/types.js';
import { readManifest, absoluteJobDir } from './manifest.js';
import { lastMetric } from './metrics.js';
import { runSweep, type SweepOptions, type SweepSummary } from './run-sweep.js';
import type { SweepSpec } from './sweep-file.js';
import { bayesPropose, gridPoints, pointToOverrides, randomPoints, runCount, type Observation, type Point } from './sweep-plan.js';
import { existsSync } from 'node:fs';
import { loadYaml } from '../config/yaml-load.js';

export interface SweepFileOptions extends Omit<SweepOptions, 'jobs'> {
  spec: SweepSpec;
  /** Overrides given on the command line, placed before each job's sweep parameters. */
  baseOverrides?: string[];
  /** Jobs for random and bayes sweeps (default: run_cap, else the grid size capped at 20). */
  count?: number;
  /** Jobs per bayes round (default 2). */
  batchSize?: number;
  seed?: number;
}

/** The plan of a grid or random sweep (what `--dry-run` lists); a bayes sweep lists its first round. */
export function planSweepFile(spec: SweepSpec, opts: { count?: number; seed?: number; batchSize?: number; baseOverrides?: string[] } = {}): string[][] {
  const base = opts.baseOverrides ?? [];
  const points = spec.method === 'grid' ? gridPoints(spec)
    : spec.method === 'random' ? randomPoints(spec, runCount(spec, opts.count), opts.seed ?? 0)
    : bayesPropose(spec, [], Math.min(opts.batchSize ?? 2, runCount(spec, opts.count)), opts.seed ?? 0);
  return points.map((p) => [...base, ...pointToOverrides(p)]);
}

function jobsFrom(lists: string[][], sweepDir: string, firstNum: number): Job[] {
  return lists.map((overrides, i) => ({ num: firstNum + i, overrides, dir: join(sweepDir, String(firstNum + i)) }));
}

/** Rebuilds a bayes history from a sweep directory: each job's parameter values and its final metric. */
function history(spec: SweepSpec, sweepDir: string, baseCount: number): Observation[] {
  if (!existsSync(join(sweepDir, 'sweep.json'))) return [];
  const m = readManifest(sweepDir);
  return m.jobs.map((j) => {
    const point: Point = new Map();
    for (const o of j.overrides.slice(baseCount)) {
      const eq = o.indexOf('=');
      const node = loadYaml(o.slice(eq + 1), 'override').node;
      if (node) point.set(o.slice(0, eq), node);
    }
    const value = j.status === 'completed' && spec.metric ? lastMetric(absoluteJobDir(sweepDir, j), spec.metric.name) : undefined;
    return { point, ...(value === undefined ? {} : { value }) };
  });
}

export async function runSweepFile(opts: SweepFileOptions): Promise<SweepSummary> {
  const { spec } = opts;
  const base = opts.baseOverrides ?? [];
  const info = { ...opts.info, source: { kind: 'sweep-file' as const, file: spec.file, method: spec.method } };
  if (spec.method !== 'bayes') {
    return runSweep({ ...opts, info, jobs: jobsFrom(planSweepFile(spec, opts), opts.sweepDir, 0) });
  }
  const total = runCount(spec, opts.count);
  const batch = Math.max(1, opts.batchSize ?? 2);
  const all: SweepSummary = { results: [], completed: [], failed: [], stopped: [] };
  for (;;) {
    const hist = history(spec, opts.sweepDir, base.length);
    if (hist.length >= total || opts.signal?.aborted) break;
    const points = bayesPropose(spec, hist, Math.min(batch, total - hist.length), opts.seed ?? 0);
    if (!points.length) break;
    const jobs = jobsFrom(points.map((p) => [...base, ...pointToOverrides(p)]), opts.sweepDir, hist.length);
    const existing = hist.length ? readManifest(opts.sweepDir) : undefined;
    const r = await runSweep({ ...opts, info, jobs }, existing);
    all.results.push(...r.results);
    all.completed.push(...r.completed);
    all.failed.push(...r.failed);
    all.stopped.push(...r.stopped);
    if ((opts.failFast && r.failed.length) || r.stopped.length) break;
  }
  return all;
}
