// W&B offline runs and TensorBoard event files from real `bait run` / `bait resume`, read back by the real
// `wandb` (DataStore, `wandb sync --view`) and `tensorboard` (EventAccumulator) packages from the test venv.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VENV } from '../infra/python.js';
import { readWandbLink } from '../../extension/run-dirs/wandb.js';
import { startFakeWandb } from './fake-wandb.js';
import { bait, cleanEnv, wandbSync, metricsRows, type MetricsRow, pythonOrSkip, readTensorBoard, readWandb, runDirOf, wandbFileOf, wandbView, workspace } from './helpers.js';

const QUICK = ['trainer.max_epochs=2', '+trainer.limit_train_batches=8', '+trainer.limit_val_batches=2', 'trainer.enable_progress_bar=false',
  'trainer.log_every_n_steps=2', 'trainer.val_check_interval=4'];
const ROW_KEYS = new Set(['step', 'epoch', 'time', 'attempt']);

/** What W&B must hold: one row per step, merging the metrics.jsonl rows of that step. */
function expectedHistory(rows: MetricsRow[]): Array<Record<string, number>> {
  const bySteps = new Map<number, Record<string, number>>();
  for (const r of rows) {
    const m: Record<string, number> = { ...(bySteps.get(r.step) ?? {}), epoch: r.epoch, _step: r.step, 'trainer/global_step': r.step };
    for (const [k, v] of Object.entries(r)) if (!ROW_KEYS.has(k)) m[k] = v;
    bySteps.set(r.step, m);
  }
  return [...bySteps.values()].sort((a, b) => a._step! - b._step!);
}

function withoutTimes(row: Record<string, unknown>): Record<string, unknown> {
  const { _runtime, _timestamp, ...rest } = row;
  assert.equal(typeof _runtime, 'number');
  assert.equal(typeof _timestamp, 'number');
  return rest;
}

/** TensorBoard must show each metric once per step it was logged at, as float32. */
function expectedScalars(rows: MetricsRow[]): Record<string, Array<[number, number]>> {
  const out: Record<string, Map<number, number>> = {};
  for (const r of rows) {
    for (const [k, v] of Object.entries(r)) {
      if (ROW_KEYS.has(k) && k !== 'epoch') continue;
      (out[k] ??= new Map()).set(r.step, Math.fround(v));
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, m]) => [k, [...m].sort((a, b) => a[0] - b[0])]));
}

test('an offline run: W&B reads back the config, every history row and the summary; TensorBoard every scalar', async (t) => {
  if (!pythonOrSkip(t)) return;
  const ws = workspace();
  const r = bait(ws, ['run', 'premise_selection/mizar40/bag_of_words', ...QUICK, '+logging_config.tags=[a,b]', '+logging_config.group=g1',
    '+exp_config.token=${oc.env:BAIT_TEST_SECRET}'], { BAIT_TEST_SECRET: 'hunter2-secret' });
  assert.equal(r.code, 0, r.err + r.out);
  const dir = runDirOf(ws);
  const record = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  assert.equal(record.wandb.mode, 'offline');
  assert.match(record.wandb.dir, new RegExp(`^wandb/offline-run-\\d{8}_\\d{6}-${record.id}$`));
  const file = wandbFileOf(dir);
  // What the editor's "Sync to W&B" / "Open in W&B" read: the folder to sync; no page yet (no entity configured).
  assert.deepEqual(readWandbLink(dir), { link: { id: record.id, mode: 'offline', folder: join(dir, record.wandb.dir), url: null, synced: false } });
  assert.ok(r.out.includes(`wandb sync ${join(dir, record.wandb.dir)}`), r.out);

  const view = wandbView(readWandb(file));
  assert.equal(view.run!.run_id, record.id);
  assert.equal(view.run!.project, 'mizar40');
  assert.equal(view.run!.display_name, 'bag_of_words');
  assert.equal(view.run!.run_group, 'g1');
  assert.deepEqual(view.run!.tags, ['a', 'b']);
  // The config is the composed job config, one W&B key per top-level key, as Lightning's WandbLogger sends it.
  const composed = JSON.parse(bait(ws, ['run', 'premise_selection/mizar40/bag_of_words', ...QUICK, '--cfg', 'job', '--resolve', '--json',
    '+logging_config.tags=[a,b]', '+logging_config.group=g1', '+exp_config.token=${oc.env:BAIT_TEST_SECRET}'], { BAIT_TEST_SECRET: 'x' }).out);
  assert.deepEqual(Object.keys(view.config), ['_wandb', ...Object.keys(composed)]);
  assert.deepEqual(view.config.model, composed.model);
  assert.equal((view.config.exp_config as { token: string }).token, '<env:BAIT_TEST_SECRET>', 'environment values are never written resolved');
  assert.ok(!readFileSync(file).includes('hunter2-secret'));

  const rows = metricsRows(dir);
  assert.deepEqual(view.history.map(withoutTimes), expectedHistory(rows));
  const steps = view.history.map((h) => h._step as number);
  assert.deepEqual(steps, [...new Set(steps)].sort((a, b) => a - b), 'steps strictly increase');
  // The summary holds the last value of every metric, and the exit record says the run finished.
  for (const [k, v] of Object.entries(record.final_metrics as Record<string, number>)) assert.equal(view.summary[k], v, k);
  assert.equal(view.summary._step, rows[rows.length - 1]!.step);
  assert.equal(view.exits.length, 1);
  assert.equal(view.exits[0]!.exit?.exit_code ?? 0, 0);

  assert.deepEqual(readTensorBoard(dir), expectedScalars(rows));

  // W&B's own sync command accepts the folder (its --view path parses every record without uploading).
  const cwd = mkdtempSync(join(tmpdir(), 'bait-sync-'));
  const sync = spawnSync(join(VENV, 'bin', 'wandb'), ['sync', '--view', join(dir, record.wandb.dir)], {
    cwd, encoding: 'utf8', timeout: 120_000,
    env: cleanEnv({ HOME: cwd, WANDB_API_KEY: 'x'.repeat(40), WANDB_BASE_URL: 'http://127.0.0.1:9' }),
  });
  assert.equal(sync.status, 0, sync.stderr);
  const seen = sync.stdout.match(/^Record: \w+/gm) ?? [];
  assert.equal(seen.filter((l) => l === 'Record: history').length, view.history.length, sync.stdout);
  assert.equal(seen.filter((l) => l === 'Record: exit').length, 1);

  // The real `wandb sync` uploads it (to a loopback stand-in for the W&B service): run, config, rows, summary.
  const server = await startFakeWandb('accept');
  try {
    const up = await wandbSync(join(dir, record.wandb.dir), server.url);
    assert.equal(up.code, 0, up.out);
    assert.ok(up.out.includes(`Syncing: ${server.url}/test-entity/mizar40/runs/${record.id}`), up.out);
    assert.equal(server.upserts[0]!.name, record.id);
    const config = JSON.parse(server.upserts[0]!.config as string) as Record<string, { value: unknown }>;
    assert.deepEqual(config.model!.value, composed.model);
    assert.deepEqual(server.history.map(withoutTimes), expectedHistory(rows));
    for (const [k, v] of Object.entries(record.final_metrics as Record<string, number>)) assert.equal(server.summary[k], v, k);
    assert.deepEqual(server.complete, [{ exitcode: 0 }]);
    assert.ok(server.files['config.yaml']?.includes('bag_of_words'), 'config.yaml uploaded');
    assert.ok(existsSync(`${file}.synced`), 'wandb sync marked the run synced');
    assert.equal((readWandbLink(dir) as { link: { synced: boolean } }).link.synced, true);
    assert.deepEqual(server.unknown, []);
  } finally {
    await server.close();
  }
});

test('bait resume from an earlier checkpoint continues the same W&B run and step sequence, each step once', async (t) => {
  if (!pythonOrSkip(t)) return;
  const ws = workspace();
  assert.equal(bait(ws, ['run', 'premise_selection/mizar40/bag_of_words', ...QUICK]).code, 0);
  const dir = runDirOf(ws);
  const before = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  const index = JSON.parse(readFileSync(join(dir, 'checkpoints', 'index.json'), 'utf8')) as { checkpoints: Array<{ name: string; step: number }> };
  const earlier = index.checkpoints.filter((c) => c.name !== 'last').sort((a, b) => a.step - b.step)[0]!;
  const lastStep = Math.max(...metricsRows(dir).map((r) => r.step));
  assert.ok(earlier.step < lastStep, `a checkpoint before the end (${earlier.step} < ${lastStep})`);

  // Resuming from it makes the rows after it a lost stretch: W&B and TensorBoard must show the new ones only.
  const r = bait(ws, ['resume', dir, '--from', earlier.name]);
  assert.equal(r.code, 0, r.err + r.out);
  const after = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  assert.equal(after.id, before.id);
  assert.equal(after.wandb.dir, before.wandb.dir, 'the same W&B run folder');
  assert.equal(readdirSync(join(dir, 'wandb')).filter((d) => d.includes('run-')).length, 1);

  const rows = metricsRows(dir);
  const kept = rows.filter((x) => x.attempt === 2 || x.step <= earlier.step);
  // The first attempt's rows past the checkpoint were moved aside (metrics.superseded.jsonl), not lost.
  const superseded = readFileSync(join(dir, 'metrics.superseded.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MetricsRow);
  assert.ok(superseded.length > 0 && superseded.every((x) => x.attempt === 1 && x.step > earlier.step));
  assert.deepEqual(kept, rows, 'metrics.jsonl holds each step once');
  const view = wandbView(readWandb(wandbFileOf(dir)));
  assert.equal(view.run!.run_id, before.id);
  assert.deepEqual(view.history.map(withoutTimes), expectedHistory(kept));
  assert.equal(view.exits.length, 1, 'only the last attempt ends the W&B run');
  assert.ok(r.out.includes(`continuing run ${before.id}`), r.out);

  assert.equal(readdirSync(dir).filter((f) => f.startsWith('events.out.tfevents.')).length, 2);
  assert.deepEqual(readTensorBoard(dir), expectedScalars(kept));

  // What `wandb sync` uploads for the resumed run: the same run, each step once.
  const server = await startFakeWandb('accept');
  try {
    const up = await wandbSync(join(dir, after.wandb.dir), server.url);
    assert.equal(up.code, 0, up.out);
    assert.deepEqual(server.upserts.map((u) => u.name), [before.id]);
    assert.deepEqual(server.history.map(withoutTimes), expectedHistory(kept));
    assert.deepEqual(server.complete, [{ exitcode: 0 }]);
  } finally {
    await server.close();
  }
});

test('a fork is a new W&B run that records its parent and branch step', (t) => {
  if (!pythonOrSkip(t)) return;
  const ws = workspace();
  assert.equal(bait(ws, ['run', 'premise_selection/mizar40/bag_of_words', ...QUICK]).code, 0);
  const parent = runDirOf(ws);
  const parentId = JSON.parse(readFileSync(join(parent, 'run.json'), 'utf8')).id;
  const index = JSON.parse(readFileSync(join(parent, 'checkpoints', 'index.json'), 'utf8')) as { checkpoints: Array<{ name: string; step: number }> };
  const from = index.checkpoints.filter((c) => c.name !== 'last').sort((a, b) => a.step - b.step)[0]!;
  const r = bait(ws, ['resume', parent, '--fork', '--from', from.name, 'exp_config.directory=runs/fork']);
  assert.equal(r.code, 0, r.err + r.out);
  const fork = join(ws, 'runs', 'fork');
  const rec = JSON.parse(readFileSync(join(fork, 'run.json'), 'utf8'));
  assert.notEqual(rec.id, parentId);
  const view = wandbView(readWandb(wandbFileOf(fork)));
  assert.deepEqual((view.config._wandb as { branch_point: unknown }).branch_point, { run_id: parentId, step: from.step });
  assert.equal(view.history[0]!._step, metricsRows(fork)[0]!.step);
  assert.ok((view.history[0]!._step as number) > from.step);
});

test('bad logging settings stop before training with one error naming the key and where it was set', () => {
  const ws = workspace();
  const run = (args: string[], env: Record<string, string> = {}) => bait(ws, ['run', 'premise_selection/mizar40/bag_of_words', ...QUICK, ...args], env);
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [['+logging_config.mode=sometimes'], {}, /override.*logging_config\.mode.*online, offline or disabled/s],
    [['logging_config.id=a/b'], {}, /logging_config\.id.*cannot contain "\/"/s],
    [['logging_config.id=" x"'], {}, /logging_config\.id.*whitespace/s],
    [[], { WANDB_MODE: 'sometimes' }, /WANDB_MODE.*online, offline or disabled/],
    [['+logging_config.dir=configs/base/exp_config.yaml'], {}, /logging_config\.dir.*cannot write/s],
    [['logging_config.offline=maybe'], {}, /logging_config\.offline.*true or false/s],
  ];
  for (const [args, env, message] of cases) {
    const r = run(args, env);
    assert.equal(r.code, 1, `${args} ${JSON.stringify(env)}: ${r.err}`);
    assert.match(r.err, message);
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
    assert.ok(!existsSync(join(ws, 'runs')), 'nothing was started');
  }
  // A value set in a config file points at its file, line and column.
  const yaml = join(ws, 'configs', 'base', 'logging_config.yaml');
  const text = readFileSync(yaml, 'utf8');
  spawnSync('sh', ['-c', `printf '  mode: sometimes\\n' >> '${yaml}'`]);
  const r = run([]);
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, new RegExp(`logging_config\\.yaml:${text.trimEnd().split('\n').length + 1}:\\d+`));
  assert.match(r.err, /logging_config\.mode/);
});

test('WANDB_MODE=disabled turns W&B off; logging_config.tensorboard=false turns TensorBoard off', () => {
  const ws = workspace();
  assert.equal(bait(ws, ['run', 'premise_selection/mizar40/bag_of_words', ...QUICK, 'exp_config.directory=runs/a', '+logging_config.tensorboard=false'], { WANDB_MODE: 'disabled' }).code, 0);
  const a = join(ws, 'runs', 'a');
  assert.ok(!existsSync(join(a, 'wandb')));
  assert.equal(readdirSync(a).filter((f) => f.startsWith('events.out')).length, 0);
  assert.equal(JSON.parse(readFileSync(join(a, 'run.json'), 'utf8')).wandb, null);
  assert.deepEqual(readWandbLink(a), { reason: 'W&B was disabled for this run' });
  assert.ok(metricsRows(a).length > 0, 'metrics.jsonl is still written');
});
