// End to end: a tiny premise-selection experiment composed from the bundled configs trains on the shipped data and
// leaves every file of DESIGN.md section 5 in its run directory; `bait runs` and `bait resume` read it back.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readIndex } from '../../runner/checkpoint/index_file.js';
import { readCheckpoint } from '../../runner/checkpoint/store.js';
import { listRuns } from '../../runner/run/list.js';
import { readMetrics } from '../../runner/run/metrics_log.js';
import { quoteOverrideValue, resumeCommand } from '../../runner/run/resume.js';
import { writeFileSync } from 'node:fs';
import { stopRun } from '../../runner/run/stop.js';
import { STOP_FILE } from '../../runner/run/signals.js';
import { DATA, checkpointStep, makeWorkspace, runJobProcess, startJob, waitFor } from './helpers.js';

const ws = makeWorkspace();
after(() => rmSync(ws, { recursive: true, force: true }));

test('a tiny config trains end to end and writes the whole run directory', async () => {
  const dir = join(ws, 'runs', 'e2e');
  const r = await runJobProcess(ws, [`exp_config.directory=${dir}`]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /Run directory: /);
  for (const f of ['.hydra/config.yaml', '.hydra/overrides.yaml', '.hydra/hydra.yaml', 'run.json', 'metrics.jsonl',
    'log.txt', 'checkpoints/index.json', 'checkpoints/last/manifest.json', 'checkpoints/last/tensors.bin']) {
    assert.ok(existsSync(join(dir, f)), `${f} is missing`);
  }
  const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  assert.equal(run.status, 'completed');
  assert.equal(run.experiment, 'premise_selection');
  assert.equal(run.name, 'tiny');
  assert.equal(run.backend, 'cpu');
  assert.match(run.id, /^[0-9a-z]{8}$/);
  assert.equal(run.attempts.length, 1);
  assert.equal(run.attempts[0].status, 'completed');
  assert.deepEqual(run.overrides, [`exp_config.directory=${dir}`]);
  assert.equal(run.parent, null);

  const rows = readMetrics(join(dir, 'metrics.jsonl'));
  const train = rows.filter((x) => 'loss' in x);
  const val = rows.filter((x) => 'acc' in x);
  assert.equal(train.length, 40, 'log_every_n_steps=1 for 40 steps');
  assert.deepEqual(val.map((x) => x.step), [10, 20, 30, 40]);
  for (const v of val) {
    for (const k of ['val_loss', 'acc', 'auc', 'map', 'recall@1', 'recall@5']) assert.ok(Number.isFinite(v[k]), `${k} at ${v.step}`);
    assert.ok(v.acc! >= 0 && v.acc! <= 1 && v.auc! >= 0 && v.auc! <= 1);
  }
  assert.ok(rows.every((x) => x.attempt === 1 && typeof x.time === 'number' && x.epoch === 0));
  assert.equal(rows.find((x) => 'lr-Adam' in x)?.['lr-Adam'], 1e-3);

  // ModelCheckpoint: every 5 steps, top 2 by acc named from the template, plus last.
  const index = readIndex(join(dir, 'checkpoints'));
  assert.equal(index.last, 'last');
  assert.equal(index.monitor, 'acc');
  assert.equal(index.mode, 'max');
  assert.equal(Object.keys(index.best_k).length, 2);
  for (const name of Object.keys(index.best_k)) {
    assert.match(name, /^epoch=0-step=\d+-acc=[\d.]+$/);
    assert.ok(existsSync(join(dir, 'checkpoints', name, 'manifest.json')));
  }
  const kept = readdirSync(join(dir, 'checkpoints')).filter((n) => n !== 'index.json').sort();
  assert.deepEqual(kept, [...Object.keys(index.best_k), 'last'].sort(), 'only the top 2 and last remain');
  const best = Math.max(...Object.values(index.best_k));
  assert.equal(index.best_k[index.best!], best);

  const last = readCheckpoint(join(dir, 'checkpoints', 'last'));
  assert.deepEqual(last.manifest.progress, { epoch: 0, batch_in_epoch: 40, global_step: 40 });
  assert.equal(last.manifest.backend, 'cpu');
  assert.equal(last.manifest.rng.seed, 7);
  assert.equal(last.manifest.optimizer.iterations, 40);
  const groups = new Set(last.tensors.map((t) => t.group));
  assert.deepEqual([...groups].sort(), ['model', 'optimizer', 'optimizer_state']);
  assert.ok(last.tensors.some((t) => t.name === 'goal_embedding_module.embedding'));
  assert.ok(last.tensors.some((t) => t.name === 'accBeta1'));
  assert.equal((last.manifest.config as { exp_config: { name: string } }).exp_config.name, 'tiny');
  assert.ok('ModelCheckpoint#2' in last.manifest.callbacks);

  const listed = listRuns([join(ws, 'runs')]).runs.find((x) => x.dir === dir);
  assert.ok(listed, 'bait runs lists the run');
  assert.equal(listed.best, index.best);
  assert.equal(listed.last_step, 40);
  assert.equal(listed.alive, false);

  const relaunch = resumeCommand(dir, { from: 'best' });
  assert.equal(relaunch.configName, 'premise_selection/mizar40/tiny');
  assert.ok(relaunch.overrides.includes('++exp_config.resume=true'));
  // An id like 12e45678 would read as a number unquoted, so ids that start with a digit are quoted.
  assert.ok(relaunch.overrides.includes(`++logging_config.id=${quoteOverrideValue(run.id)}`));
  assert.ok(relaunch.overrides.some((o) => o.startsWith('++exp_config.resume_from=') && o.includes(index.best!)));
});

test('two runs asking for the same directory in the same second get different ones', async () => {
  const dir = join(ws, 'runs', 'same-second');
  const [a, b] = await Promise.all([
    runJobProcess(ws, [`exp_config.directory=${dir}`, 'trainer.max_steps=3', 'trainer.limit_val_batches=0']),
    runJobProcess(ws, [`exp_config.directory=${dir}`, 'trainer.max_steps=3', 'trainer.limit_val_batches=0']),
  ]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const dirs = [a, b].map((r) => /Run directory: (.*)/.exec(r.stdout)![1]!.trim()).sort();
  assert.deepEqual(dirs, [dir, `${dir}_1`]);
  const ids = dirs.map((d) => JSON.parse(readFileSync(join(d, 'run.json'), 'utf8')).id);
  assert.notEqual(ids[0], ids[1]);
});

test('bait stop: stopRun signals a local run, and a stop file alone stops a run we cannot signal', async () => {
  const slow = ['trainer.callbacks.0.ms=30', 'trainer.max_steps=400'];
  const dir = join(ws, 'runs', 'stop-local');
  const job = startJob(ws, [`exp_config.directory=${dir}`, ...slow]);
  await waitFor(() => checkpointStep(join(dir, 'checkpoints', 'last')) >= 5, 60_000, 'the first checkpoint');
  const r = await stopRun(dir, { waitMs: 30_000 });
  assert.deepEqual([r.wasRunning, r.signalled, r.status], [true, true, 'stopped']);
  assert.equal((await job.done).code, 130);
  const step = checkpointStep(join(dir, 'checkpoints', 'last'));
  assert.ok(step >= 5 && step < 400);
  assert.deepEqual(await stopRun(dir), { wasRunning: false, signalled: false, status: 'stopped' });

  // A remote or detached run only sees the file (no signal can reach it from here).
  const remote = join(ws, 'runs', 'stop-file');
  const job2 = startJob(ws, [`exp_config.directory=${remote}`, ...slow]);
  await waitFor(() => checkpointStep(join(remote, 'checkpoints', 'last')) >= 5, 60_000, 'the first checkpoint');
  writeFileSync(join(remote, STOP_FILE), 'stop\n');
  assert.equal((await job2.done).code, 130);
  assert.equal(JSON.parse(readFileSync(join(remote, 'run.json'), 'utf8')).status, 'stopped');
});

test('the transformer example trains on wasm through the fused transformer step, validating on the tfjs ops', async () => {
  const dir = join(ws, 'runs', 'transformer');
  const small = ['d_model=8', 'nhead=2', 'd_hid=16'].flatMap((kv) =>
    ['goal_embedding_module', 'premise_embedding_module'].map((m) => `model.${m}.${kv}`));
  const r = await runJobProcess(ws, [`exp_config.directory=${dir}`, 'model.classifier.input_shape=8', ...small,
    'data_config.attributes.max_len=16', `data_config.data_options.dir=${DATA}`,
    'trainer.accelerator=wasm', '+trainer.max_steps=6', '+trainer.limit_val_batches=2', 'trainer.val_check_interval=3',
    'trainer.enable_progress_bar=false'], 'premise_selection/mizar40/transformer');
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /backend wasm .*kernels: .*fused transformer step/);
  const rows = readMetrics(join(dir, 'metrics.jsonl'));
  assert.deepEqual(rows.filter((x) => 'acc' in x).map((x) => x.step), [3, 6]);
  const last = readCheckpoint(join(dir, 'checkpoints', 'last'));
  assert.ok(last.tensors.some((t) => t.name === 'goal_embedding_module.layers.0.self_attn_q.weight'));
  assert.ok(last.tensors.every((t) => Array.from(t.values).every(Number.isFinite)));
});
