// Reads a run's final value of one metric from <run>/metrics.jsonl (W&B's summary value: the last one logged).
// The last line may be torn while the run is writing; unreadable lines are skipped.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function lastMetric(runDir: string, name: string): number | undefined {
  const file = join(runDir, 'metrics.jsonl');
  if (!existsSync(file)) return undefined;
  let last: number | undefined;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const row = JSON.parse(line) as Record<string, unknown>;
      if (typeof row[name] === 'number') last = row[name] as number;
    } catch {
      // A torn last line: the run is still writing it.
    }
  }
  return last;
}
