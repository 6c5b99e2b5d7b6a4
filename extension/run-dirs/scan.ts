// Finds runs and sweeps under the runs roots. A directory is a run when it has run.json (or Hydra's .hydra/),
// and a sweep when it has sweep.json (or Hydra's multirun.yaml); the walk does not descend into a run's own
// folders (checkpoints, .hydra) but does descend into sweeps, whose jobs are runs.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunRecord, SweepRecord } from './model.js';
import { isRunDir, isSweepDir, readRun, readSweep } from './read-run.js';

export interface ScanResult {
  runs: RunRecord[];
  sweeps: SweepRecord[];
}

const SKIP = new Set(['node_modules', 'checkpoints', '.hydra', '.git', '.submitit']);

/** `maxDepth` bounds the walk: BAIT's runs/<experiment>/<name>/<date>/<time> is depth 4, a sweep job 5. */
export function scanRunsRoots(roots: string[], maxDepth = 7): ScanResult {
  const runs: RunRecord[] = [];
  const sweeps: SweepRecord[] = [];
  const seen = new Set<string>();
  const walk = (dir: string, depth: number): void => {
    if (seen.has(dir)) return;
    seen.add(dir);
    if (isSweepDir(dir)) sweeps.push(readSweep(dir));
    else if (isRunDir(dir)) {
      runs.push(readRun(dir));
      return;
    }
    if (depth >= maxDepth) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory() && !SKIP.has(e.name) && !e.name.startsWith('.')) walk(join(dir, e.name), depth + 1);
    }
  };
  for (const root of roots) walk(resolve(root), 0);
  runs.sort((a, b) => a.dir.localeCompare(b.dir));
  sweeps.sort((a, b) => a.dir.localeCompare(b.dir));
  // A sweep is grouped with its jobs' experiment and name (sweep.json names the config, not the experiment).
  const byDir = new Map(runs.map((r) => [r.dir, r]));
  for (const s of sweeps) {
    const job = s.jobs.map((j) => (j.dir ? byDir.get(j.dir) : undefined)).find((r) => r !== undefined)
      ?? runs.find((r) => r.sweep?.dir === s.dir);
    if (job) {
      s.experiment = job.experiment;
      s.name = job.name;
    }
  }
  return { runs, sweeps };
}
