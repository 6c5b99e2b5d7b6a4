// Parallel local launcher (the analogue of Hydra's joblib launcher): up to `n_jobs` processes at once, one GPU
// per job through CUDA_VISIBLE_DEVICES when GPUs are listed, and staggered starts.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { runLocalJob } from './local-process.js';
import { type Clock, runPool } from './pool.js';
import type { Job, JobResult, LaunchContext, Launcher } from './types.js';

export interface LocalLauncherConfig {
  /** Parallel jobs; -1 or absent = one per GPU when GPUs are given, else one per CPU core. */
  n_jobs?: number;
  /**
   * GPU ids to hand out, one per running job (e.g. [0, 1]); a number n means 0..n-1; [] or false: no pinning.
   * null or absent: the GPUs this process may use (CUDA_VISIBLE_DEVICES, else those nvidia-smi lists), if any.
   */
  gpus?: Array<number | string> | number | false | null;
  /** Seconds between two job starts. */
  stagger_s?: number;
}

/** The GPUs visible to this process: CUDA_VISIBLE_DEVICES when set, else nvidia-smi's list, else none. */
export function detectGpus(env: NodeJS.ProcessEnv = process.env): string[] {
  const visible = env.CUDA_VISIBLE_DEVICES;
  if (visible !== undefined) return visible.split(',').map((s) => s.trim()).filter((s) => s !== '' && s !== '-1' && s !== 'NoDevFiles');
  const r = spawnSync('nvidia-smi', ['--query-gpu=index', '--format=csv,noheader'], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? r.stdout.split('\n').map((s) => s.trim()).filter(Boolean) : [];
}

export function gpuList(gpus: LocalLauncherConfig['gpus'], env: NodeJS.ProcessEnv = process.env): string[] {
  if (gpus === undefined || gpus === null) return detectGpus(env);
  if (gpus === false) return [];
  if (typeof gpus === 'number') return Array.from({ length: gpus }, (_, i) => String(i));
  return gpus.map(String);
}

export class LocalLauncher implements Launcher {
  readonly name = 'local';
  /** `clock` and `onStart` let tests check staggering against the launcher's own start times. */
  constructor(private readonly cfg: LocalLauncherConfig = {}, private readonly timing: { clock?: Clock; onStart?: (job: Job, at: number) => void } = {}) {}

  launch(jobs: Job[], ctx: LaunchContext): Promise<JobResult[]> {
    const gpus = gpuList(this.cfg.gpus);
    const requested = this.cfg.n_jobs && this.cfg.n_jobs > 0 ? this.cfg.n_jobs : gpus.length || availableParallelism();
    // One GPU per job: with GPUs listed, no more jobs run at once than there are GPUs.
    const n = gpus.length ? Math.min(requested, gpus.length) : requested;
    const slots: Array<string | null> = gpus.length ? gpus.slice(0, n) : Array.from({ length: n }, () => null);
    return runPool(jobs, { slots, staggerMs: (this.cfg.stagger_s ?? 0) * 1000, signal: ctx.signal, ...this.timing },
      (job, gpu) => runLocalJob(job, ctx, gpu === null ? {} : { CUDA_VISIBLE_DEVICES: gpu }));
  }
}
