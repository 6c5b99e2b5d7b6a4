// The ssh launcher: runs sweep jobs on remote GPU hosts. For each host it checks Node and free space, syncs the
// runner bundle, the config dir and the workspace paths listed in `sync` (rsync: unchanged files are skipped),
// then starts each job detached (setsid + nohup) so it survives the SSH session, the editor and this process.
// Jobs share the hosts by slot (one per GPU, else `slots`). Logs stream back into <job dir>/launcher.log; when a
// job ends its run directory is copied back. A host that fails its checks is reported and left out; if no host
// is usable the launch fails with the hosts' errors and nothing local is touched.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RemoteError } from '../../remote/errors.js';
import { sshCheck, type SshTarget } from '../../remote/ssh.js';
import { LauncherError } from '../errors.js';
import { jobArgv, jobEnv } from '../job-command.js';
import { runPool } from '../pool.js';
import { writeMarker } from '../remote-marker.js';
import { statusOfExit, type Job, type JobResult, type LaunchContext, type Launcher } from '../types.js';
import { hostLabel, hostSlots, settleSshLauncher, type SshLauncherConfig } from './config.js';
import { inside, prepareSshHost, type PreparedSshHost } from './prepare.js';
import { bringBack, pollHost, stopRemote, type WatchedJob } from './remote-runs.js';
import { startScript } from './scripts.js';

interface PreparedHost extends PreparedSshHost {
  watcher: HostWatcher;
}

export class SshLauncher implements Launcher {
  readonly name = 'ssh';
  private readonly cfg: SshLauncherConfig;
  constructor(cfg: SshLauncherConfig) {
    if (!cfg.hosts?.length) throw new LauncherError('ssh launcher: no hosts configured; add hydra.launcher.hosts (host, work_dir, gpus) or hosts in the settings');
    this.cfg = settleSshLauncher(cfg);
  }

  async launch(jobs: Job[], ctx: LaunchContext): Promise<JobResult[]> {
    const workspace = resolve(this.cfg.workspace ?? process.cwd());
    const settled = await Promise.allSettled(this.cfg.hosts.map((h) => prepareSshHost(h, this.cfg, ctx, workspace).then((p) => ({ ...p, watcher: new HostWatcher(p.target, (this.cfg.poll_interval_s ?? 1) * 1000, p.label, (this.cfg.give_up_after_s ?? 300) * 1000) }))));
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
        (job, slot) => this.runJob(job, slot.host, slot.gpu, ctx).catch((e: unknown) => {
          // A job that could not even start (the host dropped, the disk filled) is reported like any failure.
          const result: JobResult = { num: job.num, dir: job.dir, status: 'failed', exitCode: null, host: slot.host.label, error: (e as Error).message ?? String(e) };
          ctx.onEvent?.({ type: 'finished', result });
          return result;
        }));
    } finally {
      for (const h of hosts) h.watcher.close();
    }
  }

  private async runJob(job: Job, host: PreparedHost, gpu: string | null, ctx: LaunchContext): Promise<JobResult> {
    const rel = inside(resolve(ctx.sweepDir), resolve(job.dir)) ?? `job-${job.num}`;
    const remoteDir = `${host.sweepDir}/${rel}`;
    const env = { ...ctx.env, ...jobEnv({ num: job.num, dir: remoteDir }, host.sweepDir, true), ...(gpu === null ? {} : { CUDA_VISIBLE_DEVICES: gpu }) };
    const started = await sshCheck(host.target, startScript(remoteDir, jobArgv(job, host.runner), env, host.root), `starting job #${job.num}`, { timeoutMs: 120_000 });
    const pid = Number(/pid=(\d+)/.exec(started.stdout)?.[1]);
    if (!pid) throw new RemoteError('command-failed', host.label, `starting job #${job.num} on ${host.label}: no PID came back (${started.stderr.trim()})`);
    mkdirSync(job.dir, { recursive: true });
    writeMarker(job.dir, { kind: 'ssh', host: host.label, target: host.target, remote_dir: remoteDir, pid, started_at: new Date().toISOString(),
      runner: { node: host.runner.node ?? 'node', script: host.runner.script, cwd: host.root } });
    ctx.onEvent?.({ type: 'started', num: job.num, dir: job.dir, host: host.label, ...(gpu === null ? {} : { gpu }) });

    const onAbort = () => { stopRemote(host.target, pid, host.label).catch(() => { /* reported by the final state */ }); };
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
    let end: WatchEnd;
    try {
      end = await host.watcher.watch({ key: String(job.num), localDir: job.dir, remoteDir, pid, offset: 0,
        onLog: (text) => ctx.onEvent?.({ type: 'log', num: job.num, text }) });
    } finally {
      ctx.signal?.removeEventListener('abort', onAbort);
    }
    const pullError = end.unreachable ? null : await bringBack(host.target, remoteDir, job.dir);
    const status = end.lost ? 'failed' : statusOfExit(end.exitCode);
    let error: string | undefined;
    if (end.unreachable) error = end.unreachable;
    else if (end.lost) error = `the job's process on ${host.label} disappeared without an exit code (killed, or the host rebooted)`;
    // The runner's own "Resume with" line names the host's path; this names the local one, which resumes it there.
    else if (status === 'stopped') error = `stopped on ${host.label} (exit ${end.exitCode}); \`bait resume ${job.dir}\` resumes it there`;
    else if (status !== 'completed') error = `exit ${end.exitCode} on ${host.label}; see ${join(job.dir, 'launcher.log')}`;
    const result: JobResult = { num: job.num, dir: job.dir, status, exitCode: end.exitCode, host: host.label,
      ...(error || pullError ? { error: [error, pullError && `run directory not brought back: ${pullError}`].filter(Boolean).join('; ') } : {}) };
    ctx.onEvent?.({ type: 'finished', result });
    return result;
  }
}

export interface WatchEnd {
  exitCode: number | null;
  lost: boolean;
  /** Set when the host stopped answering: the job may still be running there. */
  unreachable?: string;
}

/**
 * Polls one host for all of its running jobs at a fixed interval; `watch` resolves when a job has ended. If the
 * host does not answer for `giveUpMs`, its jobs are reported as out of contact (they may still run: `bait attach`
 * picks them up later) so that a sweep never waits forever on a host that went away.
 */
export class HostWatcher {
  private readonly jobs = new Map<string, { job: WatchedJob; lostCount: number; done: (r: WatchEnd) => void }>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private closed = false;
  private failingSince: number | null = null;

  constructor(private readonly target: SshTarget, private readonly intervalMs: number, private readonly label = target.host,
    private readonly giveUpMs = 300_000) {}

  watch(job: WatchedJob): Promise<WatchEnd> {
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
      if (!replies) {
        this.failingSince ??= Date.now();
        if (Date.now() - this.failingSince >= this.giveUpMs) {
          const why = `lost contact with ${this.label} for ${Math.round((Date.now() - this.failingSince) / 1000)} s; the job may still be running there (\`bait attach <run dir>\` follows it later)`;
          for (const e of entries) { this.jobs.delete(e.job.key); e.done({ exitCode: null, lost: true, unreachable: why }); }
        }
        return;
      }
      this.failingSince = null;
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
