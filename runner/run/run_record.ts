// `run.json` (DESIGN.md section 5): who the run is, where it came from, and each attempt. Rewritten atomically
// on every change, so the run explorer and `bait runs` can read it at any time.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
  checkpoint_dir: string;
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
  /** Folders ModelCheckpoint writes to (absolute). */
  checkpoint_dirs: string[];
  /** ModelCheckpoint's monitor and mode, so the best checkpoint can be told from the names. */
  monitor?: string;
  mode?: 'min' | 'max';
  /** The app process of the current attempt. */
  pid?: number;
}

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
  writeJsonAtomic(runJsonPath(runDir), r);
}
