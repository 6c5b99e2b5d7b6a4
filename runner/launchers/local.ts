// Parallel local launcher (the analogue of Hydra's joblib launcher): up to `n_jobs` processes at once, one GPU
// per job through CUDA_VISIBLE_DEVICES when GPUs are listed, and staggered starts.
import { availableParallelism } from 'node:os';
import { runLocalJob } from './local-process.js';
import { runPool } from './pool.js';
import type { Job, JobResult, LaunchContext, Launcher } from './types.js';

export interface LocalLauncherConfig {
  /** Parallel jobs; -1 or absent = one per GPU when GPUs are given, else one per CPU core. */
  n_jobs?: number;
  /** GPU ids to hand out, one per running job (e.g. [0, 1]); a number n means 0..n-1. Absent: no GPU pinning. */
  gpus?: Array<number | string> | number | null;
  /** Seconds between two job starts. */
  stagger_s?: number;
}

export function gpuList(gpus: LocalLauncherConfig['gpus']): string[] {
  if (gpus === undefined || gpus === null) return [];
  if (typeof gpus === 'number') return Array.from({ length: gpus }, (_, i) => String(i));
  return gpus.map(String);
}

export class LocalLauncher implements Launcher {
  readonly name = 'local';
  constructor(private readonly cfg: LocalLauncherConfig = {}) {}

  launch(jobs: Job[], ctx: LaunchContext): Promise<JobResult[]> {
    const gpus = gpuList(this.cfg.gpus);
    const requested = this.cfg.n_jobs && this.cfg.n_jobs > 0 ? this.cfg.n_jobs : gpus.length || availableParallelism();
    // One GPU per job: with GPUs listed, no more jobs run at once than there are GPUs.
    const n = gpus.length ? Math.min(requested, gpus.length) : requested;
    const slots: Array<string | null> = gpus.length ? gpus.slice(0, n) : Array.from({ length: n }, () => null);
    return runPool(jobs, { slots, staggerMs: (this.cfg.stagger_s ?? 0) * 1000, signal: ctx.signal },
      (job, gpu) => runLocalJob(job, ctx, gpu === null ? {} : { CUDA_VISIBLE_DEVICES: gpu }));
  }
}
