// Follows metrics.jsonl files as runs append to them and reports the new rows per file. fs.watch on the run
// folder gives low latency (the file may not exist yet when watching starts); a slow poll covers file systems
// where change events are lost (network mounts, some containers).
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { MetricsFollower } from './metrics.js';
import { AppMetricsFollower, isAppRunDir } from './app-run.js';
import { readJsonFile } from './read-run.js';
import type { MetricRow } from './model.js';

export class MetricsWatcher {
  private readonly followers = new Map<string, Pick<MetricsFollower, 'read'>>();
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly poll: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly onRows: (file: string, rows: MetricRow[], restarted: boolean) => void,
    pollMs = 1000) {
    this.poll = setInterval(() => this.readAll(), pollMs);
    this.poll.unref?.();
  }

  /** Starts following a file; returns the rows already in it (the torn last line, if any, comes later). */
  add(file: string): MetricRow[] {
    if (this.followers.has(file)) return [];
    // A Hydra app's run has no metrics.jsonl: its loggers' files (CSV, TensorBoard, W&B) are followed instead.
    const f = !existsSync(file) && isAppRunDir(dirname(file), readJsonFile(join(dirname(file), 'run.json')).value)
      ? new AppMetricsFollower(dirname(file)) : new MetricsFollower(file);
    this.followers.set(file, f);
    const rows = f.read().rows;
    try {
      const w = watch(dirname(file), (_event, name) => {
        if (!name || name === basename(file)) this.readOne(file);
      });
      w.on('error', () => w.close());
      this.watchers.set(file, w);
    } catch {
      // The run folder does not exist yet: the poll picks the file up once it does.
    }
    return rows;
  }

  private readOne(file: string): void {
    if (this.closed) return;
    const f = this.followers.get(file);
    if (!f) return;
    const r = f.read();
    if (r.rows.length || r.restarted) this.onRows(file, r.rows, r.restarted);
  }

  readAll(): void {
    for (const file of this.followers.keys()) this.readOne(file);
  }

  close(): void {
    this.closed = true;
    clearInterval(this.poll);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    this.followers.clear();
  }
}
