// A W&B run folder as the `wandb` library leaves it on disk (`wandb/offline-run-<date>-<id>/run-<id>.wandb`, or
// `run-...` for a run that also streams online): the transaction log `wandb sync` uploads. We write the records
// W&B's own client writes for a run: header, run (with the config), one history record per step (`_step`,
// `_runtime`, `_timestamp` and the metrics) each followed by its summary update, and exit.
//
// Resume continues the same file: everything after the last history row at or before the checkpoint's step is
// cut (rows of the lost stretch, the previous attempt's exit), and the new attempt logs from the next step on.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decode, encode, WandbRecord } from './protos.js';
import { RecordLogWriter, scanRecordLog } from './record-log.js';
import type { WandbRunMeta } from './settings.js';

export interface WandbRunInfo extends WandbRunMeta {
  id: string;
  host: string;
  /** Epoch milliseconds of the run's first attempt. */
  startTime: number;
  /** The composed job config; each top-level key becomes one W&B config key, as Lightning's WandbLogger sends it. */
  config: Record<string, unknown>;
  /** A fork: the parent W&B run and the step it branched at (W&B's `fork_from`). */
  forkedFrom: { runId: string; step: number } | null;
}

/** JSON as Python's json.dumps writes it, which W&B's readers expect (NaN and infinities included). */
export function pyJson(v: unknown): string {
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  return JSON.stringify(v, (_, x) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x)) ?? 'null';
}

function items(values: Record<string, unknown>): Array<{ key: string; value_json: string }> {
  return Object.entries(values).map(([key, v]) => ({ key, value_json: pyJson(v) }));
}

/** `20261205_033332`, in local time as W&B names its folders. */
function timespec(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}_${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

export function wandbRunDirName(mode: 'online' | 'offline', id: string, startTime: number): string {
  return `${mode === 'offline' ? 'offline-' : ''}run-${timespec(startTime)}-${id}`;
}

/** An existing W&B folder of this run id under `<root>/wandb`, if any (the newest by name). */
export function findWandbRunDir(root: string, id: string): string | undefined {
  const base = join(root, 'wandb');
  if (!existsSync(base)) return undefined;
  const hits = readdirSync(base).filter((d) => /^(offline-)?run-\d{8}_\d{6}-/.test(d) && d.endsWith(`-${id}`) && existsSync(join(base, d, `run-${id}.wandb`)));
  hits.sort((a, b) => a.replace(/^offline-/, '').localeCompare(b.replace(/^offline-/, '')));
  return hits.length ? join(base, hits[hits.length - 1]!) : undefined;
}

export class WandbRunFile {
  private log: RecordLogWriter;
  private num = 0;
  /** The last step written, so a resumed attempt can never write a step W&B would refuse as going backwards. */
  lastStep = -1;
  rows = 0;

  private constructor(readonly dir: string, readonly id: string, log: RecordLogWriter, private readonly startTime: number) {
    this.log = log;
  }

  static create(dir: string, info: WandbRunInfo): WandbRunFile {
    mkdirSync(join(dir, 'files'), { recursive: true });
    const f = new WandbRunFile(dir, info.id, new RecordLogWriter(join(dir, `run-${info.id}.wandb`)), info.startTime);
    f.record({ header: { version_info: { producer: 'bait-experiments', min_consumer: '0.40.0' } } });
    const config: Record<string, unknown> = { _wandb: info.forkedFrom ? { branch_point: { run_id: info.forkedFrom.runId, step: info.forkedFrom.step } } : {}, ...info.config };
    f.record({
      run: {
        run_id: info.id,
        project: info.project,
        ...(info.entity ? { entity: info.entity } : {}),
        ...(info.group ? { run_group: info.group } : {}),
        ...(info.jobType ? { job_type: info.jobType } : {}),
        ...(info.name ? { display_name: info.name } : {}),
        ...(info.notes ? { notes: info.notes } : {}),
        tags: info.tags,
        host: info.host,
        start_time: { seconds: Math.floor(info.startTime / 1000), nanos: (info.startTime % 1000) * 1e6 },
        config: { update: items(config) },
        ...(info.forkedFrom ? { forked: true, starting_step: info.forkedFrom.step + 1 } : {}),
      },
    });
    f.log.flush();
    return f;
  }

  /**
   * Continues the run in `dir` after a checkpoint at `step`: keeps every record up to the last history row at or
   * before it, cuts the rest (a lost stretch, a previous exit), and appends from there.
   */
  static resume(dir: string, id: string, startTime: number, step: number): WandbRunFile {
    const path = join(dir, `run-${id}.wandb`);
    let cut = 0;
    let lastStep = -1;
    let rows = 0;
    let num = 0;
    for (const r of scanRecordLog(path)) {
      const rec = decode(WandbRecord, r.data) as { num?: number; history?: { step?: { num?: number } }; exit?: unknown };
      if (rec.exit) break;
      if (rec.history) {
        const s = rec.history.step?.num ?? 0;
        if (s > step) break;
        lastStep = s;
        rows++;
      }
      cut = r.end;
      num = rec.num ?? num;
    }
    const f = new WandbRunFile(dir, id, new RecordLogWriter(path, { append: true, truncateAt: cut }), startTime);
    f.num = num;
    f.lastStep = lastStep;
    f.rows = rows;
    return f;
  }

  private record(r: Record<string, unknown>): void {
    this.log.write(encode(WandbRecord, { num: ++this.num, ...r }));
  }

  /** One history row (its metrics at `step`) and the summary update it implies, as wandb.log does. */
  history(step: number, timeSec: number, metrics: Record<string, number>): void {
    if (step <= this.lastStep) return;
    const row = { ...metrics, _step: step, _runtime: Math.max(0, timeSec - this.startTime / 1000), _timestamp: timeSec };
    this.record({ history: { item: items(row), step: { num: step } } });
    this.record({ summary: { update: items(row) } });
    this.lastStep = step;
    this.rows++;
  }

  summary(values: Record<string, unknown>): void {
    this.record({ summary: { update: items(values) } });
  }

  /** Ends this attempt: W&B's exit record (code 0 for a finished run) with the runtime in seconds. */
  exit(code: number, nowMs: number): void {
    this.record({ exit: { exit_code: code, runtime: Math.max(0, Math.round((nowMs - this.startTime) / 1000)) } });
    this.log.flush();
  }

  flush(): void {
    this.log.flush();
  }

  close(): void {
    this.log.close();
  }
}
