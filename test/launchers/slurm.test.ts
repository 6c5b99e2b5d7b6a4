// The slurm launcher against a real single-node SLURM cluster (test/infra/slurm.ts, two fake GPUs): one job
// array per batch with array_parallelism, failures reported while other tasks go on, resume of only the failed
// task, hostile override values, and USR2 -> checkpoint -> requeue -> resume from the checkpoint.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMarker } from '../../runner/launchers/remote-marker.js';
import { SlurmLauncher } from '../../runner/launchers/slurm/launcher.js';
import type { Job, LaunchEvent } from '../../runner/launchers/types.js';
import { readManifest } from '../../runner/sweep/manifest.js';
import { resumeSweep, runSweep } from '../../runner/sweep/run-sweep.js';
import { run } from '../infra/common.js';
import { skipUnlessSlurm, startSlurm, type SlurmCluster } from '../infra/slurm.js';
import { sshUnavailable, startSshd, TEST_USER } from '../infra/sshd.js';
import { attachRun, stopRun } from '../../runner/launchers/attach.js';
import { HOSTILE } from './hostile.js';

const skip = skipUnlessSlurm();
const PAYLOAD = join(__dirname, 'fixtures', 'bundle', 'runner.js');
let cluster: SlurmCluster;
let ws: string;

before(async () => {
  if (skip) return;
  cluster = await startSlurm();
  // The launcher runs SLURM's client commands, which find this cluster through SLURM_CONF.
  process.env.SLURM_CONF = cluster.conf;
  ws = mkdtempSync(join(tmpdir(), 'bait-slurm-ws-'));
});
after(async () => {
  if (skip) return;
  await cluster?.stop();
  if (ws) rmSync(ws, { recursive: true, force: true });
});

const runner = () => ({ script: PAYLOAD, configName: 'exp', configDir: join(ws, 'configs') });
const makeJobs = (sweep: string, lists: string[][]): Job[] => lists.map((overrides, num) => ({ num, overrides, dir: join(ws, sweep, String(num)) }));
const runJson = (dir: string) => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));

function slurm(args: string[]): string {
  return run('timeout', ['20', ...args], { env: { ...process.env, SLURM_CONF: cluster.conf } }).stdout;
}

test('a SLURM array of 4 with array_parallelism 2 finishes; a failed task is reported while the others go on; resume reruns only it', { skip }, async () => {
  const sweepDir = join(ws, 'array');
  const lists = [0, 1, 2, 3].map((i) => [`lr=${i}`, `note=${HOSTILE[i]}`, `all=${HOSTILE.join('|')}`, 'payload.steps=5', 'payload.step_ms=200',
    ...(i === 1 ? ['payload.fail=true'] : [])]);
  const js = makeJobs('array', lists);
  let throttle = '';
  const finished: string[] = [];
  const events: LaunchEvent[] = [];
  const summary = await runSweep({
    sweepDir, jobs: js, runner: runner(),
    launcher: new SlurmLauncher({ array_parallelism: 2, gpus_per_node: 1, poll_interval_s: 0.5, timeout_min: 5 }),
    onEvent: (e) => {
      events.push(e);
      if (e.type === 'started' && !throttle) {
        const m = readMarker(e.dir);
        if (m?.kind === 'slurm') throttle = /ArrayTaskThrottle=(\d+)/.exec(slurm(['scontrol', 'show', 'job', m.job_id]))?.[1] ?? '';
      }
      if (e.type === 'finished') {
        finished.push(`${e.result.num}:${e.result.status}`);
        if (e.result.num === 1) assert.equal(readManifest(sweepDir).jobs[1]!.status, 'failed', 'the failure is in sweep.json as soon as it is reported');
      }
    },
  });
  assert.equal(throttle, '2', 'one array, at most 2 tasks at once');
  assert.deepEqual(summary.completed.sort(), [0, 2, 3]);
  assert.deepEqual(summary.failed.map((f) => f.num), [1]);
  assert.match(summary.failed[0]!.error!, /exit 3 in SLURM task \d+_1/);
  assert.ok(finished.indexOf('1:failed') < finished.length - 1, 'the failure was reported before the last task finished');

  const runs = js.map((j) => runJson(j.dir));
  // Never more than two tasks running at the same moment.
  for (const r of runs) {
    const overlapping = runs.filter((o) => o.started_at < r.ended_at && r.started_at < o.ended_at);
    assert.ok(overlapping.length <= 2, `${overlapping.length} tasks overlapped`);
  }
  for (const [i, r] of runs.entries()) {
    assert.deepEqual(r.argv.slice(4), [...lists[i]!, `hydra.job.num=${i}`], 'overrides reach the task unchanged');
    assert.match(r.env.CUDA_VISIBLE_DEVICES, /^[01]$/, 'one fake GPU per task');
    assert.equal(r.env.SLURM_ARRAY_TASK_ID, String(i));
  }
  assert.ok(!existsSync('/tmp/bait-pwned'));
  const logs = readdirSync(join(sweepDir, '.submitit')).filter((f) => f.endsWith('_log.out'));
  assert.equal(logs.length, 4, `logs under .submitit: ${logs}`);
  assert.ok(events.some((e) => e.type === 'log' && e.num === 2 && /step 5\/5/.test(e.text)), 'logs stream while tasks run');

  // Resume: only job 1 runs again (fixed by the user), as a new one-task array, in its original directory.
  const m = readManifest(sweepDir);
  const before = runJson(js[0]!.dir);
  m.jobs[1]!.overrides = m.jobs[1]!.overrides.filter((o) => o !== 'payload.fail=true');
  writeFileSync(join(sweepDir, 'sweep.json'), JSON.stringify(m));
  const resumed = await resumeSweep({ sweepDir, runner: runner(), launcher: new SlurmLauncher({ poll_interval_s: 0.5 }) });
  assert.deepEqual(resumed.results.map((r) => [r.num, r.status, r.dir]), [[1, 'completed', js[1]!.dir]]);
  assert.deepEqual(runJson(js[0]!.dir), before, 'completed jobs did not run again');
  assert.equal(runJson(js[1]!.dir).argv.at(-1), 'hydra.job.num=1');
  assert.deepEqual(readManifest(sweepDir).jobs.map((j) => j.status), ['completed', 'completed', 'completed', 'completed']);
});

/** Sends USR2 to the batch shell of the task running `jobDir` once it has logged `afterStep` steps. */
function usr2After(jobDir: string, afterStep: number): (e: LaunchEvent) => void {
  let sent = false;
  let seen = '';
  return (e) => {
    if (e.type !== 'log' || sent) return;
    seen += e.text;
    const steps = [...seen.matchAll(/step (\d+)\//g)].map((m) => Number(m[1]));
    if (!steps.length || Math.max(...steps) < afterStep) return;
    sent = true;
    const marker = readMarker(jobDir)!;
    if (marker.kind !== 'slurm') return;
    // scancel -b signals only the batch shell, as SLURM does at `--signal=B:USR2@N` before the time limit.
    spawn('timeout', ['20', 'scancel', '-s', 'USR2', '-b', `${marker.job_id}_${marker.task}`], { stdio: 'ignore', env: { ...process.env, SLURM_CONF: cluster.conf } });
  };
}

test('USR2 before the time limit: the job checkpoints, requeues itself and finishes from its checkpoint', { skip }, async () => {
  const js = makeJobs('requeue', [['payload.steps=30', 'payload.step_ms=100']]);
  const summary = await runSweep({
    sweepDir: join(ws, 'requeue'), jobs: js, runner: runner(),
    launcher: new SlurmLauncher({ poll_interval_s: 0.5, max_num_timeout: 2, signal_delay_s: 60 }), onEvent: usr2After(js[0]!.dir, 5),
  });
  assert.deepEqual(summary.completed, [0]);
  const r = runJson(js[0]!.dir);
  assert.equal(r.status, 'completed');
  assert.equal(r.step, 30);
  assert.equal(r.attempts.length, 2, 'one requeue');
  assert.ok(r.attempts[1].resumed_from >= 5, `resumed from the checkpoint (step ${r.attempts[1].resumed_from}), not from scratch`);
  assert.deepEqual(r.attempts[1].argv, ['resume', js[0]!.dir]);
  assert.equal(r.env.SLURM_RESTART_COUNT, '1');
  assert.match(readFileSync(join(js[0]!.dir, 'launcher.log'), 'utf8'), /USR2[\s\S]*requeueing \(restart 1 of 2\)[\s\S]*resuming from/);
});

test('with max_num_timeout 0 a USR2 saves last and the job ends as stopped (resumable), not requeued', { skip }, async () => {
  const js = makeJobs('norequeue', [['payload.steps=200', 'payload.step_ms=100']]);
  const summary = await runSweep({
    sweepDir: join(ws, 'norequeue'), jobs: js, runner: runner(),
    launcher: new SlurmLauncher({ poll_interval_s: 0.5 }), onEvent: usr2After(js[0]!.dir, 3),
  });
  assert.deepEqual(summary.stopped, [0]);
  assert.equal(summary.results[0]!.exitCode, 130);
  assert.ok(existsSync(join(js[0]!.dir, 'checkpoints', 'last', 'state.json')));
  assert.equal(readManifest(join(ws, 'norequeue')).jobs[0]!.status, 'stopped');
  assert.match(readFileSync(join(js[0]!.dir, 'launcher.log'), 'utf8'), /not requeued: max_num_timeout \(0\) reached/);
});

test('submitting through an SSH login host: the job runs as the remote user and its run directory comes back', { skip: skip || (sshUnavailable() ?? false) }, async (t) => {
  // The login host is the loopback sshd as the unprivileged test user; its sessions find the cluster via SLURM_CONF.
  const sshd = await startSshd({ addresses: ['127.0.0.1'], env: { SLURM_CONF: cluster.conf } });
  t.after(() => sshd.stop());
  const h = sshd.hosts[0]!;
  const local = join(ws, 'login-ws');
  mkdirSync(join(local, 'configs'), { recursive: true });
  writeFileSync(join(local, 'configs', 'exp.yaml'), 'lr: 0.1\n');
  const js: Job[] = [0, 1].map((num) => ({ num, overrides: [`note=${HOSTILE[num]}`, 'payload.steps=3'], dir: join(local, 'multirun', String(num)) }));
  const summary = await runSweep({
    sweepDir: join(local, 'multirun'), jobs: js,
    runner: { script: PAYLOAD, configName: 'exp', configDir: join(local, 'configs') },
    launcher: new SlurmLauncher({ poll_interval_s: 0.5, workspace: local, login_host: {
      name: 'login', host: h.address, port: h.port, user: h.user, identity_file: h.identityFile, known_hosts: h.knownHostsFile, work_dir: h.workDir,
    } }),
  });
  assert.deepEqual(summary.completed.sort(), [0, 1]);
  for (const j of js) {
    const r = runJson(j.dir);
    assert.equal(r.status, 'completed');
    assert.equal(r.env.SLURM_JOB_USER, TEST_USER);
    assert.deepEqual(r.argv.slice(4), [...j.overrides, `hydra.job.num=${j.num}`]);
    assert.ok(r.env.BAIT_JOB_DIR.startsWith(h.workDir), 'the job ran in the login host\'s copy of the workspace');
  }
  // attach on a finished login-host task reads its exit code over SSH.
  const again = await attachRun(js[1]!.dir, { pollMs: 200 });
  assert.equal(again.status, 'completed');
});

test('bait stop on a SLURM task: scancel reaches the runner through the batch script, which saves last', { skip }, async () => {
  const js = makeJobs('slurm-stop', [['payload.steps=600', 'payload.step_ms=100']]);
  let stopping: Promise<void> | null = null;
  const summary = await runSweep({
    sweepDir: join(ws, 'slurm-stop'), jobs: js, runner: runner(), launcher: new SlurmLauncher({ poll_interval_s: 0.5 }),
    onEvent: (e) => { if (e.type === 'log' && /step 3\//.test(e.text) && !stopping) stopping = stopRun(js[0]!.dir); },
  });
  await stopping;
  assert.deepEqual(summary.stopped, [0], JSON.stringify(summary.results));
  assert.ok(existsSync(join(js[0]!.dir, 'checkpoints', 'last', 'state.json')), 'last was saved');
  assert.equal(runJson(js[0]!.dir).status, 'stopped');
});
