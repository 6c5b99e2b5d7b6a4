// `bait attach <run dir>` and `bait stop <run dir>` for jobs that run elsewhere: on an SSH host (detached with
// setsid/nohup) or in SLURM. The job directory's .bait-remote.json (remote-marker.ts) says where. Attaching
// streams the log from where the local copy ends until the job ends, then brings the run directory back.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readMarker } from './remote-marker.js';
import { localAccess, sshAccess } from './slurm/access.js';
import { bringBack, pollHost, stopRemote, type WatchedJob } from './ssh/remote-runs.js';
import { LOG_FILE, METRICS_FILE } from './ssh/scripts.js';
import { statusOfExit, type JobResult } from './types.js';
import { LauncherError } from './errors.js';

export interface AttachOptions {
  onLog?: (text: string) => void;
  signal?: AbortSignal;
  pollMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Follows a remote job until it ends; resolves with its result. Throws if the directory has no remote job. */
export async function attachRun(dir: string, opts: AttachOptions = {}): Promise<JobResult> {
  const m = readMarker(dir);
  if (!m) throw new LauncherError(`${dir} has no remote job (no .bait-remote.json); local runs are followed through their log.txt`);
  const pollMs = opts.pollMs ?? 1000;
  if (m.kind === 'ssh') {
    const localLog = join(dir, LOG_FILE);
    const job: WatchedJob = { key: 'job', localDir: dir, remoteDir: m.remote_dir, pid: m.pid,
      offset: existsSync(localLog) ? statSync(localLog).size : 0, onLog: opts.onLog,
      metricsOffset: existsSync(join(dir, METRICS_FILE)) ? statSync(join(dir, METRICS_FILE)).size : 0 };
    let lost = 0;
    for (;;) {
      if (opts.signal?.aborted) return { num: -1, dir, status: 'stopped', exitCode: null, host: m.host, error: 'detached: the job keeps running' };
      const reply = (await pollHost(m.target, [job], opts.signal))?.get('job');
      if (reply?.state === 'exited' || (reply?.state === 'lost' && ++lost >= 2)) {
        const pullError = await bringBack(m.target, m.remote_dir, dir);
        const status = reply.state === 'lost' ? 'failed' : statusOfExit(reply.exitCode);
        return { num: -1, dir, status, exitCode: reply.exitCode, host: m.host,
          ...(status !== 'completed' || pullError ? { error: [reply.state === 'lost' ? 'the job disappeared without an exit code' : status !== 'completed' ? `exit ${reply.exitCode}` : '', pullError ?? ''].filter(Boolean).join('; ') } : {}) };
      }
      if (reply?.state === 'running') lost = 0;
      await sleep(pollMs);
    }
  }
  // SLURM: follow the task's log (here, or on the login host) until it records an exit code.
  const access = m.login ? sshAccess(m.login, m.login.host) : localAccess;
  const host = `slurm:${m.job_id}_${m.task}`;
  let offset = 0;
  let gone = 0;
  for (;;) {
    const reading = (await access.read([{ key: 't', resultFile: m.result_file, logs: [{ path: m.log, offset }] }])).get('t');
    if (reading?.chunks[0]?.length) { offset += reading.chunks[0].length; opts.onLog?.(reading.chunks[0].toString('utf8')); }
    if (reading && reading.result !== null) {
      const pullError = m.remote_dir ? await access.bringBack(m.remote_dir, dir) : null;
      const status = statusOfExit(reading.result);
      return { num: -1, dir, status, exitCode: reading.result, host, ...(pullError ? { error: pullError } : {}) };
    }
    const q = await access.run(['squeue', '-h', '-j', `${m.job_id}_${m.task}`, '-o', '%T'], 30);
    // Not listed and no exit code twice in a row (the result file is written just before the task ends): lost.
    if (q.code === 0 && !q.stdout.trim() && ++gone >= 3) {
      return { num: -1, dir, status: 'failed', exitCode: null, host, error: 'SLURM no longer lists the task and it left no exit code' };
    }
    if (opts.signal?.aborted) return { num: -1, dir, status: 'stopped', exitCode: null, host, error: 'detached: the task keeps running' };
    await sleep(pollMs);
  }
}

/** Stops a remote job: SIGTERM to an SSH job (it saves `last`), scancel for a SLURM task. */
export async function stopRun(dir: string): Promise<void> {
  const m = readMarker(dir);
  if (!m) throw new LauncherError(`${dir} has no remote job (no .bait-remote.json)`);
  if (m.kind === 'ssh') return stopRemote(m.target, m.pid, m.host);
  const access = m.login ? sshAccess(m.login, m.login.host) : localAccess;
  const r = await access.run(['scancel', `${m.job_id}_${m.task}`], 60);
  if (r.code !== 0) throw new LauncherError(`scancel ${m.job_id}_${m.task} failed: ${r.stderr.trim()}`);
}
