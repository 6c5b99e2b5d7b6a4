// Run directories of the workspace's own Hydra apps (run.json with `app`, or a plain Hydra output with .hydra/ and
// no run.json): their checkpoints are Lightning's *.ckpt files and their metrics what CSVLogger, TensorBoard or
// W&B wrote (runner/readers). read-run.ts and watch-metrics.ts call in here for such directories.
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { findLightningCheckpoints } from '../../runner/readers/lightning-checkpoints.js';
import { appCheckpointDirs } from '../../runner/run/run_record.js';
import { metricsFilesStamp, readAppMetrics } from '../../runner/readers/run-outputs.js';
import type { AttemptInfo, CheckpointInfo, MetricRow } from './model.js';

interface AppFields {
  checkpoint_dirs?: unknown;
  monitor?: unknown;
  mode?: unknown;
}

/** Whether a run directory is an app's: run.json says so, or Hydra wrote it without us. */
export function isAppRunDir(dir: string, runJson?: Record<string, unknown>): boolean {
  if (runJson) return !!runJson.app && typeof runJson.app === 'object';
  return !existsSync(join(dir, 'run.json')) && existsSync(join(dir, '.hydra', 'config.yaml'));
}

/** ModelCheckpoint's monitor and mode from a plain Hydra run's saved config (values as written, unresolved). */
function monitorOfHydraConfig(dir: string): { monitor?: string; mode?: 'min' | 'max' } {
  let found: { monitor?: string; mode?: 'min' | 'max' } = {};
  try {
    const walk = (v: unknown): void => {
      if (found.monitor || !v || typeof v !== 'object') return;
      const o = v as Record<string, unknown>;
      if (typeof o._target_ === 'string' && o._target_.endsWith('ModelCheckpoint') && typeof o.monitor === 'string') {
        found = { monitor: o.monitor, mode: o.mode === 'max' ? 'max' : 'min' };
      }
      Object.values(o).forEach(walk);
    };
    walk(parseYaml(readFileSync(join(dir, '.hydra', 'config.yaml'), 'utf8')));
  } catch { /* an unreadable config: no best checkpoint */ }
  return found;
}

/** The checkpoints of an app run as the explorer shows them, each given to the attempt that was running then. */
export function readAppCheckpoints(dir: string, app: AppFields | undefined, attempts: AttemptInfo[]):
    { checkpoints: CheckpointInfo[]; monitor?: string; mode?: 'min' | 'max' } {
  const recorded = app && typeof app.monitor === 'string'
    ? { monitor: app.monitor, mode: app.mode === 'max' ? 'max' as const : 'min' as const } : monitorOfHydraConfig(dir);
  const dirs = Array.isArray(app?.checkpoint_dirs) ? appCheckpointDirs(dir, { checkpoint_dirs: app!.checkpoint_dirs as string[] }) : [];
  const ckpts = findLightningCheckpoints(dir, dirs, recorded.monitor, recorded.mode);
  const attemptAt = (ms: number): number | undefined => {
    let found: number | undefined;
    for (const a of attempts) if (a.started && Date.parse(a.started) <= ms + 1000) found = a.index;
    return found;
  };
  return {
    checkpoints: ckpts.map((c) => ({
      name: c.name, dir: c.path, score: c.score, isBest: c.isBest, isLast: c.isLast, step: c.step, epoch: c.epoch,
      attempt: attemptAt(c.mtimeMs), mtimeMs: c.mtimeMs,
    })),
    ...recorded,
  };
}

/**
 * Follows an app run's metrics the way MetricsFollower follows metrics.jsonl: each read returns the rows added
 * since the last one. The loggers' files are re-read only when one of them changed (size or time).
 */
export class AppMetricsFollower {
  private sent = 0;
  private stamp = '';

  constructor(readonly dir: string) {}

  read(): { rows: MetricRow[]; restarted: boolean; badLines: number[] } {
    const stamp = metricsFilesStamp(this.dir);
    if (stamp === this.stamp) return { rows: [], restarted: false, badLines: [] };
    this.stamp = stamp;
    const m = readAppMetrics(this.dir);
    const restarted = m.rows.length < this.sent;
    const rows = (restarted ? m.rows : m.rows.slice(this.sent)) as MetricRow[];
    this.sent = m.rows.length;
    return { rows, restarted, badLines: [] };
  }
}

function alive(pid: unknown): boolean {
  if (typeof pid !== 'number') return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An app run that run.json calls running, on this machine, whose `bait` process and app process are both gone
 * (killed with -9, the machine rebooted) did not finish: it shows as failed, with the reason, so it can be resumed.
 */
export function appRunGone(runJson: Record<string, unknown> | undefined): string | undefined {
  const app = runJson?.app as { pid?: unknown } | undefined;
  if (!app || runJson!.status !== 'running' || runJson!.host !== hostname()) return undefined;
  if (alive(runJson!.pid) || alive(app.pid)) return undefined;
  return `its processes (bait ${String(runJson!.pid)}, app ${String(app.pid)}) are gone without recording an end; resume it`;
}
