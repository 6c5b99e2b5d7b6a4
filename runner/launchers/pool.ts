// Runs jobs over a fixed set of slots (a local GPU, one of n_jobs process slots, or a GPU on an SSH host): each
// job takes a free slot, and the next job starts when one frees up. Starts can be staggered so that many jobs do
// not load data and compile kernels at the same instant. Aborting starts no new jobs; unstarted jobs are
// returned as `stopped` with no exit code, so a resumed sweep runs them.
import type { Job, JobResult } from './types.js';
import { LauncherError } from './errors.js';

/** Time as the pool sees it; injected by tests so that staggering is checked without a wall clock. */
export interface Clock {
  now(): number;
  /** Resolves once `now()` has reached `at` (never earlier: a timer may fire a millisecond early). */
  sleepUntil(at: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  async sleepUntil(at) {
    while (Date.now() < at) await new Promise((r) => setTimeout(r, at - Date.now()));
  },
};

export interface PoolOptions<S> {
  slots: S[];
  /** Minimum time between two job starts, in ms. */
  staggerMs?: number;
  signal?: AbortSignal;
  clock?: Clock;
  /** Called as each job starts, with the pool's clock time of the start (the staggering is by these times). */
  onStart?: (job: Job, at: number) => void;
}

export async function runPool<S>(jobs: Job[], opts: PoolOptions<S>, runOne: (job: Job, slot: S) => Promise<JobResult>): Promise<JobResult[]> {
  if (opts.slots.length === 0) throw new LauncherError('the launcher has no slots to run jobs on (n_jobs, gpus or hosts is empty)');
  const clock = opts.clock ?? systemClock;
  const results = new Map<number, JobResult>();
  const free = [...opts.slots];
  const queue = [...jobs];
  let lastStart: number | undefined;
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
      if (lastStart !== undefined && opts.staggerMs) await clock.sleepUntil(lastStart + opts.staggerMs);
      if (opts.signal?.aborted) break;
      const job = queue.shift()!;
      const slot = free.shift()!;
      lastStart = clock.now();
      opts.onStart?.(job, lastStart);
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
