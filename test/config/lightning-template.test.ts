// The configs of a widely used real-world Hydra project (ashleve/lightning-hydra-template) compose for the
// overrides its users type, including the plugin options it relies on (colorlog logging, the Optuna sweeper).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { compose, jobConfig, hydraNode, selectNode, toPlain } from '../../runner/config/index.js';
import { resolveTree } from '../../runner/config/interpolation/resolve.js';
import { expandSweep } from '../../runner/config/overrides/sweep.js';
import { DiskSource } from '../../runner/disk-source.js';
import { CONFORMANCE } from './conformance-cases.js';

const source = new DiskSource(join(CONFORMANCE, 'lightning-hydra-template', 'configs'));
const env = { PROJECT_ROOT: '/proj' };

function composeOk(name: string, overrides: string[], multirun = false) {
  const r = compose({ source, configName: name, overrides, multirun });
  assert.deepEqual(r.errors.map((e) => e.message), [], `${name} ${overrides.join(' ')}`);
  const resolved = resolveTree(r.config!, { env, now: new Date('2024-01-02T03:04:05'), hydra: hydraNode(r.config!) });
  const job = resolveTree(jobConfig(r.config!), { env, now: new Date('2024-01-02T03:04:05'), hydra: hydraNode(r.config!) });
  assert.deepEqual(job.errors.map((e) => e.message), []);
  return { r, job: job.node!, all: resolved.node! };
}

const get = (n: Parameters<typeof selectNode>[0], k: string) => {
  const v = selectNode(n, k);
  return v === undefined ? undefined : toPlain(v);
};

test('train composes with its defaults (colorlog logging from the plugin)', () => {
  const { r, job } = composeOk('train', []);
  assert.equal(get(job as never, 'paths.root_dir'), '/proj');
  assert.equal(get(job as never, 'model._target_'), 'src.models.mnist_module.MNISTLitModule');
  assert.equal(r.choices.get('hydra/job_logging'), 'colorlog');
  assert.equal(get(r.config!, 'hydra.job_logging.formatters.colorlog.()'), 'colorlog.ColoredFormatter');
});

test('experiment=example overrides the defaults it names', () => {
  const { job, r } = composeOk('train', ['experiment=example']);
  assert.deepEqual(get(job as never, 'tags'), ['mnist', 'simple_dense_net']);
  assert.equal(get(job as never, 'trainer.max_epochs'), 10);
  assert.equal(get(job as never, 'model.optimizer.lr'), 0.002);
  assert.equal(r.choices.get('experiment'), 'example');
});

test('debug, logger list, trainer, nested value and callbacks=none overrides', () => {
  assert.equal(get(composeOk('train', ['debug=fdr']).job as never, 'trainer.fast_dev_run'), true);
  const loggers = composeOk('train', ['logger=[csv,tensorboard]']).job;
  assert.ok(get(loggers as never, 'logger.csv') && get(loggers as never, 'logger.tensorboard'));
  assert.equal(get(composeOk('train', ['trainer=gpu']).job as never, 'trainer.accelerator'), 'gpu');
  assert.equal(get(composeOk('train', ['model.optimizer.lr=0.002']).job as never, 'model.optimizer.lr'), 0.002);
  // An empty option file still creates its package, as Hydra's embedding does.
  assert.deepEqual(get(composeOk('train', ['callbacks=none']).job as never, 'callbacks'), {});
});

test('hparams_search uses the Optuna sweeper config', () => {
  const { r } = composeOk('train', ['hparams_search=mnist_optuna'], true);
  assert.equal(r.choices.get('hydra/sweeper'), 'optuna');
  assert.equal(get(r.config!, 'hydra.sweeper.direction'), 'maximize');
});

test('-m seed=range(1,4) composes and expands to three jobs', () => {
  const { r } = composeOk('train', ['seed=range(1,4)'], true);
  const jobs = expandSweep(r.sweepOverrides, { listOptions: () => [] });
  assert.deepEqual(jobs.batches?.flat(), [['seed=1'], ['seed=2'], ['seed=3']]);
});

test('eval requires ckpt_path, then composes', () => {
  const r = compose({ source, configName: 'eval', overrides: [] });
  assert.deepEqual(r.errors, []);
  const missing = resolveTree(jobConfig(r.config!), { env, hydra: hydraNode(r.config!) });
  assert.ok(selectNode(r.config!, 'ckpt_path'));
  void missing;
  composeOk('eval', ['ckpt_path=/tmp/x.ckpt']);
});
