// sweep.json: the record that makes a sweep resumable and lets the run explorer show it (DESIGN.md section 5).
// Job directories are stored relative to the sweep directory when they are inside it, so a sweep directory can
// be moved or copied back from a remote host and still be read. Writes are atomic (temp file + rename).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { JobStatus } from '../launchers/types.js';
import { LauncherError } from '../launchers/errors.js';
import type { OptunaRecord } from './optuna.js';

export const MANIFEST = 'sweep.json';

export interface SweepJobRecord {
  num: number;
  overrides: string[];
  status: JobStatus;
  /** Relative to the sweep directory when inside it, else absolute. */
  dir: string;
  host?: string;
  exit_code?: number | null;
  error?: string;
  started_at?: string;
  ended_at?: string;
  /** How many times the job has been started (a resumed sweep adds one). */
  runs?: number;
  /** A model-based sweep's objective for this job (its metric), recorded once the job completed. */
  objective?: number;
}

export interface SweepManifest {
  version: 1;
  config_name: string;
  config_dir: string;
  launcher: string;
  experiment?: string;
  name?: string;
  /** Where the job list came from: `-m` overrides, or a W&B-style sweep file. */
  source?: { kind: 'overrides'; overrides: string[] } | { kind: 'sweep-file'; file: string; method: string } | OptunaRecord;
  fail_fast?: boolean;
  /** Jobs of the workspace's own Hydra app (`bait run --app`): its command and resume template. */
  app?: { command: string; resume?: string };
  /** The workspace the launcher synced (SSH hosts keep it at <work_dir>/<name>-<hash of this path>). */
  workspace?: string;
  created_at: string;
  updated_at: string;
  jobs: SweepJobRecord[];
}

export function storedDir(sweepDir: string, dir: string): string {
  const rel = relative(resolve(sweepDir), resolve(dir));
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : resolve(dir);
}

export function absoluteJobDir(sweepDir: string, rec: Pick<SweepJobRecord, 'dir'>): string {
  return isAbsolute(rec.dir) ? rec.dir : join(resolve(sweepDir), rec.dir);
}

export function readManifest(sweepDir: string): SweepManifest {
  const file = join(sweepDir, MANIFEST);
  if (!existsSync(file)) throw new LauncherError(`${file} not found: ${sweepDir} is not a BAIT sweep directory (start the sweep with \`bait run <config> -m ...\`)`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new LauncherError(`${file}: not valid JSON (${(e as Error).message}); restore it from the sweep's job directories or start a new sweep`);
  }
  const m = value as SweepManifest;
  if (!m || typeof m !== 'object' || !Array.isArray(m.jobs)) throw new LauncherError(`${file}: no "jobs" list; this file was not written by BAIT`);
  return m;
}

export function writeManifest(sweepDir: string, m: SweepManifest): void {
  mkdirSync(sweepDir, { recursive: true });
  const file = join(sweepDir, MANIFEST);
  m.updated_at = new Date().toISOString();
  writeFileSync(`${file}.tmp`, `${JSON.stringify(m, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}
