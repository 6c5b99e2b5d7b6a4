// `bait runs [--json] [DIR]`: the runs and sweeps under the runs roots, with status, attempts, checkpoints and the
// latest metrics: the data behind the run explorer. Reading never fails on a half-written run: a missing or torn
// file shows as missing data, not as an error.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { readIndex } from '../checkpoint/index_file.js';
import { listCheckpoints } from '../checkpoint/store.js';
import { readMetrics } from './metrics_log.js';
import { findLightningCheckpoints, pickCheckpoint } from '../readers/lightning-checkpoints.js';
import { latestMetrics, readAppMetrics } from '../readers/run-outputs.js';
import { type RunRecord, appCheckpointDirs, checkpointDirOf, readRunRecord } from './run_record.js';

export interface RunSummary extends RunRecord {
  dir: string;
  /** For a run marked running: whether its process is still there (null when it runs on another host). */
  alive: boolean | null;
  checkpoints: Array<{ name: string; step: number | null; epoch: number | null; score: number | null; best: boolean }>;
  best: string | null;
  last: string | null;
  last_step: number | null;
  latest_metrics: Record<string, number>;
}

export interface SweepSummary {
  dir: string;
  jobs: unknown[];
}

const SKIP = new Set(['checkpoints', '.hydra', 'node_modules', '.git']);

function isAlive(r: RunRecord): boolean | null {
  if (r.status !== 'running') return false;
  if (r.host !== hostname()) return null;
  try {
    process.kill(r.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** An app run (`bait run --app`): Lightning's *.ckpt files and the metrics its loggers wrote. */
function summarizeAppRun(dir: string, record: RunRecord): RunSummary {
  const app = record.app!;
  const ckpts = findLightningCheckpoints(dir, appCheckpointDirs(dir, app), app.monitor, app.mode);
  const rows = readAppMetrics(dir).rows;
  const steps = rows.map((r) => r.step).filter((x): x is number => typeof x === 'number');
  const last = pickCheckpoint(ckpts, 'last');
  return {
    ...record, dir, alive: isAlive(record),
    checkpoints: ckpts.map((c) => ({ name: c.name, step: c.step ?? null, epoch: c.epoch ?? null, score: c.score ?? null, best: c.isBest })),
    best: ckpts.find((c) => c.isBest)?.name ?? null, last: last?.name ?? null,
    last_step: steps.length ? Math.max(...steps) : null, latest_metrics: latestMetrics(rows),
  };
}

export function summarizeRun(dir: string): RunSummary | undefined {
  const record = readRunRecord(dir);
  if (!record) return undefined;
  if (record.app) return summarizeAppRun(dir, record);
  const ckptDir = checkpointDirOf(dir, record);
  const index = readIndex(ckptDir);
  const present = listCheckpoints(ckptDir);
  const checkpoints = present.map((name) => {
    const entry = index.checkpoints.find((c) => c.name === name);
    const score = index.best_k[name];
    return { name, step: entry?.step ?? null, epoch: entry?.epoch ?? null, score: score ?? null, best: index.best === name };
  });
  const rows = readMetrics(join(dir, 'metrics.jsonl'));
  const latest: Record<string, number> = {};
  for (const r of rows) {
    for (const [k, v] of Object.entries(r)) if (!['step', 'epoch', 'time', 'attempt'].includes(k) && typeof v === 'number') latest[k] = v;
  }
  return {
    ...record, dir, alive: isAlive(record), checkpoints, best: index.best && present.includes(index.best) ? index.best : null,
    last: present.includes('last') ? 'last' : null, last_step: rows.length ? rows[rows.length - 1]!.step : null,
    latest_metrics: latest,
  };
}

/** Finds runs (folders with run.json) and sweeps (folders with sweep.json) under the roots, newest first. */
export function listRuns(roots: string[], maxDepth = 8): { runs: RunSummary[]; sweeps: SweepSummary[] } {
  const runs: RunSummary[] = [];
  const sweeps: SweepSummary[] = [];
  const walk = (dir: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((e) => e.name === 'run.json' && e.isFile())) {
      const s = summarizeRun(dir);
      if (s) runs.push(s);
    }
    if (entries.some((e) => e.name === 'sweep.json' && e.isFile())) {
      try {
        const j = JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8')) as { jobs?: unknown[] };
        sweeps.push({ dir, jobs: j.jobs ?? [] });
      } catch {
        sweeps.push({ dir, jobs: [] });
      }
    }
    if (depth >= maxDepth) return;
    for (const e of entries) if (e.isDirectory() && !SKIP.has(e.name) && !e.name.startsWith('.')) walk(join(dir, e.name), depth + 1);
  };
  for (const r of roots) if (existsSync(r)) walk(resolve(r), 0);
  runs.sort((a, b) => (b.started_at ?? '').localeCompare(a.started_at ?? ''));
  return { runs, sweeps };
}

/** The table `bait runs` prints without --json. */
export function formatRunsTable(runs: RunSummary[]): string {
  const lines = ['ID        STATUS     ATTEMPTS  STEP    BEST                          DIR'];
  for (const r of runs) {
    const status = r.status === 'running' && r.alive === false ? 'dead' : r.status;
    lines.push(`${r.id.padEnd(9)} ${status.padEnd(10)} ${String(r.attempts.length).padEnd(9)} ${String(r.last_step ?? '-').padEnd(7)} ` +
      `${(r.best ?? '-').padEnd(29)} ${r.dir}`);
  }
  return lines.join('\n') + '\n';
}
