// Runs one job as a local child process: argv array (no shell), output appended to <job dir>/launcher.log and
// streamed as `log` events. Aborting asks the runner to stop, so it saves `last` and exits with 130.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STOP_FILE } from '../run/signals.js';
import { jobArgv, jobEnv, resumeArgv } from './job-command.js';
import { statusOfExit, type Job, type JobResult, type LaunchContext } from './types.js';

export const LAUNCHER_LOG = 'launcher.log';

/**
 * A job that was stopped part-way (Ctrl-C, a stopped sweep, a killed sweep process) and has saved `last` continues
 * from it in its own directory when a resumed sweep runs it again, as a requeued SLURM task does; started anew it
 * would go to `<dir>_1` while sweep.json and a model-based sweep's objective read `<dir>`. A failed job starts
 * over, so a fix to its overrides applies.
 */
function continuesFromLast(dir: string): boolean {
  if (!existsSync(join(dir, 'checkpoints', 'last'))) return false;
  try {
    const status = (JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { status?: unknown }).status;
    return status === 'stopped' || status === 'running';
  } catch {
    return false;
  }
}

export function runLocalJob(job: Job, ctx: LaunchContext, extraEnv: Record<string, string> = {}): Promise<JobResult> {
  mkdirSync(job.dir, { recursive: true });
  const [cmd, ...args] = continuesFromLast(job.dir) ? resumeArgv(job.dir, ctx.runner) : jobArgv(job, ctx.runner);
  const log = createWriteStream(join(job.dir, LAUNCHER_LOG), { flags: 'a' });
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, ...ctx.env, ...jobEnv(job, ctx.sweepDir), ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    ctx.onEvent?.({ type: 'started', num: job.num, dir: job.dir, host: 'local', gpu: extraEnv.CUDA_VISIBLE_DEVICES });
    const onData = (d: Buffer) => { log.write(d); ctx.onEvent?.({ type: 'log', num: job.num, text: d.toString('utf8') }); };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    // The runner saves `last` and exits when asked through its stop-request file (polled by the training loop)
    // or by SIGTERM; we do both.
    const onAbort = () => {
      try { writeFileSync(join(job.dir, STOP_FILE), `${new Date().toISOString()} sweep stopped\n`); } catch { /* the dir may be gone */ }
      child.kill('SIGTERM');
    };
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
    let spawnError: string | undefined;
    child.on('error', (e) => { spawnError = `cannot start ${cmd}: ${e.message}`; });
    child.on('close', (code, sig) => {
      ctx.signal?.removeEventListener('abort', onAbort);
      const status = spawnError ? 'failed' : statusOfExit(code, sig);
      const tail = status === 'completed' ? undefined
        : spawnError ?? `exit ${code ?? sig}; see ${join(job.dir, LAUNCHER_LOG)}`;
      const result: JobResult = { num: job.num, dir: job.dir, status, exitCode: code, host: 'local', ...(tail ? { error: tail } : {}) };
      // Report the end only once launcher.log is complete on disk, so a reader never sees it cut short.
      log.end(() => {
        ctx.onEvent?.({ type: 'finished', result });
        resolve(result);
      });
    });
  });
}
