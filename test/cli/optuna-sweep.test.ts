// hydra/sweeper=optuna run by bait, as lightning-hydra-template's users start it (`-m hparams_search=...`): real
// training jobs of the bundled runner on the shipped data, a study of a few tiny trials in batches of n_jobs on
// the local launcher. The trials, their objectives and the best one are checked against the jobs' own
// metrics.jsonl; a study interrupted mid-batch and resumed with `bait resume <sweep-dir>` reproduces the
// uninterrupted one trial for trial (same seed, same proposals, same objectives).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { TINY_MODEL } from '../fixtures/tiny-model.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'runner.js');

// A primary config at the top of the config dir with an `hparams_search: null` slot, as the template's train.yaml.
const TINY = `# @package _global_
defaults:
  - premise_selection/mizar40/mizar@_here_
  - /data_type/sequence@_here_
  - hparams_search: null
  - _self_

exp_config:
  name: tiny
data_config:
  batch_size: 16
  attributes:
    max_len: 32
  data_options:
    dir: ${join(ROOT, 'data', 'mizar40-m2k')}
trainer:
  accelerator: cpu
  max_epochs: 1
  max_steps: 6
  log_every_n_steps: 2
  val_check_interval: 3
  limit_val_batches: 2
  enable_progress_bar: false
  seed: 7
${TINY_MODEL}`;

// The template's hparams_search/mnist_optuna.yaml, cut down to a study that runs in seconds.
const SEARCH = `# @package _global_
defaults:
  - override /hydra/sweeper: optuna
  - override /hydra/launcher: local

optimized_metric: auc_best

hydra:
  mode: MULTIRUN
  launcher:
    n_jobs: 2
  sweeper:
    study_name: tiny
    storage: null
    n_trials: 6
    n_jobs: 2
    direction: maximize
    sampler:
      _target_: optuna.samplers.TPESampler
      seed: 1234
      n_startup_trials: 2
    params:
      model.lr: tag(log, interval(0.0001, 0.1))
      data_config.batch_size: choice(8, 16)
      trainer.max_steps: range(4, 8)
`;

function workspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'bait-optuna-'));
  cpSync(join(ROOT, 'configs'), join(ws, 'configs'), { recursive: true });
  writeFileSync(join(ws, 'configs', 'tiny.yaml'), TINY);
  mkdirSync(join(ws, 'configs', 'hparams_search'));
  writeFileSync(join(ws, 'configs', 'hparams_search', 'tiny_optuna.yaml'), SEARCH);
  return ws;
}

function bait(ws: string, args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ws, encoding: 'utf8', timeout: 300_000, env: { ...process.env, BAIT_NOW: '2024-01-02T03:04:05' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

interface Trial { num: number; overrides: string[]; status: string; dir: string; objective?: number }
interface Manifest { source: Record<string, unknown>; jobs: Trial[] }

const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8')) as Manifest;

/** The best `auc` a job logged, read from its metrics.jsonl independently of the product's reader. */
function bestAuc(jobDir: string): number {
  const aucs = readFileSync(join(jobDir, 'metrics.jsonl'), 'utf8').trim().split('\n')
    .map((l) => (JSON.parse(l) as { auc?: number }).auc).filter((a): a is number => typeof a === 'number');
  assert.ok(aucs.length > 0, `${jobDir} logged auc`);
  return Math.max(...aucs);
}

test('--dry-run shows the planned first batch, seeded by the sampler\'s seed; bad sweeper configs are located', () => {
  const ws = workspace();
  const plan = (extra: string[]) => {
    const r = bait(ws, ['run', 'tiny', '-m', 'hparams_search=tiny_optuna', ...extra, '--dry-run', '--json']);
    assert.equal(r.code, 0, r.err);
    return { err: r.err, jobs: r.out.trim().split('\n').map((l) => JSON.parse(l) as { num: number; overrides: string[] }) };
  };
  const a = plan([]);
  assert.match(a.err, /study tiny: 6 trials, 2 per batch, maximize 'auc_best'; bait's TPE-style search after 2 random trials, seed 1234/);
  assert.deepEqual(a.jobs.map((j) => j.num), [0, 1]);
  for (const j of a.jobs) {
    const v = Object.fromEntries(j.overrides.map((o) => o.split('=') as [string, string]));
    assert.equal(v.hparams_search, 'tiny_optuna');
    assert.ok(Number(v['model.lr']) >= 1e-4 && Number(v['model.lr']) <= 0.1, v['model.lr']);
    assert.ok(['8', '16'].includes(v['data_config.batch_size']!));
    assert.ok(['4', '5', '6', '7'].includes(v['trainer.max_steps']!), v['trainer.max_steps']);
  }
  assert.deepEqual(plan([]).jobs, a.jobs, 'the same seed plans the same batch');
  assert.notDeepEqual(plan(['hydra.sweeper.sampler.seed=99']).jobs, a.jobs, 'another seed plans another');
  // A command-line sweep joins the search space; a plain override comes before every trial's parameters.
  const cl = plan(['data_config.batch_size=choice(4)', 'trainer.seed=3']);
  for (const j of cl.jobs) {
    assert.equal(j.overrides[1], 'trainer.seed=3');
    assert.ok(j.overrides.includes('data_config.batch_size=4'), j.overrides.join(' '));
  }

  const bad = (extra: string[]) => bait(ws, ['run', 'tiny', '-m', 'hparams_search=tiny_optuna', ...extra, '--dry-run']);
  const multi = bad(['hydra.sweeper.direction=[maximize,minimize]']);
  assert.equal(multi.code, 1);
  assert.match(multi.err, /override #2 .*multi-objective study, which bait's search does not support/);
  writeFileSync(join(ws, 'configs', 'hparams_search', 'tiny_optuna.yaml'), SEARCH.replace('choice(8, 16)', 'glob(*)'));
  const glob = bad([]);
  assert.equal(glob.code, 1);
  const line = SEARCH.split('\n').findIndex((l) => l.includes('data_config.batch_size')) + 1;
  assert.match(glob.err, new RegExp(`hparams_search/tiny_optuna\\.yaml:${line}:31: error: .*glob\\(\\) is not supported by the Optuna sweeper`));
  const none = bad(['optimized_metric=null', '~trainer.callbacks']);
  assert.equal(none.code, 1);
  assert.match(none.err, /needs the metric to optimise: set optimized_metric/);
});

test('an Optuna study runs its trials in batches, records their objectives and the best; resumed after a stop it reproduces the uninterrupted study', () => {
  const ws = workspace();
  // The uninterrupted study. hydra.mode: MULTIRUN in the search config would sweep without -m too (see below).
  const sweepA = join(ws, 'sweep-a');
  const a = bait(ws, ['run', 'tiny', '-m', 'hparams_search=tiny_optuna', `hydra.sweep.dir=${sweepA}`]);
  assert.equal(a.code, 0, a.err);
  const ma = manifest(sweepA);
  assert.equal(ma.source.kind, 'optuna');
  assert.equal(ma.source.seed, 1234);
  assert.deepEqual(ma.jobs.map((j) => [j.num, j.status]), [0, 1, 2, 3, 4, 5].map((n) => [n, 'completed']));
  const points = ma.jobs.map((j) => j.overrides.slice(2).join(' '));
  assert.equal(new Set(points).size, 6, `no trial ran twice: ${points.join(' | ')}`);
  // Each objective is the best auc the trial logged (`auc_best`), as the template's val/acc_best is.
  for (const j of ma.jobs) {
    assert.equal(j.objective, bestAuc(join(sweepA, j.dir)), `trial ${j.num}`);
    assert.match(a.err, new RegExp(`\\[optuna\\] trial #${j.num}: auc_best=${j.objective} \\(`));
  }
  assert.ok(new Set(ma.jobs.map((j) => j.objective)).size > 1, 'the trials differ in their objective');
  const best = ma.jobs.reduce((b, j) => (j.objective! > b.objective! ? j : b));
  assert.match(a.err, new RegExp(`\\[optuna\\] best trial #${best.num}: auc_best=${best.objective}`));
  const results = parse(readFileSync(join(sweepA, 'optimization_results.yaml'), 'utf8')) as { name: string; best_value: number; best_trial: number; best_params: Record<string, unknown> };
  assert.equal(results.name, 'optuna');
  assert.equal(results.best_value, best.objective);
  assert.equal(results.best_trial, best.num);
  assert.deepEqual(Object.keys(results.best_params), ['model.lr', 'data_config.batch_size', 'trainer.max_steps']);

  // The same study again, with trial #2 stopped as soon as it trains (its stop-request file is there before it
  // starts): the sweep stops after that batch with exit 130, and `bait resume` continues trial #2 from its `last`
  // checkpoint, then proposes the remaining batch. Same seed: every trial and objective equals the first study's.
  const sweepC = join(ws, 'sweep-c');
  mkdirSync(join(sweepC, '2'), { recursive: true });
  writeFileSync(join(sweepC, '2', '.stop-request'), 'test\n');
  const c = bait(ws, ['run', 'tiny', '-m', 'hparams_search=tiny_optuna', `hydra.sweep.dir=${sweepC}`]);
  assert.equal(c.code, 130, c.err);
  const stopped = manifest(sweepC);
  assert.deepEqual(stopped.jobs.map((j) => [j.num, j.status]), [[0, 'completed'], [1, 'completed'], [2, 'stopped'], [3, 'completed']]);
  const r = bait(ws, ['resume', sweepC]);
  assert.equal(r.code, 0, r.err);
  const mc = manifest(sweepC);
  const trials = (m: Manifest) => m.jobs.map((j) => [j.overrides.filter((o) => !o.startsWith('hydra.sweep.dir=')), j.status, j.objective]);
  assert.deepEqual(trials(mc), trials(ma));
  const run2 = JSON.parse(readFileSync(join(sweepC, '2', 'run.json'), 'utf8')) as { attempts: Array<{ resumed_from: string | null }> };
  assert.equal(run2.attempts.length, 2, 'trial #2 continued in its own directory');
  assert.ok(run2.attempts[1]!.resumed_from);
  assert.ok(!existsSync(join(sweepC, '2_1')));
  assert.deepEqual(parse(readFileSync(join(sweepC, 'optimization_results.yaml'), 'utf8')), results);

  // hydra.mode: MULTIRUN in the config sweeps without -m, as in Hydra.
  const sweepD = join(ws, 'sweep-d');
  const d = bait(ws, ['run', 'tiny', 'hparams_search=tiny_optuna', 'hydra.sweeper.n_trials=1', `hydra.sweep.dir=${sweepD}`]);
  assert.equal(d.code, 0, d.err);
  assert.deepEqual(manifest(sweepD).jobs.map((j) => j.status), ['completed']);
});
