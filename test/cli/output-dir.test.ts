// In a real `bait run`, `hydra.runtime.output_dir` and `${hydra:runtime.output_dir}` are the run directory, as
// Hydra sets them in a real run (lightning-hydra-template's paths.output_dir, checkpoint dirpaths, log files):
// for a plain run (BAIT's runs/... dir, or one given with exp_config.directory) and for a sweep job (its job dir).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'runner.js');
const QUICK = ['trainer.max_epochs=1', '+trainer.limit_train_batches=4', '+trainer.limit_val_batches=2', 'trainer.enable_progress_bar=false',
  `data_config.data_options.dir=${join(ROOT, 'data', 'mizar40-m2k')}`,
  // The checkpoint callback writes where the job config's ${hydra:runtime.output_dir} points.
  'trainer.callbacks.1.dirpath=${hydra:runtime.output_dir}/ckpts'];

function bait(ws: string, args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ws, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function outputDir(runDir: string): unknown {
  return (parse(readFileSync(join(runDir, '.hydra', 'hydra.yaml'), 'utf8')) as { hydra: { runtime: { output_dir: unknown } } }).hydra.runtime.output_dir;
}

test('hydra.runtime.output_dir is the run directory of a real run and of a sweep job', () => {
  const ws = mkdtempSync(join(tmpdir(), 'bait-output-dir-'));
  cpSync(join(ROOT, 'configs'), join(ws, 'configs'), { recursive: true });

  const plain = bait(ws, ['run', 'premise_selection/mizar40/bag_of_words', ...QUICK]);
  assert.equal(plain.code, 0, plain.err);
  const runDir = /Run directory: (.+)/.exec(plain.out)![1]!.trim();
  assert.match(runDir, /\/runs\/premise_selection\/bag_of_words\/\d{4}_\d\d_\d\d\/\d\d_\d\d_\d\d$/);
  assert.equal(outputDir(runDir), runDir);
  assert.ok(existsSync(join(runDir, 'ckpts')), 'the checkpoints went to ${hydra:runtime.output_dir}/ckpts');

  const given = bait(ws, ['run', 'premise_selection/mizar40/bag_of_words', ...QUICK, 'exp_config.directory=mine/run1']);
  assert.equal(given.code, 0, given.err);
  assert.equal(outputDir(join(ws, 'mine', 'run1')), join(ws, 'mine', 'run1'), 'relative to the workspace, absolute as in Hydra');
  assert.ok(existsSync(join(ws, 'mine', 'run1', 'ckpts')));

  const sweep = bait(ws, ['run', 'premise_selection/mizar40/bag_of_words', '-m', ...QUICK, 'model.lr=0.001', `hydra.sweep.dir=${join(ws, 'sw')}`]);
  assert.equal(sweep.code, 0, sweep.err);
  assert.equal(outputDir(join(ws, 'sw', '0')), join(ws, 'sw', '0'));
  assert.ok(existsSync(join(ws, 'sw', '0', 'ckpts')));
});
