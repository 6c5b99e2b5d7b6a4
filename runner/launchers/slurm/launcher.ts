// The slurm launcher: one `sbatch --array=0-{n-1}%{parallelism}` per batch of jobs (Hydra's submitit launcher
// contract), logs under <sweep dir>/.submitit/%A_%a_log.{out,err}, status from squeue (and scontrol for tasks
// that squeue no longer lists), USR2 -> checkpoint -> requeue -> resume (see batch-script.ts). Every SLURM
// client command runs under `timeout`. Aborting (fail_fast, Ctrl-C) cancels the array: running tasks get
// SIGTERM and save `last`; pending ones stay pending in sweep.json.
//
// With `login_host`, BAIT submits through SSH: the login host gets the runner, configs and workspace like an
// ssh launcher host, the batch files are copied there, and finished run directories come back here.
import { appendFileSync, chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { SshTarget } from '../../remote/ssh.js';
import { LauncherError } from '../errors.js';
import { jobArgv, jobEnv, resumeArgv } from '../job-command.js';
import { writeMarker } from '../remote-marker.js';
import { inside, prepareSshHost } from '../ssh/prepare.js';
import { statusOfExit, type Job, type JobResult, type LaunchContext, type Launcher, type RunnerInvocation } from '../types.js';
import { localAccess, sshAccess, type ClusterAccess } from './access.js';
import { batchScript, taskFiles } from './batch-script.js';
import { scontrolState, squeueStates } from './cluster.js';
import { sbatchOptions, settleSlurmConfig, type SlurmLauncherConfig } from './config.js';
import { shellWithEnvRefs, unmaskSetting } from '../env-settings.js';

const ALIVE = new Set(['PENDING', 'RUNNING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'CONFIGURING', 'COMPLETING', 'SUSPENDED', 'RESIZING', 'SIGNALING', 'STAGE_OUT']);

interface Task {
  index: number;
  job: Job;
  /** The job's run directory as the cluster sees it (equal to job.dir when submitting locally). */
  clusterDir: string;
  started: boolean;
  done: JobResult | null;
  offsets: { out: number; err: number };
  misses: number;
}

interface Placement {
  access: ClusterAccess;
  runner: RunnerInvocation;
  /** The sweep dir as the cluster sees it. */
  sweepDir: string;
  chdir: string;
  login?: SshTarget;
}

export class SlurmLauncher implements Launcher {
  readonly name = 'slurm';
  private readonly cfg: SlurmLauncherConfig;
  constructor(cfg: SlurmLauncherConfig = {}) {
    this.cfg = settleSlurmConfig(cfg);
  }

  /**
   * The setup lines with values read through oc.env as quoted variable references, and those variables' values
   * here, which reach the job through its environment (sbatch --export), never through a file.
   */
  private setup(): { lines: string[]; env: Record<string, string> } {
    const env: Record<string, string> = {};
    const lines = (this.cfg.setup ?? []).map((raw, i) => {
      const where = `hydra.launcher.setup.${i}`;
      const r = shellWithEnvRefs(String(raw), where);
      for (const name of r.names) env[name] = unmaskSetting(`<env:${name}>`, where);
      return r.line;
    });
    return { lines, env };
  }

  private async place(ctx: LaunchContext): Promise<Placement> {
    const sweepDir = resolve(ctx.sweepDir);
    if (!this.cfg.login_host) return { access: localAccess, runner: ctx.runner, sweepDir, chdir: process.cwd() };
    const workspace = resolve(this.cfg.workspace ?? process.cwd());
    const host = await prepareSshHost(this.cfg.login_host, { sync: this.cfg.sync ?? true }, ctx, workspace);
    return { access: sshAccess(host.target, host.label), runner: host.runner, sweepDir: host.sweepDir, chdir: host.root, login: host.target };
  }

  async launch(jobs: Job[], ctx: LaunchContext): Promise<JobResult[]> {
    if (!jobs.length) return [];
    const setup = this.setup();
    const localSweep = resolve(ctx.sweepDir);
    const where = await this.place(ctx);
    // submitit keeps one folder per job (`%j`); BAIT keeps the array's logs side by side in that folder's parent,
    // named %A_%a_log.out/err, because SLURM does not create missing directories for --output.
    const folder = this.cfg.submitit_folder && !this.cfg.submitit_folder.includes('${') && !this.cfg.login_host
      ? this.cfg.submitit_folder : join(where.sweepDir, '.submitit', '%j');
    const logDir = folder.replace(/\/?%j.*$/, '') || join(where.sweepDir, '.submitit');
    const batchName = `batch-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomBytes(3).toString('hex')}`;
    const localBatch = join(localSweep, '.submitit', batchName);
    const clusterBatch = join(where.sweepDir, '.submitit', batchName);
    mkdirSync(join(localBatch, 'tasks'), { recursive: true });

    const tasks: Task[] = jobs.map((job, index) => ({
      index, job, clusterDir: where.login ? join(where.sweepDir, inside(localSweep, resolve(job.dir)) ?? `job-${job.num}`) : job.dir,
      started: false, done: null, offsets: { out: 0, err: 0 }, misses: 0,
    }));
    for (const t of tasks) {
      const files = taskFiles(t.index, {
        argv: jobArgv(t.job, where.runner), resumeArgv: resumeArgv(t.clusterDir, where.runner),
        env: { ...ctx.env, ...jobEnv({ num: t.job.num, dir: t.clusterDir }, where.sweepDir, !!where.login) }, jobDir: t.clusterDir,
      });
      for (const [name, content] of Object.entries(files)) writeFileSync(join(localBatch, name), content);
    }
    writeFileSync(join(localBatch, 'jobs.json'), `${JSON.stringify(tasks.map((t) => ({ index: t.index, num: t.job.num, dir: t.clusterDir })), null, 2)}\n`);
    const options = sbatchOptions(this.cfg, { name: this.cfg.name ?? ctx.runner.configName.replace(/[/\s]/g, '_'), tasks: jobs.length, logDir, chdir: where.chdir,
      envNames: Object.keys(setup.env) }, where.login ? {} : process.env);
    const script = join(localBatch, 'sbatch.sh');
    writeFileSync(script, batchScript(clusterBatch, options, setup.lines, this.cfg.max_num_timeout ?? 0));
    chmodSync(script, 0o755);
    await where.access.publish(localBatch, clusterBatch);
    if (where.login) await where.access.run(['mkdir', '-p', logDir], 30);

    const sub = await where.access.run(['sbatch', '--parsable', ...options, join(clusterBatch, 'sbatch.sh')], 60, setup.env);
    const jobId = /^(\d+)/.exec(sub.stdout.trim())?.[1];
    if (sub.code !== 0 || !jobId) {
      throw new LauncherError(`slurm launcher: sbatch failed (exit ${sub.code}): ${sub.stderr.trim() || sub.stdout.trim()}. `
        + `Check the partition/account/gres settings of hydra.launcher; the batch script is ${script}`);
    }
    writeFileSync(join(localBatch, 'job_id'), `${jobId}\n`);
    for (const t of tasks) {
      mkdirSync(t.job.dir, { recursive: true });
      writeMarker(t.job.dir, { kind: 'slurm', job_id: jobId, task: t.index, log: join(logDir, `${jobId}_${t.index}_log.out`),
        result_file: join(clusterBatch, 'tasks', `${t.index}.result`), ...(where.login ? { login: where.login, remote_dir: t.clusterDir } : {}),
        submitted_at: new Date().toISOString() });
    }

    let cancelled = false;
    const onAbort = () => {
      if (cancelled) return;
      cancelled = true;
      void where.access.run(['scancel', jobId], 60);
    };
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
    if (ctx.signal?.aborted) onAbort();
    let squeueFailures = 0;
    try {
      while (tasks.some((t) => !t.done)) {
        await new Promise((r) => setTimeout(r, (this.cfg.poll_interval_s ?? 2) * 1000));
        const states = await squeueStates(where.access.run, jobId);
        if (!states) {
          squeueFailures += 1;
          if (squeueFailures >= 30) {
            for (const t of tasks.filter((x) => !x.done)) {
              this.finish(t, { status: 'failed', exitCode: null, error: `squeue has not answered for ${squeueFailures} polls; the task may still run (job ${jobId}_${t.index})` }, ctx, jobId);
            }
          }
          continue;
        }
        squeueFailures = 0;
        const open = tasks.filter((x) => !x.done);
        const readings = await where.access.read(open.map((t) => ({
          key: String(t.index), resultFile: join(clusterBatch, 'tasks', `${t.index}.result`),
          logs: [{ path: join(logDir, `${jobId}_${t.index}_log.out`), offset: t.offsets.out }, { path: join(logDir, `${jobId}_${t.index}_log.err`), offset: t.offsets.err }],
        })));
        for (const t of open) await this.update(t, states.get(t.index), readings.get(String(t.index)), where, ctx, jobId, logDir, cancelled);
      }
    } finally {
      ctx.signal?.removeEventListener('abort', onAbort);
    }
    return tasks.map((t) => t.done!);
  }

  private async update(t: Task, state: string | undefined, reading: { result: number | null; chunks: Buffer[] } | undefined,
    where: Placement, ctx: LaunchContext, jobId: string, logDir: string, cancelled: boolean): Promise<void> {
    const host = `slurm:${jobId}_${t.index}`;
    if (state === 'RUNNING' && !t.started) {
      t.started = true;
      ctx.onEvent?.({ type: 'started', num: t.job.num, dir: t.job.dir, host });
    }
    if (reading) {
      (['out', 'err'] as const).forEach((kind, i) => {
        const chunk = reading.chunks[i]!;
        if (!chunk.length) return;
        t.offsets[kind] += chunk.length;
        appendFileSync(join(t.job.dir, 'launcher.log'), chunk);
        ctx.onEvent?.({ type: 'log', num: t.job.num, text: chunk.toString('utf8') });
      });
    }
    if (state) return;
    if (reading && reading.result !== null) {
      const code = reading.result;
      const pullError = await where.access.bringBack(t.clusterDir, t.job.dir);
      const status = statusOfExit(code);
      const error = [status === 'completed' ? '' : `exit ${code} in SLURM task ${jobId}_${t.index}; see ${join(logDir, `${jobId}_${t.index}_log.err`)}`,
        pullError ? `run directory not brought back: ${pullError}` : ''].filter(Boolean).join('; ');
      this.finish(t, { status, exitCode: code, ...(error ? { error } : {}) }, ctx, jobId);
      return;
    }
    const sc = await scontrolState(where.access.run, jobId, t.index);
    if (sc && ALIVE.has(sc.state)) return;
    t.misses += 1;
    // The result file is written just before the task exits; give the shared file system a moment.
    if (t.misses < 3) return;
    const wasCancel = cancelled || sc?.state === 'CANCELLED';
    await where.access.bringBack(t.clusterDir, t.job.dir);
    this.finish(t, {
      status: wasCancel ? 'stopped' : 'failed', exitCode: null,
      error: sc ? `SLURM ended task ${jobId}_${t.index} as ${sc.state}${sc.reason && sc.reason !== 'None' ? ` (${sc.reason})` : ''} without an exit code`
        : `SLURM no longer knows task ${jobId}_${t.index} and it left no exit code`,
    }, ctx, jobId);
  }

  private finish(t: Task, r: Omit<JobResult, 'num' | 'dir' | 'host'>, ctx: LaunchContext, jobId: string): void {
    const host = `slurm:${jobId}_${t.index}`;
    // A task that never started (cancelled while pending) stays unstarted so that a resumed sweep runs it.
    if (!t.started && r.exitCode !== null) {
      t.started = true;
      ctx.onEvent?.({ type: 'started', num: t.job.num, dir: t.job.dir, host });
    }
    t.done = { num: t.job.num, dir: t.job.dir, host, ...r };
    ctx.onEvent?.({ type: 'finished', result: t.done });
  }
}
