// Local launchers and sweep orchestration against real processes (the payload runner in fixtures/bundle):
// parallel jobs with one GPU each, staggered starts, live failure reporting, fail_fast, sweep.json and resume.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BasicLauncher } from '../../runner/launchers/basic.js';
import { gpuList, LocalLauncher } from '../../runner/launchers/local.js';
import { createLauncher } from '../../runner/launchers/index.js';
import type { Job, LaunchEvent } from '../../runner/launchers/types.js';
import { readManifest } from '../../runner/sweep/manifest.js';
import { resumeSweep, runSweep, SweepValidationError } from '../../runner/sweep/run-sweep.js';

const PAYLOAD = join(__dirname, 'fixtures', 'bundle', 'runner.js');

function workspace(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'bait-local-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const runner = (ws: string) => ({ script: PAYLOAD, configName: 'exp', configDir: join(ws, 'configs') });
const jobs = (ws: string, lists: string[][]): Job[] => lists.map((overrides, num) => ({ num, overrides, dir: join(ws, 'multirun', String(num)) }));
const runJson = (dir: string) => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));

test('local launcher: n_jobs in parallel, one GPU per job, staggered starts; job identity reaches the runner', async (t) => {
  const ws = workspace(t);
  const js = jobs(ws, [0, 1, 2, 3].map((i) => [`x=${i}`, 'payload.steps=4', 'payload.step_ms=100']));
  const events: LaunchEvent[] = [];
  const startTimes: number[] = [];
  const launcher = new LocalLauncher({ gpus: [0, 1], stagger_s: 0.15 }, { onStart: (_job, at) => startTimes.push(at) });
  const results = await launcher.launch(js, { runner: runner(ws), sweepDir: join(ws, 'multirun'), onEvent: (e) => events.push(e) });
  assert.deepEqual(results.map((r) => r.status), ['completed', 'completed', 'completed', 'completed']);
  const runs = js.map((j) => runJson(j.dir));
  // Each job got one of the two GPUs, and no GPU was used by two jobs at the same time.
  for (const r of runs) assert.ok(['0', '1'].includes(r.env.CUDA_VISIBLE_DEVICES));
  for (let a = 0; a < runs.length; a++) {
    for (let b = a + 1; b < runs.length; b++) {
      if (runs[a].env.CUDA_VISIBLE_DEVICES !== runs[b].env.CUDA_VISIBLE_DEVICES) continue;
      const overlap = runs[a].started_at < runs[b].ended_at && runs[b].started_at < runs[a].ended_at;
      assert.ok(!overlap, `jobs ${a} and ${b} shared GPU ${runs[a].env.CUDA_VISIBLE_DEVICES}`);
    }
  }
  // Starts are staggered by the launcher's own start times (never by when an event arrived: on a loaded machine
  // the spawns and their events are late by any amount); pool.test.ts checks the schedule on an injected clock.
  assert.equal(startTimes.length, 4);
  for (let i = 1; i < startTimes.length; i++) assert.ok(startTimes[i]! - startTimes[i - 1]! >= 150, `starts not staggered: ${startTimes}`);
  assert.equal(runs[2].argv.at(-1), 'hydra.job.num=2');
  assert.deepEqual(runs[2].sweep, { dir: join(ws, 'multirun'), job_num: 2 });
  assert.equal(runs[3].env.BAIT_JOB_DIR, js[3]!.dir);
  // Output streams as it comes (chunks may split lines, so join them per job).
  assert.match(events.map((e) => (e.type === 'log' && e.num === 1 ? e.text : '')).join(''), /step 4\/4/);
  assert.match(readFileSync(join(js[0]!.dir, 'launcher.log'), 'utf8'), /done after 4 steps/);
});

test('sweep: a failed job is reported as it happens while the others finish; resume reruns only it, same num and dir', async (t) => {
  const ws = workspace(t);
  const sweepDir = join(ws, 'multirun');
  const js = jobs(ws, [['lr=0.1', 'payload.step_ms=30'], ['lr=0.01', 'payload.fail=true'], ['lr=0.001', 'payload.steps=40', 'payload.step_ms=50']]);
  const order: string[] = [];
  const summary = await runSweep({
    sweepDir, jobs: js, launcher: new LocalLauncher({ n_jobs: 3, gpus: false }), runner: runner(ws),
    onEvent: (e) => {
      if (e.type !== 'finished') return;
      order.push(`${e.result.num}:${e.result.status}`);
      // Live: when job 1's failure is reported, sweep.json already says so and job 2 is still running.
      if (e.result.num === 1) {
        const m = readManifest(sweepDir);
        assert.equal(m.jobs[1]!.status, 'failed');
        assert.equal(m.jobs[2]!.status, 'running');
      }
    },
  });
  assert.deepEqual(summary.completed.sort(), [0, 2]);
  assert.deepEqual(summary.failed.map((f) => f.num), [1]);
  assert.match(summary.failed[0]!.error!, /exit 3/);
  assert.ok(order.indexOf('1:failed') < order.indexOf('2:completed'));
  const m = readManifest(sweepDir);
  assert.deepEqual(m.jobs.map((j) => [j.num, j.status, j.dir]), [[0, 'completed', '0'], [1, 'failed', '1'], [2, 'completed', '2']]);
  assert.ok(existsSync(join(sweepDir, 'multirun.yaml')));

  // Make job 1 succeed this time (the fix a user would make), then resume: only job 1 runs, in its old dir.
  const before0 = readFileSync(join(js[0]!.dir, 'run.json'), 'utf8');
  m.jobs[1]!.overrides = ['lr=0.01'];
  writeFileSync(join(sweepDir, 'sweep.json'), JSON.stringify(m));
  const resumed = await resumeSweep({ sweepDir, launcher: new BasicLauncher(), runner: runner(ws) });
  assert.deepEqual(resumed.results.map((r) => [r.num, r.status, r.dir]), [[1, 'completed', js[1]!.dir]]);
  assert.equal(readFileSync(join(js[0]!.dir, 'run.json'), 'utf8'), before0, 'a completed job must not run again');
  assert.equal(runJson(js[1]!.dir).argv.at(-1), 'hydra.job.num=1');
  const after = readManifest(sweepDir);
  assert.deepEqual(after.jobs.map((j) => j.status), ['completed', 'completed', 'completed']);
  assert.equal(after.jobs[1]!.runs, 2);
});

test('fail_fast stops the sweep at the first failure: running jobs save last (stopped), unstarted stay pending', async (t) => {
  const ws = workspace(t);
  const sweepDir = join(ws, 'multirun');
  // The failing job fails only once job 1 can save `last` (its `ready` marker): on a loaded machine job 1 may
  // otherwise still be starting when the stop reaches it.
  const js = jobs(ws, [['payload.fail=true', 'payload.steps=1', `payload.wait_for=${join(ws, 'multirun', '1', 'ready')}`],
    ['payload.steps=200', 'payload.step_ms=50'], ['a=1'], ['a=2']]);
  // fail_fast comes from the launcher node (hydra.launcher.fail_fast), as the CLI builds it.
  const launcher = createLauncher({ _target_: 'bait.launchers.LocalLauncher', n_jobs: 2, gpus: false, fail_fast: true });
  const summary = await runSweep({ sweepDir, jobs: js, launcher, runner: runner(ws) });
  assert.deepEqual(summary.results.map((r) => r.status), ['failed', 'stopped', 'stopped', 'stopped']);
  const m = readManifest(sweepDir);
  assert.deepEqual(m.jobs.map((j) => j.status), ['failed', 'stopped', 'pending', 'pending']);
  assert.ok(existsSync(join(js[1]!.dir, 'checkpoints', 'last', 'state.json')), 'the stopped job saved last');
  assert.ok(!existsSync(js[2]!.dir), 'an unstarted job never ran');
});

test('batches (hydra.sweeper.max_batch_size) go to the launcher one after another', async (t) => {
  const ws = workspace(t);
  const calls: number[][] = [];
  const inner = new LocalLauncher({ n_jobs: 4, gpus: false });
  const launcher = { name: 'local', launch: (js: Job[], ctx: Parameters<typeof inner.launch>[1]) => { calls.push(js.map((j) => j.num)); return inner.launch(js, ctx); } };
  const summary = await runSweep({ sweepDir: join(ws, 'b'), jobs: jobs(ws, [['a=0'], ['a=1'], ['a=2'], ['a=3'], ['a=4']]), launcher, runner: runner(ws), batchSize: 2 });
  assert.deepEqual(calls, [[0, 1], [2, 3], [4]]);
  assert.deepEqual(summary.completed, [0, 1, 2, 3, 4]);
});

test('every job is validated before any starts; one invalid job stops the whole sweep before it begins', async (t) => {
  const ws = workspace(t);
  const js = jobs(ws, [['a=1'], ['a=oops'], ['a=3']]);
  await assert.rejects(runSweep({
    sweepDir: join(ws, 'multirun'), jobs: js, launcher: new BasicLauncher(), runner: runner(ws),
    validate: (j) => (j.overrides[0] === 'a=oops' ? "override #0 'a=oops': a must be an int" : null),
  }), (e: unknown) => e instanceof SweepValidationError && e.problems.length === 1 && e.problems[0]!.num === 1 && /job #1/.test(e.message));
  assert.ok(!existsSync(js[0]!.dir));
});

test('GPUs: explicit lists and counts, CUDA_VISIBLE_DEVICES when not given, none when turned off', () => {
  assert.deepEqual(gpuList([2, 3]), ['2', '3']);
  assert.deepEqual(gpuList(2), ['0', '1']);
  assert.deepEqual(gpuList(false), []);
  assert.deepEqual(gpuList(null, { CUDA_VISIBLE_DEVICES: '4, 5' }), ['4', '5']);
  assert.deepEqual(gpuList(undefined, { CUDA_VISIBLE_DEVICES: '' }), []);
});

test('createLauncher reads hydra.launcher nodes, Hydra targets included, and names the options on a typo', () => {
  assert.equal(createLauncher(null).name, 'basic');
  assert.equal(createLauncher({ _target_: 'hydra._internal.core_plugins.basic_launcher.BasicLauncher' }).name, 'basic');
  assert.equal(createLauncher({ _target_: 'hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher', n_jobs: 2 }).name, 'local');
  assert.equal(createLauncher({ _target_: 'bait.launchers.SlurmLauncher', timeout_min: 5 }).name, 'slurm');
  assert.equal(createLauncher({ _target_: 'bait.launchers.SSHLauncher', hosts: [] }, { hosts: [{ host: 'h', work_dir: '~/w' }] }).name, 'ssh');
  assert.throws(() => createLauncher({ _target_: 'bait.launchers.SSHLauncher', hosts: [] }), /no hosts configured/);
  const ff = createLauncher({ _target_: 'bait.launchers.LocalLauncher', n_jobs: 2, fail_fast: true });
  assert.equal(ff.failFast, true);
  assert.equal(createLauncher({ _target_: 'bait.launchers.LocalLauncher' }).failFast, undefined);
  assert.throws(() => createLauncher({ _target_: 'bait.launchers.Nope' }), /unknown launcher 'bait.launchers.Nope'.*basic, local, ssh or slurm/s);
});

test('a corrupt sweep.json gives a clear error, not a stack trace', (t) => {
  const ws = workspace(t);
  mkdirSync(join(ws, 's'));
  writeFileSync(join(ws, 's', 'sweep.json'), '{"jobs": [');
  assert.throws(() => readManifest(join(ws, 's')), /sweep\.json: not valid JSON/);
  assert.throws(() => readManifest(join(ws, 'missing')), /not a BAIT sweep directory/);
});
