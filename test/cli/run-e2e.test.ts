// `bait` end to end on the shipped data, as a user types it: train, list, resume, sweep, resume a sweep.
// Small limits keep each run to a second or two on two cores.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'runner.js');
const QUICK = ['trainer.max_epochs=1', '+trainer.limit_train_batches=4', '+trainer.limit_val_batches=2', 'trainer.enable_progress_bar=false'];

function workspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'bait-e2e-'));
  cpSync(join(ROOT, 'configs'), join(ws, 'configs'), { recursive: true });
  cpSync(join(ROOT, 'data'), join(ws, 'data'), { recursive: true });
  return ws;
}

function bait(ws: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ws, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function runDirs(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    if (existsSync(join(d, 'run.json'))) out.push(d);
    for (const n of readdirSync(d, { withFileTypes: true })) if (n.isDirectory() && n.name !== 'checkpoints') walk(join(d, n.name));
  };
  walk(root);
  return out.sort();
}

test('bait run trains, bait runs lists it, bait resume appends a second attempt', () => {
  const ws = workspace();
  const r = bait(ws, ['run', 'premise_selection/mizar40/bag_of_words', ...QUICK]);
  assert.equal(r.code, 0, r.err + r.out);
  const [dir] = runDirs(join(ws, 'runs'));
  assert.ok(dir, 'a run directory under runs/');
  for (const f of ['run.json', 'metrics.jsonl', 'log.txt', '.hydra/config.yaml', '.hydra/overrides.yaml', '.hydra/hydra.yaml', 'checkpoints/index.json', 'checkpoints/last/manifest.json']) {
    assert.ok(existsSync(join(dir!, f)), f);
  }
  const runs = JSON.parse(bait(ws, ['runs', '--json']).out) as { runs: { dir: string; status: string }[] };
  assert.deepEqual(runs.runs.map((x) => [x.dir, x.status]), [[dir, 'completed']]);

  const again = bait(ws, ['resume', dir!, 'trainer.max_epochs=2']);
  assert.equal(again.code, 0, again.err);
  const record = JSON.parse(readFileSync(join(dir!, 'run.json'), 'utf8')) as { attempts: { resumed_from: string | null }[] };
  assert.equal(record.attempts.length, 2);
  assert.ok(record.attempts[1]!.resumed_from);
  const attempts = new Set(readFileSync(join(dir!, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { attempt: number }).attempt));
  assert.deepEqual([...attempts], [1, 2]);
});

test('bait run -m runs each job in its own numbered directory and writes sweep.json', () => {
  const ws = workspace();
  const dry = bait(ws, ['run', 'premise_selection/mizar40/bag_of_words', '-m', ...QUICK, 'model.lr=0.001,0.01', '--dry-run', '--json']);
  assert.equal(dry.code, 0, dry.err);
  const planned = dry.out.trim().split('\n').map((l) => JSON.parse(l) as { num: number; overrides: string[] });
  assert.deepEqual(planned.map((j) => j.num), [0, 1]);
  assert.ok(planned[1]!.overrides.includes('model.lr=0.01'));

  const r = bait(ws, ['run', 'premise_selection/mizar40/bag_of_words', '-m', ...QUICK, 'model.lr=0.001,0.01']);
  assert.equal(r.code, 0, r.err);
  const [sweepDir] = readdirSync(join(ws, 'multirun')).flatMap((d) => readdirSync(join(ws, 'multirun', d)).map((t) => join(ws, 'multirun', d, t)));
  const manifest = JSON.parse(readFileSync(join(sweepDir!, 'sweep.json'), 'utf8')) as { jobs: { num: number; status: string; dir: string }[] };
  assert.deepEqual(manifest.jobs.map((j) => [j.num, j.status, j.dir]), [[0, 'completed', '0'], [1, 'completed', '1']]);
  assert.ok(existsSync(join(sweepDir!, 'multirun.yaml')));
  const record = JSON.parse(readFileSync(join(sweepDir!, '1', 'run.json'), 'utf8')) as { sweep: { job_num: number }; overrides: string[] };
  assert.equal(record.sweep.job_num, 1);
});

test('a sweep with one invalid job starts nothing and names the job and the override', () => {
  const ws = workspace();
  const r = bait(ws, ['run', 'premise_selection/mizar40/bag_of_words', '-m', ...QUICK, 'model.lr=0.1,${nope}']);
  assert.equal(r.code, 1);
  assert.match(r.err, /job #1/);
  assert.equal(existsSync(join(ws, 'multirun')), false);
});

test('resuming a sweep reruns only the job that failed, in its own directory', () => {
  const ws = workspace();
  // Job 1 points at a data folder that does not exist yet: it fails while job 0 completes.
  const r = bait(ws, ['run', 'premise_selection/mizar40/bag_of_words', '-m', ...QUICK, 'data_config.data_options.dir=data/mizar40-m2k,data/later']);
  assert.equal(r.code, 3, r.err);
  const [sweepDir] = readdirSync(join(ws, 'multirun')).flatMap((d) => readdirSync(join(ws, 'multirun', d)).map((t) => join(ws, 'multirun', d, t)));
  const before = JSON.parse(readFileSync(join(sweepDir!, 'sweep.json'), 'utf8')) as { jobs: { status: string }[] };
  assert.deepEqual(before.jobs.map((j) => j.status), ['completed', 'failed']);
  const firstRun = readFileSync(join(sweepDir!, '0', 'run.json'), 'utf8');
  cpSync(join(ws, 'data', 'mizar40-m2k'), join(ws, 'data', 'later'), { recursive: true });
  const again = bait(ws, ['resume', sweepDir!]);
  assert.equal(again.code, 0, again.err);
  const after = JSON.parse(readFileSync(join(sweepDir!, 'sweep.json'), 'utf8')) as { jobs: { status: string }[] };
  assert.deepEqual(after.jobs.map((j) => j.status), ['completed', 'completed']);
  assert.equal(readFileSync(join(sweepDir!, '0', 'run.json'), 'utf8'), firstRun, 'the completed job was not run again');
  writeFileSync(join(ws, 'done'), '');
});

test('limit_val_batches=1 is one batch and 1.0 the whole set, as in Lightning (the YAML type decides)', () => {
  const ws = workspace();
  const counts = ['1', '1.0'].map((v) => {
    const r = bait(ws, ['run', 'premise_selection/mizar40/bag_of_words', 'trainer.max_epochs=1', '+trainer.limit_train_batches=2', `+trainer.limit_val_batches=${v}`, 'trainer.enable_progress_bar=false']);
    assert.equal(r.code, 0, r.err);
    const m = /(\d+) train \/ (\d+) val batches/.exec(r.out + r.err);
    assert.ok(m, r.out);
    return Number(m![2]);
  });
  assert.equal(counts[0], 1);
  assert.ok(counts[1]! > 50, `the whole validation set (${counts[1]} batches)`);
});

test('a bad constructor argument in a config file is reported at its file, line and column', () => {
  const ws = workspace();
  const file = join(ws, 'configs', 'premise_selection', 'mizar40', 'bag_of_words.yaml');
  const text = readFileSync(file, 'utf8').replace('    d_model: 128\n', '    d_model: 128\n    bogus: 1\n');
  writeFileSync(file, text);
  const line = text.split('\n').findIndex((l) => l.includes('bogus: 1')) + 1;
  const r = bait(ws, ['run', 'premise_selection/mizar40/bag_of_words', ...QUICK]);
  assert.equal(r.code, 1);
  assert.match(r.err, new RegExp(`bag_of_words\\.yaml:${line}:12: error: config key 'model\\.goal_embedding_module\\.bogus': .*no parameter 'bogus'`));
  assert.match(r.err, /\n {6}bogus: 1\n {13}\^/);
  const o = bait(ws, ['run', 'premise_selection/mizar40/bag_of_words', ...QUICK, 'model.goal_embedding_module._target_=child_process.exec']);
  assert.equal(o.code, 1);
  assert.match(o.err, /override #5 .*column 38: error: .*refused/);
});

test('Ctrl-C during real training saves last, marks the run stopped and exits 130; resume continues it', async (t) => {
  const { spawn } = await import('node:child_process');
  const ws = workspace();
  const child = spawn(process.execPath, [CLI, 'run', 'premise_selection/mizar40/bag_of_words', 'trainer.max_epochs=50', 'trainer.enable_progress_bar=false'], { cwd: ws });
  t.after(() => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')));
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  // Wait until training is under way (the first validation line), then interrupt. Generously: a loaded machine
  // can take minutes to reach the first validation.
  const deadline = Date.now() + 300_000;
  while (!/validation:/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.match(out, /validation:/, 'training started');
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  assert.equal(code, 130, out);
  const [dir] = runDirs(join(ws, 'runs'));
  const record = JSON.parse(readFileSync(join(dir!, 'run.json'), 'utf8')) as { status: string };
  assert.equal(record.status, 'stopped');
  assert.ok(existsSync(join(dir!, 'checkpoints', 'last', 'manifest.json')));
  const again = bait(ws, ['resume', dir!, 'trainer.max_epochs=1', '+trainer.limit_train_batches=4', '+trainer.limit_val_batches=2']);
  assert.equal(again.code, 0, again.err);
});

test('bait attach follows a local run to its end and exits with its outcome', async (t) => {
  const { spawn } = await import('node:child_process');
  const ws = workspace();
  const child = spawn(process.execPath, [CLI, 'run', 'premise_selection/mizar40/bag_of_words', 'trainer.max_epochs=2', 'trainer.enable_progress_bar=false'], { cwd: ws, stdio: 'ignore' });
  t.after(() => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')));
  const trained = new Promise((r) => child.on('exit', r));
  const deadline = Date.now() + 300_000;
  let dirs: string[] = [];
  while (!(dirs = runDirs(join(ws, 'runs'))).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(dirs.length, 1, 'the run directory appears');
  const attached = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const a = spawn(process.execPath, [CLI, 'attach', dirs[0]!], { cwd: ws });
    let out = '';
    a.stdout.on('data', (d) => (out += d));
    a.on('exit', (code) => resolve({ code, out }));
  });
  await trained;
  assert.equal(attached.code, 0, attached.out);
  assert.match(attached.out, /Finished at step \d+/);
});
