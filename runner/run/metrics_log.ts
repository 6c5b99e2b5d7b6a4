// `metrics.jsonl`: one JSON object per logged row, appended as whole lines. A process killed mid-write can leave
// a torn last line; readers skip it, and a resumed run cuts it off before appending its own rows.
import { closeSync, existsSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';

export type MetricsRow = { step: number; epoch: number; time: number; attempt: number } & Record<string, number>;

/** Every complete row; a torn or unparsable last line is ignored. */
export function readMetrics(path: string): MetricsRow[] {
  if (!existsSync(path)) return [];
  const rows: MetricsRow[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      rows.push(JSON.parse(line) as MetricsRow);
    } catch {
      // A torn line (the writer was killed mid-row): skip it.
    }
  }
  return rows;
}

/** Removes a trailing partial line so the next append starts on a fresh line. */
export function repairTornTail(path: string): boolean {
  if (!existsSync(path)) return false;
  const buf = readFileSync(path);
  if (buf.length === 0 || buf[buf.length - 1] === 0x0a) return false;
  const lastNewline = buf.lastIndexOf(0x0a);
  truncateSync(path, lastNewline + 1);
  return true;
}

/** Where the trainer sends its rows: metrics.jsonl, and the loggers that mirror it (runner/logging). */
export interface MetricsSink {
  append(row: MetricsRow): void;
  /** Every row of the current step has been appended (called before checkpoints of that step are written). */
  endStep?(): void;
}

export class MetricsLog implements MetricsSink {
  private fd: number;

  constructor(readonly path: string) {
    repairTornTail(path);
    this.fd = openSync(path, 'a');
  }

  append(row: MetricsRow): void {
    // One write call per line keeps rows whole for concurrent readers.
    writeSync(this.fd, JSON.stringify(row, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)) + '\n');
  }

  close(): void {
    closeSync(this.fd);
  }
}
