// Runs a W&B-style sweep file natively. grid and random sweeps are planned up front and run as one sweep; a
// bayes sweep runs in rounds of `batchSize` jobs (rounds.ts), the metric of each finished job read from its
// metrics.jsonl.
import { runSweep, type SweepOptions, type SweepSummary } from './run-sweep.js';
import { jobsFrom, runRounds } from './rounds.js';
import type { SweepSpec } from './sweep-file.js';
import { bayesPropose, gridPoints, pointToOverrides, randomPoints, runCount } from './sweep-plan.js';

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

export async function runSweepFile(opts: SweepFileOptions): Promise<SweepSummary> {
  const { spec } = opts;
  const base = opts.baseOverrides ?? [];
  const info = { ...opts.info, source: { kind: 'sweep-file' as const, file: spec.file, method: spec.method } };
  if (spec.method !== 'bayes') {
    return runSweep({ ...opts, info, jobs: jobsFrom(planSweepFile(spec, opts), opts.sweepDir, 0) });
  }
  return runRounds({ ...opts, info, spec, total: runCount(spec, opts.count), batch: opts.batchSize ?? 2, baseOverrides: base, seed: opts.seed ?? 0 });
}
