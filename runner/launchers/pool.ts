// Runs jobs over a fixed set of slots (a local GPU, one of n_jobs process slots, or a GPU on an SSH host): each
// job takes a free slot, and the next job starts when one frees up. Starts can be staggered so that many jobs do
// not load data and compile kernels at the same instant. Aborting starts no new jobs; unstarted jobs are
// returned as `stopped` with no exit code, so a resumed sweep runs them.
import type { Job, JobResult } from './types.js';
import { LauncherError } from './errors.js';

export interface PoolOptions<S> {
  slots: S[];
  /** Minimum time between two job starts, in ms. */
  staggerMs?: number;
  signal?: AbortSignal;
}

export async function runPool<S>(jobs: Job[], opts: PoolOptions<S>, runOne: (job: Job, slot: S) => Promise<JobResult>): Promise<JobResult[]> {
  if (opts.slots.length === 0) throw new LauncherError('the launcher has no slots to run jobs on (n_jobs, gpus or hosts is empty)');
  const results = new Map<number, JobResult>();
  const free = [...opts.slots];
  const queue = [...jobs];
  let lastStart = 0;
  const running = new Set<Promise<void>>();
  let wake: (() => void) | null = null;
  const onAbort = () => wake?.();
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    while (queue.length && !opts.signal?.aborted) {
      if (!free.length) {
        await new Promise<void>((r) => { wake = r; });
        wake = null;
        continue;
      }
      const wait = lastStart + (opts.staggerMs ?? 0) - Date.now();
      if (lastStart && wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (opts.signal?.aborted) break;
      const job = queue.shift()!;
      const slot = free.shift()!;
      lastStart = Date.now();
      const p: Promise<void> = runOne(job, slot)
        .catch((e: unknown): JobResult => ({ num: job.num, dir: job.dir, status: 'failed', exitCode: null, error: (e as Error).message ?? String(e) }))
        .then((r) => { results.set(job.num, r); free.push(slot); running.delete(p); wake?.(); });
      running.add(p);
    }
    await Promise.all(running);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  for (const job of queue) results.set(job.num, { num: job.num, dir: job.dir, status: 'stopped', exitCode: null, error: 'not started: the sweep was stopped' });
  return jobs.map((j) => results.get(j.num)!);
}
