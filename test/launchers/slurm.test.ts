// The slurm launcher against a real single-node SLURM cluster (test/infra/slurm.ts, two fake GPUs): one job
// array per batch with array_parallelism, failures reported while other tasks go on, resume of only the failed
// task, hostile override values, and USR2 -> checkpoint -> requeue -> resume from the checkpoint.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMarker } from '../../runner/launchers/remote-marker.js';
import { SlurmLauncher } from '../../runner/launchers/slurm/launcher.js';
import type { Job, LaunchEvent } from '../../runner/launchers/types.js';
import { readManifest } from '../../runner/sweep/manifest.js';
import { resumeSweep, runSweep } from '../../runner/sweep/run-sweep.js';
import { run, waitFor } from '../infra/common.js';
import { skipUnlessSlurm, startSlurm, type SlurmCluster } from '../infra/slurm.js';
import { sshUnavailable, startSshd, TEST_USER } from '../infra/sshd.js';
import { attachRun, stopRun } from '../../runner/launchers/attach.js';
import { HOSTILE } from './hostile.js';

const skip = skipUnlessSlurm();
const PAYLOAD = join(__dirname, 'fixtures', 'bundle', 'runner.js');
const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'runner.js');
const QUICK = ['+trainer.limit_train_batches=4', '+trainer.limit_val_batches=2', 'trainer.enable_progress_bar=false'];

/** A user's workspace with the shipped configs and data. */
function realWorkspace(name: string): string {
  const dir = join(ws, name);
  cpSync(join(ROOT, 'configs'), join(dir, 'configs'), { recursive: true });
  cpSync(join(ROOT, 'data'), join(dir, 'data'), { recursive: true });
  return dir;
}

function sweepDirOf(wsDir: string): string {
  const root = join(wsDir, 'multirun');
  const day = readdirSync(root)[0]!;
  return join(root, day, readdirSync(join(root, day))[0]!);
}

function bait(cwd: string, args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 300_000, env: { ...process.env, SLURM_CONF: cluster.conf } });
}

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
  assert.match(events.map((e) => (e.type === 'log' && e.num === 2 ? e.text : '')).join(''), /step 5\/5/, 'logs stream while tasks run');

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

test('bait run -m on SLURM: real training as one array of 4 with array_parallelism 2; failures reported as they happen; bait resume reruns only them', { skip }, () => {
  const dir = realWorkspace('real-array');
  // Jobs 2 and 3 read a data folder that does not exist yet: they fail while 0 and 1 train.
  const r = bait(dir, ['run', 'premise_selection/mizar40/bag_of_words', '-m', 'trainer.max_epochs=1', ...QUICK, 'data_config.data_options.dir=data/mizar40-m2k,data/later',
    'model.lr=0.001,0.002', 'hydra/launcher=slurm', 'hydra.launcher.array_parallelism=2', 'hydra.launcher.timeout_min=5', '+hydra.launcher.poll_interval_s=0.5']);
  assert.equal(r.status, 3, r.stderr + r.stdout);
  assert.match(r.stderr, /job #2 failed: exit 1 in SLURM task \d+_2/);
  const sweepDir = sweepDirOf(dir);
  const before = readManifest(sweepDir);
  assert.deepEqual(before.jobs.map((j) => j.status), ['completed', 'completed', 'failed', 'failed']);
  const batches = readdirSync(join(sweepDir, '.submitit')).filter((f) => f.startsWith('batch-'));
  assert.equal(batches.length, 1, 'one array for the batch');
  const sbatch = readFileSync(join(sweepDir, '.submitit', batches[0]!, 'sbatch.sh'), 'utf8');
  assert.match(sbatch, /--array=0-3%2/);
  for (const j of [0, 1]) assert.equal(runJson(join(sweepDir, String(j))).status, 'completed');
  const done0 = readFileSync(join(sweepDir, '0', 'run.json'), 'utf8');

  cpSync(join(dir, 'data', 'mizar40-m2k'), join(dir, 'data', 'later'), { recursive: true });
  const again = bait(dir, ['resume', sweepDir]);
  assert.equal(again.status, 0, again.stderr + again.stdout);
  assert.deepEqual(readManifest(sweepDir).jobs.map((j) => j.status), ['completed', 'completed', 'completed', 'completed']);
  assert.equal(readFileSync(join(sweepDir, '0', 'run.json'), 'utf8'), done0, 'completed jobs did not run again');
  assert.equal(readdirSync(join(sweepDir, '.submitit')).filter((f) => f.startsWith('batch-')).length, 2, 'the resume was a second array, on SLURM again');
  assert.equal(runJson(join(sweepDir, '2')).sweep.job_num, 2);
});

test('real training on SLURM: USR2 -> the runner saves last -> the task requeues -> bait resume finishes from the checkpoint', { skip }, async () => {
  const dir = realWorkspace('real-usr2');
  const cli = spawn(process.execPath, [CLI, 'run', 'premise_selection/mizar40/bag_of_words', '-m', 'trainer.max_epochs=30', '+trainer.limit_train_batches=20', '+trainer.limit_val_batches=2',
    // The bundled config stops early when validation AUC stalls; this job must still be training when USR2 comes.
    'trainer.callbacks.2.patience=1000',
    'trainer.enable_progress_bar=false', 'model.lr=0.001', 'hydra/launcher=slurm', 'hydra.launcher.max_num_timeout=2', '+hydra.launcher.poll_interval_s=0.5'],
  { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SLURM_CONF: cluster.conf } });
  let err = '';
  cli.stderr!.on('data', (d) => { err += String(d); });
  const exited = new Promise<number | null>((r) => cli.on('exit', (code) => r(code)));
  await waitFor('the sweep to start', () => existsSync(join(dir, 'multirun')) && readdirSync(join(dir, 'multirun')).length > 0, 60_000);
  const jobDir = join(sweepDirOf(dir), '0');
  await waitFor('two epochs of training', () => existsSync(join(jobDir, 'launcher.log')) && /epoch 2 /.test(readFileSync(join(jobDir, 'launcher.log'), 'utf8')), 120_000, 200);
  const m = readMarker(jobDir)!;
  assert.equal(m.kind, 'slurm');
  if (m.kind !== 'slurm') return;
  slurm(['scancel', '-s', 'USR2', '-b', `${m.job_id}_${m.task}`]);
  const code = await exited;
  assert.equal(code, 0, err);
  const rj = runJson(jobDir);
  assert.equal(rj.status, 'completed');
  assert.equal(rj.attempts.length, 2, JSON.stringify(rj.attempts));
  assert.ok(rj.attempts[1].resumed_from, 'the second attempt resumed from a checkpoint');
  const log = readFileSync(join(jobDir, 'launcher.log'), 'utf8');
  assert.match(log, /USR2[\s\S]*requeueing \(restart 1 of 2\)[\s\S]*resuming from/);
  // Both attempts logged metrics into the same run: the second continued where the first stopped.
  const attempts = new Set(readFileSync(join(jobDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).attempt));
  assert.deepEqual([...attempts], [1, 2]);
});
