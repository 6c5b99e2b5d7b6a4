// The slot pool's schedule on an injected clock: staggering and slot reuse are checked against the pool's own
// start times, so the test means the same on an idle machine and on one whose cores are all busy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Clock, runPool } from '../../runner/launchers/pool.js';
import type { Job, JobResult } from '../../runner/launchers/types.js';

/** A virtual clock: sleeping advances time at once; jobs "run" until a virtual time they name. */
class VirtualClock implements Clock {
  t = 0;
  private sleepers: Array<{ at: number; wake: () => void }> = [];
  now(): number {
    return this.t;
  }
  sleepUntil(at: number): Promise<void> {
    return new Promise((wake) => {
      this.sleepers.push({ at, wake });
      // Let every other ready task run first, then jump to the earliest wake-up.
      setImmediate(() => this.advance());
    });
  }
  private advance(): void {
    if (!this.sleepers.length) return;
    this.sleepers.sort((a, b) => a.at - b.at);
    const next = this.sleepers.shift()!;
    this.t = Math.max(this.t, next.at);
    next.wake();
  }
}

const jobs = (n: number): Job[] => Array.from({ length: n }, (_, num) => ({ num, overrides: [], dir: `/runs/${num}` }));
const ok = (job: Job): JobResult => ({ num: job.num, dir: job.dir, status: 'completed', exitCode: 0 });

test('starts are staggered by staggerMs on the pool clock, whatever the jobs take', async () => {
  const clock = new VirtualClock();
  const starts: Array<[number, number]> = [];
  const results = await runPool(jobs(4), { slots: ['a', 'b', 'c', 'd'], staggerMs: 150, clock, onStart: (j, at) => starts.push([j.num, at]) },
    async (job) => ok(job));
  assert.deepEqual(starts, [[0, 0], [1, 150], [2, 300], [3, 450]]);
  assert.deepEqual(results.map((r) => r.status), ['completed', 'completed', 'completed', 'completed']);
});

test('a job waits for a free slot, and the stagger counts from the previous start, not from the slot freeing', async () => {
  const clock = new VirtualClock();
  const starts: number[] = [];
  const slotOf = new Map<number, string>();
  // Each job holds its slot for 1000 virtual ms; two slots.
  await runPool(jobs(4), { slots: ['gpu0', 'gpu1'], staggerMs: 100, clock, onStart: (_j, at) => starts.push(at) },
    async (job, slot) => {
      slotOf.set(job.num, slot);
      await clock.sleepUntil(clock.now() + 1000);
      return ok(job);
    });
  assert.deepEqual(starts, [0, 100, 1000, 1100]);
  assert.deepEqual([...slotOf.entries()].sort(), [[0, 'gpu0'], [1, 'gpu1'], [2, 'gpu0'], [3, 'gpu1']]);
});

test('no stagger: every slot starts at once; an aborted pool leaves the rest stopped and unstarted', async () => {
  const clock = new VirtualClock();
  const starts: number[] = [];
  const ctl = new AbortController();
  const results = await runPool(jobs(3), { slots: [1, 2], clock, signal: ctl.signal, onStart: (_j, at) => starts.push(at) },
    async (job) => {
      await clock.sleepUntil(clock.now() + 10);
      ctl.abort();
      return ok(job);
    });
  assert.deepEqual(starts, [0, 0]);
  assert.deepEqual(results.map((r) => r.status), ['completed', 'completed', 'stopped']);
  assert.equal(results[2]!.exitCode, null);
});
