// The ssh launcher: runs sweep jobs on remote GPU hosts. For each host it checks Node and free space, syncs the
// runner bundle, the config dir and the workspace paths listed in `sync` (rsync: unchanged files are skipped),
// then starts each job detached (setsid + nohup) so it survives the SSH session, the editor and this process.
// Jobs share the hosts by slot (one per GPU, else `slots`). Logs stream back into <job dir>/launcher.log; when a
// job ends its run directory is copied back. A host that fails its checks is reported and left out; if no host
// is usable the launch fails with the hosts' errors and nothing local is touched.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { RemoteError } from '../../remote/errors.js';
import { sshCheck, type SshTarget } from '../../remote/ssh.js';
import { LauncherError } from '../errors.js';
import { jobArgv, jobEnv } from '../job-command.js';
import { runPool } from '../pool.js';
import { writeMarker } from '../remote-marker.js';
import { statusOfExit, type Job, type JobResult, type LaunchContext, type Launcher } from '../types.js';
import { hostLabel, hostSlots, type SshLauncherConfig } from './config.js';
import { inside, prepareSshHost, type PreparedSshHost } from './prepare.js';
import { bringBack, pollHost, stopRemote, type WatchedJob } from './remote-runs.js';
import { startScript } from './scripts.js';

interface PreparedHost extends PreparedSshHost {
  watcher: HostWatcher;
}

export class SshLauncher implements Launcher {
  readonly name = 'ssh';
  constructor(private readonly cfg: SshLauncherConfig) {
    if (!cfg.hosts?.length) throw new LauncherError('ssh launcher: no hosts configured; add hydra.launcher.hosts (host, work_dir, gpus) or hosts in the settings');
  }

  async launch(jobs: Job[], ctx: LaunchContext): Promise<JobResult[]> {
    const workspace = resolve(this.cfg.workspace ?? process.cwd());
    const settled = await Promise.allSettled(this.cfg.hosts.map((h) => prepareSshHost(h, this.cfg, ctx, workspace).then((p) => ({ ...p, watcher: new HostWatcher(p.target, (this.cfg.poll_interval_s ?? 1) * 1000) }))));
    const hosts: PreparedHost[] = [];
    const errors: string[] = [];
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') hosts.push(s.value);
      else {
        const msg = s.reason instanceof Error ? s.reason.message : String(s.reason);
        errors.push(msg);
        ctx.onEvent?.({ type: 'log', num: -1, text: `[ssh] host ${hostLabel(this.cfg.hosts[i])} left out: ${msg}\n` });
      }
    });
    if (!hosts.length) {
      const first = settled.find((s) => s.status === 'rejected') as PromiseRejectedResult;
      if (errors.length === 1 && first.reason instanceof RemoteError) throw first.reason;
      throw new LauncherError(`ssh launcher: no usable host:\n  ${errors.join('\n  ')}`);
    }
    const slots = hosts.flatMap((h) => hostSlots(h.cfg).map((gpu) => ({ host: h, gpu })));
    try {
      return await runPool(jobs, { slots, staggerMs: (this.cfg.stagger_s ?? 0) * 1000, signal: ctx.signal },
        (job, slot) => this.runJob(job, slot.host, slot.gpu, ctx, workspace));
    } finally {
      for (const h of hosts) h.watcher.close();
    }
  }

  private async runJob(job: Job, host: PreparedHost, gpu: string | null, ctx: LaunchContext, _workspace: string): Promise<JobResult> {
    const rel = inside(resolve(ctx.sweepDir), resolve(job.dir)) ?? `job-${job.num}`;
    const remoteDir = `${host.sweepDir}/${rel}`;
    const env = { ...ctx.env, ...jobEnv({ num: job.num, dir: remoteDir }, host.sweepDir), ...(gpu === null ? {} : { CUDA_VISIBLE_DEVICES: gpu }) };
    const started = await sshCheck(host.target, startScript(remoteDir, jobArgv(job, host.runner), env), `starting job #${job.num}`, { timeoutMs: 120_000 });
    const pid = Number(/pid=(\d+)/.exec(started.stdout)?.[1]);
    if (!pid) throw new RemoteError('command-failed', host.label, `starting job #${job.num} on ${host.label}: no PID came back (${started.stderr.trim()})`);
    mkdirSync(job.dir, { recursive: true });
    writeMarker(job.dir, { kind: 'ssh', host: host.label, target: host.target, remote_dir: remoteDir, pid, started_at: new Date().toISOString() });
    ctx.onEvent?.({ type: 'started', num: job.num, dir: job.dir, host: host.label, ...(gpu === null ? {} : { gpu }) });

    const onAbort = () => { stopRemote(host.target, pid, host.label).catch(() => { /* reported by the final state */ }); };
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
    let end: { exitCode: number | null; lost: boolean };
    try {
      end = await host.watcher.watch({ key: String(job.num), localDir: job.dir, remoteDir, pid, offset: 0,
        onLog: (text) => ctx.onEvent?.({ type: 'log', num: job.num, text }) });
    } finally {
      ctx.signal?.removeEventListener('abort', onAbort);
    }
    const pullError = await bringBack(host.target, remoteDir, job.dir);
    const status = end.lost ? 'failed' : statusOfExit(end.exitCode);
    const error = end.lost ? `the job's process on ${host.label} disappeared without an exit code (killed, or the host rebooted)`
      : status !== 'completed' ? `exit ${end.exitCode} on ${host.label}; see ${job.dir}/launcher.log` : undefined;
    const result: JobResult = { num: job.num, dir: job.dir, status, exitCode: end.exitCode, host: host.label,
      ...(error || pullError ? { error: [error, pullError && `run directory not brought back: ${pullError}`].filter(Boolean).join('; ') } : {}) };
    ctx.onEvent?.({ type: 'finished', result });
    return result;
  }
}

/** Polls one host for all of its running jobs at a fixed interval; `watch` resolves when a job has ended. */
export class HostWatcher {
  private readonly jobs = new Map<string, { job: WatchedJob; lostCount: number; done: (r: { exitCode: number | null; lost: boolean }) => void }>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private closed = false;

  constructor(private readonly target: SshTarget, private readonly intervalMs: number) {}

  watch(job: WatchedJob): Promise<{ exitCode: number | null; lost: boolean }> {
    return new Promise((done) => {
      this.jobs.set(job.key, { job, lostCount: 0, done });
      this.schedule();
    });
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.timer || this.polling || this.closed || !this.jobs.size) return;
    this.timer = setTimeout(() => { this.timer = null; void this.tick(); }, this.intervalMs);
  }

  private async tick(): Promise<void> {
    this.polling = true;
    try {
      const entries = [...this.jobs.values()];
      const replies = await pollHost(this.target, entries.map((e) => e.job));
      for (const e of entries) {
        const r = replies.get(e.job.key);
        if (!r) continue;
        // A process can end between the exit-file check and `kill -0`; only a second "lost" in a row counts.
        if (r.state === 'lost') e.lostCount += 1; else e.lostCount = 0;
        if (r.state === 'exited' || e.lostCount >= 2) {
          this.jobs.delete(e.job.key);
          e.done({ exitCode: r.exitCode, lost: r.state === 'lost' });
        }
      }
    } finally {
      this.polling = false;
      this.schedule();
    }
  }
}
