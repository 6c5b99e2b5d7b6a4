// `metrics.jsonl`: one JSON object per logged row, appended as whole lines. A process killed mid-write can leave
// a torn last line; readers skip it, and a resumed run cuts it off before appending its own rows.
import { appendFileSync, closeSync, existsSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from './atomic.js';

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

/** Where the rows of a lost stretch go when a resumed attempt re-runs it (beside metrics.jsonl). */
export const SUPERSEDED_FILE = 'metrics.superseded.jsonl';

/**
 * Before a resumed attempt appends: the rows past `step` (the global step of the checkpoint it resumed from) were
 * logged by an attempt that died after that checkpoint; the new attempt logs those steps again. They move to
 * metrics.superseded.jsonl, each with `superseded_by: <attempt>`, so metrics.jsonl holds every step once.
 * metrics.jsonl is replaced by rename (a new file), so a reader that follows it by offset sees it change and
 * reads it again from the start. Returns how many rows moved.
 */
export function supersedeRowsAfter(path: string, step: number, attempt: number): number {
  if (!existsSync(path)) return 0;
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.pop(); // the text after the last newline: empty, or a torn row that is dropped
  const kept: string[] = [];
  const moved: string[] = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    let row: MetricsRow | undefined;
    try {
      row = JSON.parse(line) as MetricsRow;
    } catch {
      kept.push(line);
      continue;
    }
    if (typeof row?.step === 'number' && row.step > step) moved.push(JSON.stringify({ ...row, superseded_by: attempt }));
    else kept.push(line);
  }
  if (!moved.length) return 0;
  // Saved first: if we die between the two writes, no row is lost (the next resume may copy them twice).
  appendFileSync(join(dirname(path), SUPERSEDED_FILE), moved.join('\n') + '\n');
  writeFileAtomic(path, kept.length ? kept.join('\n') + '\n' : '');
  return moved.length;
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
