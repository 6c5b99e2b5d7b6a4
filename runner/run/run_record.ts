// `run.json` (DESIGN.md section 5): who the run is, where it came from, and each attempt. Rewritten atomically
// on every change, so the run explorer and `bait runs` can read it at any time.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { AdapterRecord } from '../backend/webgpu.js';
import { writeJsonAtomic } from './atomic.js';
import type { WandbRecordInfo } from '../logging/open.js';

export type RunStatus = 'running' | 'completed' | 'failed' | 'stopped';

export interface Attempt {
  attempt: number;
  started: string;
  ended: string | null;
  status: RunStatus;
  /** The checkpoint this attempt continued from (null for the first). */
  resumed_from: string | null;
  pid: number;
  host: string;
  backend: string;
  /** Why this backend was picked (the fallbacks of `auto`, the adapter). */
  backend_reason?: string;
  /** The GPU adapter on webgpu, else null. */
  adapter?: AdapterRecord | null;
}

export interface RunRecord {
  id: string;
  experiment: string | null;
  name: string | null;
  config_name: string;
  config_dir: string;
  workspace_dir: string;
  overrides: string[];
  status: RunStatus;
  host: string;
  pid: number;
  backend: string;
  /** The latest attempt's GPU adapter (webgpu), else null. */
  adapter?: AdapterRecord | null;
  seed: number;
  started_at: string;
  ended_at: string | null;
  /** The checkpoint folder, relative to the run dir (older runs: absolute); see checkpointDirOf. */
  checkpoint_dir: string;
  /** The absolute path the run dir had when its latest attempt started: a copied or moved run dir differs. */
  run_dir?: string;
  attempts: Attempt[];
  parent: { run: string; checkpoint: string } | null;
  sweep: { dir: string; job_num: number } | null;
  final_metrics?: Record<string, number>;
  /** The W&B run (same id as the run): mode, its folder for `wandb sync`, its page once known; null when disabled. */
  wandb?: WandbRecordInfo | null;
  /** Runs of the workspace's own Hydra app (`bait run --app`): how it was started and where it checkpoints. */
  app?: AppInfo;
  /** For a failed run: the reason, with the last lines of its output. */
  error?: string;
  /** Written by the editor's runs table (tags and notes); the runner never sets them, only keeps them. */
  tags?: string[];
  notes?: string;
}

export interface AppInfo {
  /** The app command as the user gave it (`python src/train.py`). */
  command: string;
  /** `bait` = BAIT's exp_config layout (resume with the seed's keys); `hydra` = a plain Hydra app. */
  layout: 'bait' | 'hydra';
  /** The user's resume overrides with {ckpt}, {dir} and {id}, when given. */
  resume?: string;
  /** Whether the config has a top-level `ckpt_path` (Lightning-hydra-template's resume key). */
  ckpt_path_key: boolean;
  /** Folders ModelCheckpoint writes to: relative to the run dir when inside it (else absolute); see appCheckpointDirs. */
  checkpoint_dirs: string[];
  /** ModelCheckpoint's monitor and mode, so the best checkpoint can be told from the names. */
  monitor?: string;
  mode?: 'min' | 'max';
  /** The app process of the current attempt. */
  pid?: number;
}

/** The fields users edit in the editor while the run may be going: on disk they win over the runner's copy. */
const USER_FIELDS = ['tags', 'notes'] as const;

export function runJsonPath(runDir: string): string {
  return join(runDir, 'run.json');
}

export function readRunRecord(runDir: string): RunRecord | undefined {
  const p = runJsonPath(runDir);
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}

export function writeRunRecord(runDir: string, r: RunRecord): void {
  const disk = readRunRecord(runDir);
  if (disk) {
    for (const k of USER_FIELDS) {
      if (disk[k] !== undefined) (r as unknown as Record<string, unknown>)[k] = disk[k];
    }
  }
  writeJsonAtomic(runJsonPath(runDir), r);
}

/** The run's checkpoint folder: run.json keeps it relative to the run dir, so a copied or moved run uses its own. */
export function checkpointDirOf(runDir: string, r: Pick<RunRecord, 'checkpoint_dir'>): string {
  return r.checkpoint_dir ? resolve(runDir, r.checkpoint_dir) : join(runDir, 'checkpoints');
}

/** An app run's checkpoint folders, absolute: a run dir that came back from an SSH host or SLURM uses its own. */
export function appCheckpointDirs(runDir: string, app: Pick<AppInfo, 'checkpoint_dirs'>): string[] {
  return (Array.isArray(app.checkpoint_dirs) ? app.checkpoint_dirs : []).filter((d) => typeof d === 'string').map((d) => resolve(runDir, d));
}

/** A path as run.json keeps it: relative to the run dir when inside it, so the record holds wherever the dir goes. */
export function pathInRun(runDir: string, p: string): string {
  const rel = relative(runDir, p);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? p : rel;
}

/**
 * Where a run dir came from when it is not where its run.json says it was made: `copied` when the recorded
 * folder still holds the same run, else `moved`. Undefined when it is in place (or run.json predates run_dir).
 */
export function relocation(runDir: string, r: RunRecord): { from: string; kind: 'copied' | 'moved' } | undefined {
  if (!r.run_dir || !isAbsolute(r.run_dir)) return undefined;
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
  if (real(r.run_dir) === real(runDir)) return undefined;
  const original = readRunRecord(r.run_dir);
  return { from: r.run_dir, kind: original?.id === r.id ? 'copied' : 'moved' };
}
