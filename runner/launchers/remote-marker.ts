// A small file in a local job directory that says where the job really runs, so `bait attach` and `bait stop`
// work after the editor or the launching process is gone: `.bait-remote.json`.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SshTarget } from '../remote/ssh.js';
import { LauncherError } from './errors.js';

export const MARKER = '.bait-remote.json';

export type RemoteMarker =
  | { kind: 'ssh'; host: string; target: SshTarget; remote_dir: string; pid: number; started_at: string;
      /** How the job was started there (the host's node, runner bundle and workspace copy): a resume reuses it. */
      runner?: { node: string; script: string; cwd: string } }
  | { kind: 'slurm'; job_id: string; task: number; log: string; result_file: string; submitted_at: string;
      /** Set when submitted through an SSH login host: paths above are on that host, and the run dir is remote_dir. */
      login?: SshTarget; remote_dir?: string };

export function writeMarker(jobDir: string, m: RemoteMarker): void {
  const f = join(jobDir, MARKER);
  writeFileSync(`${f}.tmp`, `${JSON.stringify(m, null, 2)}\n`);
  renameSync(`${f}.tmp`, f);
}

export function readMarker(jobDir: string): RemoteMarker | null {
  const f = join(jobDir, MARKER);
  if (!existsSync(f)) return null;
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as RemoteMarker;
  } catch (e) {
    throw new LauncherError(`${f}: unreadable (${(e as Error).message}); the job's remote location is unknown`);
  }
}
