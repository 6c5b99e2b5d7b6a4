// The `bait` CLI as a user runs it: the built bundle in a child process. `--cfg job --json` prints what Hydra
// composes, user errors print one located message with a caret and exit 1, usage errors exit 2.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baitCases, CONFORMANCE } from '../config/conformance-cases.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'runner.js');
const BAIT = join(CONFORMANCE, 'bait', 'configs');

function bait(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, cwd: ROOT });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('the CLI bundle is built', () => assert.ok(existsSync(CLI), 'run `node scripts/build.mjs` first'));

test('--cfg job --json prints exactly what Hydra composes, key order kept, for BAIT configs and overrides', () => {
  const cases = baitCases().filter((c) => !c.expected_error && c.config_name && !c.config_name.startsWith('sweeps/'));
  assert.ok(cases.length > 60);
  for (const c of cases) {
    const r = bait(['run', c.config_name!, '--config-dir', BAIT, '--cfg', 'job', '--json', ...c.overrides]);
    assert.equal(r.code, 0, `${c.name}: ${r.err}`);
    assert.equal(JSON.stringify(JSON.parse(r.out)), JSON.stringify(c.expected_json), c.name);
  }
});

test('--cfg job prints Hydra\'s YAML and --resolve with BAIT_NOW is reproducible', () => {
  const c = baitCases().find((x) => x.name === 'premise_selection__hol4__gnn')!;
  const y = bait(['run', c.config_name!, '--config-dir', BAIT, '--cfg', 'job']);
  assert.equal(y.out, c.expected_yaml);
  const env = { BAIT_NOW: c.fixed_now! };
  const resolved = bait(['run', c.config_name!, '--config-dir', BAIT, '--cfg', 'job', '--resolve'], env);
  assert.equal(resolved.out, c.expected_resolved_yaml);
  const pkg = bait(['run', c.config_name!, '--config-dir', BAIT, '--cfg', 'job', '--resolve', '--package', 'exp_config'], env);
  assert.match(pkg.out, /^# @package exp_config\nname: bag_of_words\ndirectory: runs\/premise_selection\/bag_of_words\/2024_01_02\/03_04_05\n/);
});

test('a bad override prints the override, the column and a caret, exit 1, no stack trace', () => {
  const r = bait(['run', 'premise_selection/hol4/gnn', '--config-dir', BAIT, '--cfg', 'job', '+model.lr=1']);
  assert.equal(r.code, 1);
  assert.match(r.err, /override #1 '\+model\.lr=1', column 2: error: Could not append to config/);
  assert.match(r.err, /\n  \+model\.lr=1\n   \^+/);
  assert.doesNotMatch(r.err, /\n\s+at /);
  const syntax = bait(['run', 'premise_selection/hol4/gnn', '--config-dir', BAIT, "model.lr='x"]);
  assert.equal(syntax.code, 1);
  assert.match(syntax.err, /column 10/);
});

test('a broken config file prints file:line:col with the offending line and a caret', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bait-cli-'));
  mkdirSync(join(dir, 'db'));
  writeFileSync(join(dir, 'config.yaml'), 'defaults:\n  - db: oracle\n  - _self_\nname: x\n');
  writeFileSync(join(dir, 'db', 'mysql.yaml'), 'driver: mysql\n');
  writeFileSync(join(dir, 'db', 'postgres.yaml'), 'driver: pg\nport: [1, 2\n');
  const missing = bait(['run', 'config', '--config-dir', dir, '--cfg', 'job']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /config\.yaml:2:9: error: In 'config': Could not find 'db\/oracle'/);
  assert.match(missing.err, /Available options in 'db':\n\tmysql\n\tpostgres/);
  assert.match(missing.err, /\n  {3}- db: oracle\n {10}\^{6}\n/);
  const broken = bait(['run', 'config', '--config-dir', dir, '--cfg', 'job', 'db=postgres']);
  assert.equal(broken.code, 1);
  assert.match(broken.err, /db\/postgres\.yaml:\d+:\d+: error: /);
  assert.match(broken.err, /note: 'db\/postgres\.yaml' is included here/);
  writeFileSync(join(dir, 'dup.yaml'), 'a: 1\nb: 2\na: 3\n');
  const dup = bait(['run', 'dup', '--config-dir', dir, '--cfg', 'job']);
  assert.match(dup.err, /dup\.yaml:3:1: error: Duplicate key 'a'/);
});

test('usage errors exit 2 and unknown configs exit 1', () => {
  assert.equal(bait(['run', 'x', '--cfg', 'nope']).code, 2);
  assert.equal(bait(['frobnicate']).code, 2);
  assert.equal(bait(['run', 'premise_selection/hol4/nope', '--config-dir', BAIT]).code, 1);
  assert.equal(bait(['help']).code, 0);
});

test('--info prints the defaults list, the tree and the search path', () => {
  const d = bait(['run', 'premise_selection/hol4/gnn', '--config-dir', BAIT, '--info', 'defaults']);
  assert.equal(d.code, 0);
  const rows = d.out.split('\n').filter((l) => l.includes('|')).slice(1).map((l) => l.split('|')[0]!.trim());
  assert.deepEqual(rows.slice(-7), ['base/data_config', 'base/logging_config', 'base/exp_config', 'premise_selection/premise_selection', 'premise_selection/hol4/hol4', 'data_type/gnn', 'premise_selection/hol4/gnn']);
  const t = bait(['run', 'premise_selection/hol4/gnn', '--config-dir', BAIT, '--info', 'defaults-tree']);
  assert.match(t.out, /\n  premise_selection\/hol4\/gnn\n    premise_selection\/hol4\/hol4\n      premise_selection\/premise_selection\n/);
  assert.match(bait(['run', 'x', '--config-dir', BAIT, '--info', 'searchpath']).out, /file:\/\//);
});

test('-m --dry-run lists Hydra\'s jobs and the first batch of an Optuna search; a sweeper bait does not run is refused with a way out', () => {
  const lht = join(CONFORMANCE, 'lightning-hydra-template', 'configs');
  const env = { PROJECT_ROOT: '/proj', BAIT_NOW: '2024-01-02T03:04:05' };
  const jobs = bait(['run', 'train', '--config-dir', lht, '-m', 'seed=range(1,4)', 'trainer=cpu,gpu', '--dry-run', '--json'], env);
  assert.equal(jobs.code, 0, jobs.err);
  const listed = jobs.out.trim().split('\n').map((l) => JSON.parse(l) as { num: number; overrides: string[]; dir: string });
  assert.deepEqual(listed.map((j) => j.overrides.join(' ')), ['seed=1 trainer=cpu', 'seed=1 trainer=gpu', 'seed=2 trainer=cpu', 'seed=2 trainer=gpu', 'seed=3 trainer=cpu', 'seed=3 trainer=gpu']);
  assert.match(listed[5]!.dir, /logs\/train\/multiruns\/2024-01-02_03-04-05\/5$/);
  // The template's Optuna search plans its first batch (n_jobs: 1) from its params, seeded by the sampler's seed.
  const optuna = bait(['run', 'train', '--config-dir', lht, '-m', 'hparams_search=mnist_optuna', '--dry-run', '--json'], env);
  assert.equal(optuna.code, 0, optuna.err);
  assert.match(optuna.err, /20 trials, 1 per batch, maximize 'val\/acc_best'.*seed 1234/);
  const first = optuna.out.trim().split('\n').map((l) => JSON.parse(l) as { overrides: string[] });
  assert.equal(first.length, 1);
  assert.deepEqual(first[0]!.overrides.map((o) => o.split('=')[0]), ['hparams_search', 'model.optimizer.lr', 'data.batch_size', 'model.net.lin1_size', 'model.net.lin2_size', 'model.net.lin3_size']);
  const other = bait(['run', 'train', '--config-dir', lht, '-m', 'hparams_search=mnist_optuna', 'hydra.sweeper._target_=hydra_plugins.hydra_ax_sweeper.ax_sweeper.AxSweeper', '--dry-run'], env);
  assert.equal(other.code, 1);
  assert.match(other.err, /AxSweeper, which bait does not run.*--sweep/s);
});
