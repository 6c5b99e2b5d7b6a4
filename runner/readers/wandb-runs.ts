// W&B run folders under a run (`wandb/run-<time>-<id>/` online, `wandb/offline-run-<time>-<id>/` offline, as
// Lightning's WandbLogger with `save_dir=<run>` makes them). Online runs have `files/wandb-summary.json` and
// `files/config.yaml`; an offline run (wandb 0.19) keeps everything in `run-<id>.wandb`, W&B's transaction log of
// `wandb_internal.Record` protobufs (read with runner/logging's reader and schema): history, summary and config.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { OutputRow } from './csv-metrics.js';
import { decode, WandbRecord } from '../logging/protos.js';
import { scanRecordLog } from '../logging/record-log.js';

export interface WandbRun {
  dir: string;
  id: string;
  offline: boolean;
  /** Final values (wandb-summary.json, or the last summary records of the .wandb file). */
  summary: Record<string, unknown>;
  config: Record<string, unknown>;
  /** One row per `wandb.log` step: numeric values only; `_step` as step, `_timestamp` as time. */
  history: OutputRow[];
}

/** W&B run folders of a run directory, oldest first (their names start with the time). */
export function findWandbRuns(runDir: string): string[] {
  const out: string[] = [];
  for (const base of [join(runDir, 'wandb'), runDir]) {
    let names: string[];
    try {
      names = readdirSync(base);
    } catch {
      continue;
    }
    for (const n of names) if (/^(offline-)?run-\d{8}_\d{6}-[\w-]+$/.test(n)) out.push(join(base, n));
    if (out.length) break;
  }
  return out.sort((a, b) => a.replace(/.*run-/, '').localeCompare(b.replace(/.*run-/, '')));
}

/** The items (key or nested_key, JSON value) of a decoded History/Summary/Config record. */
function items(record: unknown): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  const list = (record as { item?: unknown[]; update?: unknown[] } | undefined);
  for (const raw of list?.item ?? list?.update ?? []) {
    const it = raw as { key?: string; nested_key?: string[]; value_json?: string };
    const key = it.key || (it.nested_key ?? []).join('.');
    if (!key || it.value_json === undefined) continue;
    try {
      out.push([key, JSON.parse(it.value_json)]);
    } catch { /* a value W&B could not encode as JSON: leave it out */ }
  }
  return out;
}

function historyRow(its: Array<[string, unknown]>): OutputRow {
  const row: OutputRow = {};
  for (const [k, v] of its) {
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    if (k === '_step') row.step = v;
    else if (k === '_timestamp') row.time = v;
    else if (k !== '_runtime') row[k] = v;
  }
  return row;
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** W&B's config.yaml keeps each key as {desc, value}; the values are what the run was configured with. */
function readConfigYaml(file: string): Record<string, unknown> | undefined {
  try {
    const v = parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown> | null;
    if (!v || typeof v !== 'object') return undefined;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === '_wandb') continue;
      out[k] = x && typeof x === 'object' && 'value' in (x as object) ? (x as { value: unknown }).value : x;
    }
    return out;
  } catch {
    return undefined;
  }
}

export function readWandbRun(dir: string): WandbRun {
  const name = dir.split('/').pop()!;
  const id = name.replace(/^(offline-)?run-\d{8}_\d{6}-/, '');
  const run: WandbRun = { dir, id, offline: name.startsWith('offline-'), summary: {}, config: {}, history: [] };
  const log = join(dir, `run-${id}.wandb`);
  let records: Buffer[] = [];
  try {
    // W&B's own transaction-log format and schema, as runner/logging writes and reads them.
    records = existsSync(log) ? scanRecordLog(log).map((r) => r.data) : [];
  } catch { /* not a transaction log: the files/ fallbacks below still apply */ }
  for (const bytes of records) {
    let rec: Record<string, unknown>;
    try {
      rec = decode(WandbRecord, bytes);
    } catch {
      continue;
    }
    if (rec.history) run.history.push(historyRow(items(rec.history)));
    if (rec.summary) for (const [k, v] of items(rec.summary)) run.summary[k] = v;
    if (rec.config) for (const [k, v] of items(rec.config)) if (k !== '_wandb') run.config[k] = v;
  }
  Object.assign(run.summary, readJson(join(dir, 'files', 'wandb-summary.json')) ?? {});
  Object.assign(run.config, readConfigYaml(join(dir, 'files', 'config.yaml')) ?? {});
  return run;
}
