// bait.models.GradientBoostedTrees as a run: rounds are steps, validation AUC is logged each epoch, ModelCheckpoint
// keeps the best trees, `bait test --ckpt best` reproduces the logged validation metrics from them, and a run
// killed with SIGKILL resumes to the uninterrupted run's trees and metrics, bit for bit.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readCheckpoint } from '../../runner/checkpoint/store.js';
import { readIndex } from '../../runner/checkpoint/index_file.js';
import { testRun } from '../../runner/eval/test_run.js';
import { readMetrics } from '../../runner/run/metrics_log.js';
import { resumeCommand } from '../../runner/run/resume.js';
import { DATA, comparableMetrics, killWithRowsPastCheckpoint, makeWorkspace, runJobProcess, startJob } from './helpers.js';

const CONFIG = 'premise_selection/mizar40/tiny_boosted';
const TINY_BOOSTED = `# @package _global_
defaults:
  - boosted_trees
  - _self_

exp_config:
  name: tiny_boosted

data_config:
  data_options:
    dir: ${DATA}

trainer:
  accelerator: cpu
  max_epochs: 8
  log_every_n_steps: 1
  enable_progress_bar: false
  seed: 7
  callbacks:
    - _target_: callbacks.slow.Slow
      ms: 0
    - _target_: lightning.pytorch.callbacks.ModelCheckpoint
      save_top_k: 1
      save_last: true
      monitor: auc
      mode: max
      every_n_train_steps: 5
      dirpath: \${exp_config.directory}/checkpoints
      filename: "{epoch}-{auc}"

model:
  num_leaves: 4
  rounds_per_epoch: 5
`;

const ws = makeWorkspace();
writeFileSync(join(ws, 'configs', 'premise_selection', 'mizar40', 'tiny_boosted.yaml'), TINY_BOOSTED);
after(() => rmSync(ws, { recursive: true, force: true }));

const overrides = (dir: string, slowMs: number): string[] => [`exp_config.directory=${dir}`, `trainer.callbacks.0.ms=${slowMs}`];

let reference: string;

test('a boosted run: one tree per step, validation each epoch, trees in the checkpoint, bait test --ckpt best', async () => {
  reference = join(ws, 'runs', 'reference');
  const r = await runJobProcess(ws, overrides(reference, 0), CONFIG);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const rows = readMetrics(join(reference, 'metrics.jsonl'));
  const validations = rows.filter((row) => row.auc !== undefined);
  assert.deepEqual(validations.map((row) => row.step), [5, 10, 15, 20, 25, 30, 35, 40], 'validated after every 5 rounds');
  const losses = rows.filter((row) => row.loss !== undefined).map((row) => row.loss!);
  assert.equal(losses.length, 40);
  assert.ok(losses[39]! < losses[0]!, 'the training loss falls');
  assert.ok(validations.at(-1)!.auc! > 0.6, `validation AUC ${validations.at(-1)!.auc}`);

  const last = readCheckpoint(join(reference, 'checkpoints', 'last')).manifest;
  assert.equal(last.optimizer.class, 'GradientBoosting');
  assert.equal((last.model_state as { trees: unknown[] }).trees.length, 40);
  const index = readIndex(join(reference, 'checkpoints'));
  const best = validations.reduce((a, b) => (b.auc! > a.auc! ? b : a));
  const result = await testRun(reference, { ckpt: 'best', split: 'val' });
  assert.equal(result.checkpoint, join('checkpoints', index.best!));
  assert.equal(result.step, best.step);
  assert.equal(result.metrics.auc, best.auc, 'bait test re-scores validation exactly as training logged it');
  const onTest = await testRun(reference, { ckpt: 'best' });
  assert.equal(onTest.split, 'test');
  assert.ok(onTest.metrics.auc! > 0.6 && onTest.metrics.auc! < 1, `test AUC ${onTest.metrics.auc}`);
});

test('kill -9 mid-run, then resume: the same trees, progress and metrics as the uninterrupted run', async () => {
  const dir = join(ws, 'runs', 'kill9');
  const job = startJob(ws, overrides(dir, 40), CONFIG);
  await killWithRowsPastCheckpoint(job, dir);
  assert.equal((await job.done).signal, 'SIGKILL');
  const relaunch = resumeCommand(dir);
  const r = await runJobProcess(ws, relaunch.overrides, CONFIG);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /Resuming run \w+ \(attempt 2\) from checkpoints\/last/);
  const a = readCheckpoint(join(reference, 'checkpoints', 'last')).manifest;
  const b = readCheckpoint(join(dir, 'checkpoints', 'last')).manifest;
  assert.deepEqual(b.progress, a.progress);
  assert.equal(JSON.stringify(b.model_state), JSON.stringify(a.model_state), 'the same trees, to the last bit of every threshold and value');
  assert.deepEqual(b.metrics, a.metrics);
  assert.deepEqual(comparableMetrics(join(dir, 'metrics.jsonl')), comparableMetrics(join(reference, 'metrics.jsonl')));
  assert.equal(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).status, 'completed');
});
