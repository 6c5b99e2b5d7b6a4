// The step range each attempt of a run covered, from metrics.jsonl's `attempt` and `step` columns: the resume
// tree's lanes sit on a step axis. Followed incrementally per file (only new rows are read on a refresh), so a
// tree that refreshes while runs train stays cheap.
import { join } from 'node:path';
import { MetricsFollower } from './metrics.js';

export type StepRanges = Map<number, { from: number; to: number }>;

const followers = new Map<string, { follower: MetricsFollower; ranges: StepRanges }>();

export function attemptSteps(runDir: string): StepRanges {
  const file = join(runDir, 'metrics.jsonl');
  let entry = followers.get(file);
  if (!entry) {
    entry = { follower: new MetricsFollower(file), ranges: new Map() };
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
