// Reading metrics.jsonl while the runner appends to it. The last line may be torn (the runner was killed or is in
// the middle of a write): it is held back until its newline arrives, never parsed as a row and never lost.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { MetricRow } from './model.js';

export interface ParsedMetrics {
  rows: MetricRow[];
  /** Complete lines that were not valid JSON objects (1-based line numbers), so a caller can report them. */
  badLines: number[];
}

/** Parses complete lines; values that are not finite numbers (NaN written as null, strings) are dropped. */
export function parseMetricLines(lines: string[], firstLine = 1): ParsedMetrics {
  const rows: MetricRow[] = [];
  const badLines: number[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      badLines.push(firstLine + i);
      return;
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
      badLines.push(firstLine + i);
      return;
    }
    const row: MetricRow = {};
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
      if (typeof v === 'number' && Number.isFinite(v)) row[k] = v;
      // ISO timestamps are accepted for `time`, as seconds since the epoch.
      else if (k === 'time' && typeof v === 'string' && !Number.isNaN(Date.parse(v))) row.time = Date.parse(v) / 1000;
    }
    rows.push(row);
  });
  return { rows, badLines };
}

/** Splits text into complete lines and a trailing partial line (empty when the text ends with a newline). */
export function splitComplete(text: string): { lines: string[]; rest: string } {
  const end = text.lastIndexOf('\n');
  if (end < 0) return { lines: [], rest: text };
  return { lines: text.slice(0, end).split('\n'), rest: text.slice(end + 1) };
}

/**
 * Follows one metrics.jsonl: each `read()` returns the rows appended since the previous call. It keeps a byte
 * offset and the partial last line; if the file shrinks or is replaced (a resumed run moves the rows it re-runs
 * out and renames a new file into place), it starts over and says so.
 */
export class MetricsFollower {
  private offset = 0;
  private ino: number | undefined;
  private partial = Buffer.alloc(0);
  private lineNo = 1;

  constructor(readonly file: string) {}

  read(): { rows: MetricRow[]; restarted: boolean; badLines: number[] } {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return { rows: [], restarted: false, badLines: [] };
    }
    try {
      const st = fstatSync(fd);
      const size = st.size;
      let restarted = false;
      const replaced = this.ino !== undefined && st.ino !== this.ino;
      this.ino = st.ino;
      if (size < this.offset || replaced) {
        this.offset = 0;
        this.partial = Buffer.alloc(0);
        this.lineNo = 1;
        restarted = true;
      }
      if (size === this.offset) return { rows: [], restarted, badLines: [] };
      const chunk = Buffer.alloc(size - this.offset);
      let got = 0;
      while (got < chunk.length) {
        const n = readSync(fd, chunk, got, chunk.length - got, this.offset + got);
        if (n <= 0) break;
        got += n;
      }
      this.offset += got;
      // Bytes are joined before decoding so a multi-byte character split across reads stays whole.
      const buf = Buffer.concat([this.partial, chunk.subarray(0, got)]);
      const nl = buf.lastIndexOf(0x0a);
      if (nl < 0) {
        this.partial = buf;
        return { rows: [], restarted, badLines: [] };
      }
      this.partial = Buffer.from(buf.subarray(nl + 1));
      const lines = buf.subarray(0, nl).toString('utf8').split('\n');
      const parsed = parseMetricLines(lines, this.lineNo);
      this.lineNo += lines.length;
      return { rows: parsed.rows, restarted, badLines: parsed.badLines };
    } finally {
      closeSync(fd);
    }
  }
}

/** Reads a whole metrics file once (the torn last line, if any, is left out). */
export function readMetricsFile(file: string): MetricRow[] {
  return new MetricsFollower(file).read().rows;
}
