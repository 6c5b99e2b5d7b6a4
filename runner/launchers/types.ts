// The launcher contract (Hydra's `hydra/launcher`): a batch of jobs in, one result per job out. A job is an
// already-expanded override list with its number and run directory; each job runs as its own `bait run` process.

/** One sweep job. `dir` is its run directory on this machine (remote launchers bring it back here). */
export interface Job {
  num: number;
  overrides: string[];
  dir: string;
}

export type JobStatus = 'pending' | 'running' | 'completed' | 'failed' | 'stopped';

export interface JobResult {
  num: number;
  dir: string;
  status: 'completed' | 'failed' | 'stopped';
  /** The process's exit code when known (130 = interrupted after saving `last`). */
  exitCode: number | null;
  /** One line saying what went wrong, for failed and stopped jobs. */
  error?: string;
  /** Where it ran: `local`, an SSH host name, or `slurm:<job id>`. */
  host?: string;
}

export type LaunchEvent =
  | { type: 'started'; num: number; dir: string; host: string; gpu?: string }
  | { type: 'log'; num: number; text: string }
  | { type: 'finished'; result: JobResult };

/**
 * How a job becomes a process. `script` is the runner bundle (dist/runner.js); the argv of a job is
 * `node <script> run <configName> --config-dir <configDir> <overrides...> hydra.job.num=<num>`, and its
 * environment carries BAIT_SWEEP_DIR, BAIT_JOB_NUM and BAIT_JOB_DIR (see job-command.ts).
 */
export interface RunnerInvocation {
  script: string;
  configName: string;
  configDir: string;
  /** Extra CLI arguments placed before the overrides (e.g. `--verbose`). */
  extraArgs?: string[];
  /** The `node` executable (default: this process's). */
  node?: string;
}

export interface LaunchContext {
  runner: RunnerInvocation;
  sweepDir: string;
  /** Extra environment for every job. */
  env?: Record<string, string>;
  /** Aborting stops running jobs (SIGTERM: they save `last`) and starts no more; used for fail_fast and Ctrl-C. */
  signal?: AbortSignal;
  onEvent?: (e: LaunchEvent) => void;
}

export interface Launcher {
  readonly name: string;
  /** `hydra.launcher.fail_fast`: stop the sweep at the first failed job (runSweep's default for failFast). */
  readonly failFast?: boolean;
  launch(jobs: Job[], ctx: LaunchContext): Promise<JobResult[]>;
}

/** Exit code -> job status: 0 completed; 130 or 143 (SIGINT/SIGTERM after saving `last`) stopped; else failed. */
export function statusOfExit(code: number | null, signal: string | null = null): JobResult['status'] {
  if (code === 0) return 'completed';
  if (code === 130 || code === 143 || signal === 'SIGTERM' || signal === 'SIGINT') return 'stopped';
  return 'failed';
}
