// The step range each attempt of a run covered, from metrics.jsonl's `attempt` and `step` columns (for a Hydra
// app's run, from what its loggers wrote: CSVLogger versions, TensorBoard, W&B, one attempt each): the resume
// tree's lanes sit on a step axis. Followed incrementally per file (only new rows are read on a refresh), so a
// tree that refreshes while runs train stays cheap.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppMetricsFollower, isAppRunDir } from './app-run.js';
import { MetricsFollower } from './metrics.js';
import { readJsonFile } from './read-run.js';

export type StepRanges = Map<number, { from: number; to: number }>;

const followers = new Map<string, { follower: Pick<MetricsFollower, 'read'>; ranges: StepRanges }>();

export function attemptSteps(runDir: string): StepRanges {
  const file = join(runDir, 'metrics.jsonl');
  let entry = followers.get(file);
  if (!entry) {
    const app = !existsSync(file) && isAppRunDir(runDir, readJsonFile(join(runDir, 'run.json')).value);
    entry = { follower: app ? new AppMetricsFollower(runDir) : new MetricsFollower(file), ranges: new Map() };
    followers.set(file, entry);
  }
  const { rows, restarted } = entry.follower.read();
  if (restarted) entry.ranges.clear();
  for (const r of rows) {
    if (r.step === undefined) continue;
    const a = r.attempt ?? 1;
    const cur = entry.ranges.get(a);
    if (!cur) entry.ranges.set(a, { from: r.step, to: r.step });
    else {
      cur.from = Math.min(cur.from, r.step);
      cur.to = Math.max(cur.to, r.step);
    }
  }
  return entry.ranges;
}
