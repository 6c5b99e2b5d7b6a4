// Lightning's CSVLogger output: `<save_dir>/<name>/version_<n>/metrics.csv`, one row per `log` call, with empty
// cells for metrics not logged in that row. A resumed run writes a new version folder, so each version is one
// attempt; rows come back in version order. A half-written last line (the app is still writing) is left out.
import { readFileSync } from 'node:fs';
import { findFiles, SKIP_CHECKPOINTS } from './find-files.js';

export interface OutputRow {
  step?: number;
  epoch?: number;
  /** Seconds since the epoch. */
  time?: number;
  attempt?: number;
  [metric: string]: number | undefined;
}

/** Splits one CSV line as Python's csv module writes it (fields with commas or quotes are double-quoted). */
export function csvFields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') (v += '"'), (i += 2);
        else if (line[i] === '"') break;
        else v += line[i++];
      }
      out.push(v);
      i += 2; // the closing quote and the comma
    } else {
      const end = line.indexOf(',', i);
      out.push(line.slice(i, end < 0 ? line.length : end));
      if (end < 0) break;
      i = end + 1;
    }
  }
  return out;
}

/** Parses a metrics.csv text; complete lines only. */
export function parseMetricsCsv(text: string, attempt?: number): OutputRow[] {
  const lines = text.split('\n');
  if (!text.endsWith('\n')) lines.pop();
  const header = csvFields((lines.shift() ?? '').replace(/\r$/, ''));
  const rows: OutputRow[] = [];
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    if (!line) continue;
    const cells = csvFields(line);
    const row: OutputRow = attempt === undefined ? {} : { attempt };
    header.forEach((key, k) => {
      const cell = cells[k];
      if (cell === undefined || cell === '') return;
      const v = Number(cell);
      if (Number.isFinite(v)) row[key] = v;
    });
    rows.push(row);
  }
  return rows;
}

/** The metrics.csv files under a run directory (CSVLogger's layout), oldest version first. */
export function findMetricsCsv(runDir: string, depth = 3): string[] {
  const out = findFiles(runDir, depth, (n) => n === 'metrics.csv', SKIP_CHECKPOINTS);
  const version = (f: string) => Number(/version_(\d+)/.exec(f)?.[1] ?? 0);
  return out.sort((a, b) => version(a) - version(b) || a.localeCompare(b));
}

/** Every CSVLogger row of a run; with several versions (resumed attempts), `attempt` numbers them from 1. */
export function readCsvMetrics(runDir: string): OutputRow[] {
  const files = findMetricsCsv(runDir);
  return files.flatMap((f, i) => {
    try {
      return parseMetricsCsv(readFileSync(f, 'utf8'), files.length > 1 ? i + 1 : undefined);
    } catch {
      return [];
    }
  });
}
