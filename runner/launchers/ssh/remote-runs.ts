// Following detached jobs on SSH hosts: one status poll per host covers all of its jobs (state, exit code and
// new log bytes), so watching many jobs costs one ssh command per host per interval. Used by the ssh launcher
// while it runs and by `bait attach` afterwards.
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RemoteError } from '../../remote/errors.js';
import { rsyncPull } from '../../remote/rsync.js';
import { sshCheck, sshRun, type SshTarget } from '../../remote/ssh.js';
import { LOG_FILE, METRICS_FILE, parsePoll, pollScript, stopScript, type PollReply } from './scripts.js';

export interface WatchedJob {
  key: string;
  localDir: string;
  remoteDir: string;
  pid: number;
  offset: number;
  /** metrics.jsonl bytes mirrored so far and the last run.json's cksum (see mirror below). */
  metricsOffset?: number;
  runJsonSig?: string;
  onLog?: (text: string) => void;
}

/**
 * Mirrors a running job's metrics.jsonl (whole lines only, so a reader never sees half a row) and run.json into
 * its local directory, so the explorer shows it running and the metrics view draws its curves while it runs; the
 * whole run directory still comes back when it ends.
 */
function mirror(job: WatchedJob, reply: PollReply): void {
  const { reset, bytes } = reply.metrics;
  const end = bytes.lastIndexOf(0x0a) + 1;
  if (reset) {
    writeFileSync(join(job.localDir, METRICS_FILE), bytes.subarray(0, end));
    job.metricsOffset = end;
  } else if (end > 0) {
    appendFileSync(join(job.localDir, METRICS_FILE), bytes.subarray(0, end));
    job.metricsOffset = (job.metricsOffset ?? 0) + end;
  }
  if (reply.runJson) {
    try {
      JSON.parse(reply.runJson.text.toString('utf8'));
    } catch {
      return; // caught mid-write: the next poll sends it again
    }
    const f = join(job.localDir, 'run.json');
    writeFileSync(`${f}.mirror.tmp`, reply.runJson.text);
    renameSync(`${f}.mirror.tmp`, f);
    job.runJsonSig = reply.runJson.sig;
  }
}

/**
 * Polls one host for a set of jobs; appends new log bytes to each local launcher.log and reports them. Returns
 * null when the host could not be asked (a network blip is not a failed job: the caller polls again).
 */
export async function pollHost(t: SshTarget, jobs: WatchedJob[], signal?: AbortSignal): Promise<Map<string, PollReply> | null> {
  const r = await sshRun(t, pollScript(jobs.map((j) => ({ key: j.key, dir: j.remoteDir, pid: j.pid, offset: j.offset,
    metricsOffset: j.metricsOffset ?? 0, runJsonSig: j.runJsonSig ?? '' }))), { timeoutMs: 60_000, signal });
  const out = new Map<string, PollReply>();
  if (r.code !== 0) return null;
  for (const reply of parsePoll(r.stdout)) {
    const job = jobs.find((j) => j.key === reply.key);
    if (!job) continue;
    if (reply.log.length) {
      appendFileSync(join(job.localDir, LOG_FILE), reply.log);
      job.offset += reply.log.length;
      job.onLog?.(reply.log.toString('utf8'));
    }
    mirror(job, reply);
    out.set(reply.key, reply);
  }
  return out;
}

/** Copies the finished job's run directory back; a failure here is reported but never deletes local files. */
export async function bringBack(t: SshTarget, remoteDir: string, localDir: string): Promise<string | null> {
  try {
    await rsyncPull(t, remoteDir, localDir);
    return null;
  } catch (e) {
    return e instanceof RemoteError ? e.message : String(e);
  }
}

export async function stopRemote(t: SshTarget, pid: number, host: string): Promise<void> {
  await sshCheck(t, stopScript(pid), `stopping job ${pid} on ${host}`, { timeoutMs: 60_000 });
}
