// Turns a job into the argv and environment of its `bait run` process. The same argv is used locally (spawned
// from an array, no shell), over SSH (quoted with shQuote) and in SLURM task files (NUL-separated, read with
// `mapfile -d ''`), so user values reach the runner unchanged on every launcher.
//
// What the runner receives, besides the job's own overrides:
//   hydra.job.num=<num>            the job number, as Hydra passes it to each job of a multirun
//   BAIT_SWEEP_DIR=<sweep dir>     recorded by the runner in run.json as sweep.dir (relative to the job dir
//                                  for remote launchers, whose run dirs come back to this machine)
//   BAIT_JOB_NUM=<num>             recorded as sweep.job_num
//   BAIT_JOB_DIR=<job dir>         the run directory to use instead of exp_config.directory / hydra.run.dir
// Paths travel in the environment rather than as `hydra.*=` overrides so that paths with spaces, quotes or `=`
// never have to pass through the override grammar.
import { posix } from 'node:path';
import type { Job, RunnerInvocation } from './types.js';

export function jobArgv(job: Pick<Job, 'num' | 'overrides'>, r: RunnerInvocation): string[] {
  return [r.node ?? process.execPath, r.script, 'run', r.configName, '--config-dir', r.configDir, ...(r.extraArgs ?? []),
    ...job.overrides, `hydra.job.num=${job.num}`];
}

/** `bait resume <dir>`: what a requeued SLURM task runs once the job has a `last` checkpoint. */
export function resumeArgv(jobDir: string, r: RunnerInvocation): string[] {
  return [r.node ?? process.execPath, r.script, 'resume', jobDir, ...(r.extraArgs ?? [])];
}

/**
 * With `portable`, BAIT_SWEEP_DIR is given relative to the job's directory (usually `..`): remote launchers use
 * it, because the run directory comes back to another machine, where the remote path would mean nothing.
 */
export function jobEnv(job: Pick<Job, 'num' | 'dir'>, sweepDir: string, portable = false): Record<string, string> {
  const sweep = portable ? posix.relative(job.dir, sweepDir) || '.' : sweepDir;
  return { BAIT_SWEEP_DIR: sweep, BAIT_JOB_NUM: String(job.num), BAIT_JOB_DIR: job.dir };
}
