// Online mode through the official @wandb/sdk client, against a loopback stand-in for the W&B service
// (fake-wandb.ts): what the SDK sends (run, config, every history row with _step, summary, exit code), resume
// continuing the same run's history, and failures (refused connection, 403, a server that never answers) that
// must neither stop nor fail training and leave a complete local folder for `wandb sync`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../infra/common.js';
import { readWandbLink } from '../../extension/run-dirs/wandb.js';
import { startFakeWandb } from './fake-wandb.js';
import { cleanEnv, metricsRows, runAsync, pythonOrSkip, readWandb, runDirOf, wandbFileOf, wandbView, workspace, ROOT } from './helpers.js';

const QUICK = ['trainer.max_epochs=2', '+trainer.limit_train_batches=8', '+trainer.limit_val_batches=2', 'trainer.enable_progress_bar=false',
  'trainer.log_every_n_steps=2', 'trainer.val_check_interval=4'];

function bait(ws: string, args: string[], env: Record<string, string>) {
  return runAsync(process.execPath, [join(ROOT, 'dist', 'runner.js'), ...args], { cwd: ws, env: cleanEnv(env) });
}

const KEY = { WANDB_API_KEY: 'k'.repeat(40) };

function stepRows(dir: string, keep: (r: { step: number; attempt: number }) => boolean = () => true) {
  const byStep = new Map<number, Record<string, number>>();
  for (const r of metricsRows(dir).filter(keep)) {
    const { step, epoch, time: _t, attempt: _a, ...m } = r;
    byStep.set(step, { ...(byStep.get(step) ?? {}), ...m, epoch, _step: step, 'trainer/global_step': step });
  }
  return [...byStep.values()];
}

function strip(h: Record<string, unknown>) {
  const { _runtime, _timestamp, ...rest } = h;
  return rest;
}

test('online: the SDK creates the run with its config and streams every row, the summary and the exit code', async () => {
  const server = await startFakeWandb('accept');
  try {
    const ws = workspace();
    const r = await bait(ws, ['run', 'premise_selection/mizar40/bag_of_words', ...QUICK, 'logging_config.offline=false', '+logging_config.tags=[x]'],
      { ...KEY, WANDB_BASE_URL: server.url });
    assert.equal(r.code, 0, r.out);
    const dir = runDirOf(ws);
    const rec = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    assert.equal(rec.wandb.mode, 'online');
    assert.equal(rec.wandb.url, `${server.url}/test-entity/mizar40/runs/${rec.id}`);
    assert.match(rec.wandb.dir, new RegExp(`^wandb/run-\\d{8}_\\d{6}-${rec.id}$`));
    assert.ok(r.out.includes(`W&B: ${rec.wandb.url}`), r.out);
    // The editor's "Open in W&B" opens that page.
    assert.equal((readWandbLink(dir) as { link: { url: string } }).link.url, rec.wandb.url);
    assert.doesNotMatch(r.out, /wandb sync/, 'nothing left to upload');

    assert.equal(server.upserts.length, 1);
    const u = server.upserts[0]!;
    assert.equal(u.name, rec.id);
    assert.equal(u.project, 'mizar40');
    assert.equal(u.entity, 'test-entity', 'the default entity from the viewer query');
    assert.deepEqual(u.tags, ['x']);
    const config = JSON.parse(u.config as string) as Record<string, { value: unknown }>;
    assert.deepEqual(Object.keys(config), ['_wandb', 'data_config', 'logging_config', 'exp_config', 'trainer', 'model', 'data_module']);
    assert.equal((config.model!.value as { lr: number }).lr, 0.001);

    assert.deepEqual(server.history.map(strip), stepRows(dir));
    for (const [k, v] of Object.entries(rec.final_metrics as Record<string, number>)) assert.equal(server.summary[k], v, k);
    assert.deepEqual(server.complete, [{ exitcode: 0 }]);
  } finally {
    await server.close();
  }
});

test('online resume continues the same W&B run: history lines after the kept ones, each step once', async (t) => {
  if (!pythonOrSkip(t)) return;
  const server = await startFakeWandb('accept');
  try {
    const ws = workspace();
    const env = { ...KEY, WANDB_BASE_URL: server.url, WANDB_MODE: 'online' };
    assert.equal((await bait(ws, ['run', 'premise_selection/mizar40/bag_of_words', ...QUICK], env)).code, 0);
    const dir = runDirOf(ws);
    const index = JSON.parse(readFileSync(join(dir, 'checkpoints', 'index.json'), 'utf8')) as { checkpoints: Array<{ name: string; step: number }> };
    const from = index.checkpoints.filter((c) => c.name !== 'last').sort((a, b) => a.step - b.step)[0]!;
    const r = await bait(ws, ['resume', dir, '--from', from.name], env);
    assert.equal(r.code, 0, r.out);
    const id = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).id;
    assert.deepEqual(server.upserts.map((u) => u.name), [id, id]);
    const expected = stepRows(dir, (x) => x.attempt === 2 || x.step <= from.step);
    assert.deepEqual(server.history.map(strip), expected);
    assert.deepEqual(wandbView(readWandb(wandbFileOf(dir))).history.map(strip), expected, 'the local copy agrees');
    assert.deepEqual(server.complete, [{ exitcode: 0 }, { exitcode: 0 }]);
  } finally {
    await server.close();
  }
});

for (const failure of ['refused', 'deny', 'hang'] as const) {
  test(`online with a W&B host that ${failure === 'refused' ? 'refuses connections' : failure === 'deny' ? 'answers 403' : 'never answers'}: training finishes, the local folder has every row`, async (t) => {
    if (!pythonOrSkip(t)) return;
    const server = failure === 'refused' ? null : await startFakeWandb(failure);
    try {
      const ws = workspace();
      const url = server?.url ?? `http://127.0.0.1:${await freePort()}`;
      const r = await bait(ws, ['run', 'premise_selection/mizar40/bag_of_words', ...QUICK, 'logging_config.offline=false'],
        { ...KEY, WANDB_BASE_URL: url, BAIT_WANDB_REQUEST_WAIT_MS: '3000', BAIT_WANDB_FINISH_WAIT_MS: '5000' });
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /W&B: cannot stream to .*the run goes on offline/);
      assert.equal(r.out.match(/W&B: cannot stream/g)!.length, 1, 'one warning');
      assert.doesNotMatch(r.out, /\n\s+at /, 'no stack trace');
      const dir = runDirOf(ws);
      const rec = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
      assert.equal(rec.status, 'completed');
      assert.ok(r.out.includes(`wandb sync ${join(dir, rec.wandb.dir)}`), r.out);
      assert.deepEqual(wandbView(readWandb(wandbFileOf(dir))).history.map(strip), stepRows(dir));
      assert.ok(readdirSync(dir).some((f) => f.startsWith('events.out.tfevents.')));
      assert.match(readFileSync(join(dir, 'log.txt'), 'utf8'), /W&B: cannot stream/);
    } finally {
      await server?.close();
    }
  });
}

test('online without WANDB_API_KEY logs offline and says so', async () => {
  const ws = workspace();
  const r = await bait(ws, ['run', 'premise_selection/mizar40/bag_of_words', ...QUICK, 'logging_config.offline=false'], {});
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /online mode \(logging_config\.offline\) needs WANDB_API_KEY; logging offline instead/);
  assert.equal(JSON.parse(readFileSync(join(runDirOf(ws), 'run.json'), 'utf8')).wandb.mode, 'offline');
});
