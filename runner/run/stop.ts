// `bait stop <run-dir>`: asks a run to save `last` and exit. The request is a file in the run directory, which the
// training loop polls (so it works for detached, remote and SLURM runs whose process we cannot signal); a local
// process is also sent SIGTERM so that it reacts at once.
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { UserError } from './errors.js';
import { STOP_FILE } from './signals.js';
import { readRunRecord } from './run_record.js';

export interface StopResult {
  /** Whether the run was still marked running. */
  wasRunning: boolean;
  /** Whether a SIGTERM was delivered to a local process. */
  signalled: boolean;
  /** The status when we stopped waiting. */
  status: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function stopRun(runDir: string, opts: { waitMs?: number } = {}): Promise<StopResult> {
  const dir = resolve(runDir);
  const record = readRunRecord(dir);
  if (!record) throw new UserError(`${dir} is not a run directory (no run.json)`);
  if (record.status !== 'running') return { wasRunning: false, signalled: false, status: record.status };
  writeFileSync(join(dir, STOP_FILE), `${new Date().toISOString()} requested by pid ${process.pid}\n`);
  let signalled = false;
  if (record.host === hostname() && alive(record.pid)) {
    process.kill(record.pid, 'SIGTERM');
    signalled = true;
  }
  const deadline = Date.now() + (opts.waitMs ?? 30_000);
  let status: string = record.status;
  while (Date.now() < deadline) {
    status = readRunRecord(dir)?.status ?? status;
    if (status !== 'running') break;
    if (record.host === hostname() && !alive(record.pid)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { wasRunning: true, signalled, status };
}
