// The slurm launcher: one `sbatch --array=0-{n-1}%{parallelism}` per batch of jobs (Hydra's submitit launcher
// contract), logs under <sweep dir>/.submitit/%A_%a_log.{out,err}, status from squeue (and scontrol for tasks
// that squeue no longer lists), USR2 -> checkpoint -> requeue -> resume (see batch-script.ts). Every SLURM
// client command runs under `timeout`. Aborting (fail_fast, Ctrl-C) cancels the array: running tasks get
// SIGTERM and save `last`; pending ones stay pending in sweep.json.
import { appendFileSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync, chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { jobArgv, jobEnv, resumeArgv } from '../job-command.js';
import { writeMarker } from '../remote-marker.js';
import { statusOfExit, type Job, type JobResult, type LaunchContext, type Launcher } from '../types.js';
import { batchScript, taskFiles } from './batch-script.js';
import { runCommand, scontrolState, squeueStates } from './cluster.js';
import { sbatchOptions, type SlurmLauncherConfig } from './config.js';
import { LauncherError } from '../errors.js';

const ALIVE = new Set(['PENDING', 'RUNNING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'CONFIGURING', 'COMPLETING', 'SUSPENDED', 'RESIZING', 'SIGNALING', 'STAGE_OUT']);

interface Task {
  index: number;
  job: Job;
  started: boolean;
  done: JobResult | null;
  offsets: { out: number; err: number };
  misses: number;
}

/** Reads bytes of a file from `offset` on (at most 1 MB per call); empty when the file does not exist yet. */
function readFrom(file: string, offset: number): Buffer {
  if (!existsSync(file)) return Buffer.alloc(0);
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const n = Math.min(size - offset, 1 << 20);
    if (n <= 0) return Buffer.alloc(0);
    const buf = Buffer.alloc(n);
    readSync(fd, buf, 0, n, offset);
    return buf;
  } finally {
    closeSync(fd);
  }
}

export class SlurmLauncher implements Launcher {
  readonly name = 'slurm';
  constructor(private readonly cfg: SlurmLauncherConfig = {}) {
    if (cfg.login_host) throw new LauncherError('slurm launcher: submitting through login_host is not supported yet; run BAIT on the login node (e.g. over the ssh launcher\'s host) instead');
  }

  async launch(jobs: Job[], ctx: LaunchContext): Promise<JobResult[]> {
    if (!jobs.length) return [];
    const sweepDir = resolve(ctx.sweepDir);
    // submitit keeps one folder per job (`%j`); BAIT keeps the array's logs side by side in that folder's parent,
    // named %A_%a_log.out/err, because SLURM does not create missing directories for --output.
    const folder = this.cfg.submitit_folder && !this.cfg.submitit_folder.includes('${') ? this.cfg.submitit_folder : join(sweepDir, '.submitit', '%j');
    const logDir = resolve(folder.replace(/\/?%j.*$/, '')) || join(sweepDir, '.submitit');
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    const batchDir = join(logDir, `batch-${stamp}-${randomBytes(3).toString('hex')}`);
    mkdirSync(join(batchDir, 'tasks'), { recursive: true });

    const tasks: Task[] = jobs.map((job, index) => ({ index, job, started: false, done: null, offsets: { out: 0, err: 0 }, misses: 0 }));
    for (const t of tasks) {
      const files = taskFiles(t.index, {
        argv: jobArgv(t.job, ctx.runner), resumeArgv: resumeArgv(t.job.dir, ctx.runner),
        env: { ...ctx.env, ...jobEnv(t.job, sweepDir) }, jobDir: t.job.dir,
      });
      for (const [name, content] of Object.entries(files)) writeFileSync(join(batchDir, name), content);
    }
    writeFileSync(join(batchDir, 'jobs.json'), `${JSON.stringify(tasks.map((t) => ({ index: t.index, num: t.job.num, dir: t.job.dir })), null, 2)}\n`);
    const options = sbatchOptions(this.cfg, { name: this.cfg.name ?? ctx.runner.configName.replace(/[/\s]/g, '_'), tasks: jobs.length, logDir, chdir: process.cwd() });
    const script = join(batchDir, 'sbatch.sh');
    writeFileSync(script, batchScript(batchDir, options, this.cfg.setup ?? [], this.cfg.max_num_timeout ?? 0));
    chmodSync(script, 0o755);

    const sub = await runCommand(['sbatch', '--parsable', ...options, script], 60);
    const jobId = /^(\d+)/.exec(sub.stdout.trim())?.[1];
    if (sub.code !== 0 || !jobId) {
      throw new LauncherError(`slurm launcher: sbatch failed (exit ${sub.code}): ${sub.stderr.trim() || sub.stdout.trim()}. `
        + `Check the partition/account/gres settings of hydra.launcher; the batch script is ${script}`);
    }
    writeFileSync(join(batchDir, 'job_id'), `${jobId}\n`);
    for (const t of tasks) {
      mkdirSync(t.job.dir, { recursive: true });
      writeMarker(t.job.dir, { kind: 'slurm', job_id: jobId, task: t.index, log: join(logDir, `${jobId}_${t.index}_log.out`),
        result_file: join(batchDir, 'tasks', `${t.index}.result`), submitted_at: new Date().toISOString() });
    }

    let cancelled = false;
    const onAbort = () => {
      if (cancelled) return;
      cancelled = true;
      void runCommand(['scancel', jobId], 60);
    };
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
    if (ctx.signal?.aborted) onAbort();
    let squeueFailures = 0;
    try {
      while (tasks.some((t) => !t.done)) {
        await new Promise((r) => setTimeout(r, (this.cfg.poll_interval_s ?? 2) * 1000));
        const states = await squeueStates(jobId);
        if (!states) {
          squeueFailures += 1;
          if (squeueFailures >= 30) {
            for (const t of tasks.filter((x) => !x.done)) this.finish(t, { status: 'failed', exitCode: null, error: `squeue has not answered for ${squeueFailures} polls; the task may still run (job ${jobId}_${t.index})` }, ctx, jobId);
          }
          continue;
        }
        squeueFailures = 0;
        for (const t of tasks.filter((x) => !x.done)) await this.update(t, states.get(t.index), ctx, jobId, logDir, batchDir, cancelled);
      }
    } finally {
      ctx.signal?.removeEventListener('abort', onAbort);
    }
    return tasks.map((t) => t.done!);
  }

  private streamLogs(t: Task, ctx: LaunchContext, jobId: string, logDir: string): void {
    for (const kind of ['out', 'err'] as const) {
      const chunk = readFrom(join(logDir, `${jobId}_${t.index}_log.${kind}`), t.offsets[kind]);
      if (!chunk.length) continue;
      t.offsets[kind] += chunk.length;
      appendFileSync(join(t.job.dir, 'launcher.log'), chunk);
      ctx.onEvent?.({ type: 'log', num: t.job.num, text: chunk.toString('utf8') });
    }
  }

  private async update(t: Task, state: string | undefined, ctx: LaunchContext, jobId: string, logDir: string, batchDir: string, cancelled: boolean): Promise<void> {
    const host = `slurm:${jobId}_${t.index}`;
    if (state === 'RUNNING' && !t.started) {
      t.started = true;
      ctx.onEvent?.({ type: 'started', num: t.job.num, dir: t.job.dir, host });
    }
    this.streamLogs(t, ctx, jobId, logDir);
    if (state) return;
    const resultFile = join(batchDir, 'tasks', `${t.index}.result`);
    if (existsSync(resultFile)) {
      const code = Number(readFileSync(resultFile, 'utf8').trim());
      this.streamLogs(t, ctx, jobId, logDir);
      const status = statusOfExit(code);
      this.finish(t, { status, exitCode: code, ...(status === 'completed' ? {} : { error: `exit ${code} in SLURM task ${jobId}_${t.index}; see ${join(logDir, `${jobId}_${t.index}_log.err`)}` }) }, ctx, jobId);
      return;
    }
    const sc = await scontrolState(jobId, t.index);
    if (sc && ALIVE.has(sc.state)) return;
    t.misses += 1;
    // The result file is written just before the task exits; give the shared file system a moment.
    if (t.misses < 3) return;
    const wasCancel = cancelled || sc?.state === 'CANCELLED';
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
