// What survives what, for a run directory (README "Guarantees"), through the built `bait` CLI: a copied or moved
// run dir resumes from its own checkpoints and says so; a missing, cut or corrupted `last` gives way to the
// newest valid checkpoint, naming the broken one; a manifest without its RNG state is a clear error; a signal at
// any point of start-up exits 130.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCheckpoint } from '../../runner/checkpoint/store.js';
import { readMetrics } from '../../runner/run/metrics_log.js';
import { makeWorkspace, ROOT } from './helpers.js';

const CLI = join(ROOT, 'dist', 'runner.js');
const ws = makeWorkspace();
test.after(() => rmSync(ws, { recursive: true, force: true }));

function bait(args: string[], env: Record<string, string> = {}, preload?: string) {
  const r = spawnSync(process.execPath, [...(preload ? ['--require', preload] : []), CLI, ...args],
    { cwd: ws, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', ...env }, timeout: 300_000 });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr, all: r.stdout + r.stderr };
}

const runJson = (dir: string) => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
const step = (ckpt: string) => readCheckpoint(ckpt).manifest.progress.global_step;

/** A finished 10-step run (checkpoints every 5 steps: two top-k and `last`), copied per scenario. */
let base: string | undefined;
function baseRun(): string {
  if (base) return base;
  base = join(ws, 'runs', 'base');
  const r = bait(['run', 'premise_selection/mizar40/tiny', `exp_config.directory=${base}`, 'trainer.max_steps=10']);
  assert.equal(r.code, 0, r.all);
  return base;
}

function copyOfBase(name: string): string {
  const dir = join(ws, 'runs', name);
  cpSync(baseRun(), dir, { recursive: true });
  return dir;
}

test('run.json keeps paths relative to the run dir: a copied run dir resumes from its own checkpoints and says it was copied', () => {
  const a = baseRun();
  const rec = runJson(a);
  assert.equal(rec.checkpoint_dir, 'checkpoints');
  assert.equal(rec.run_dir, a);
  const b = join(ws, 'runs', 'copy');
  cpSync(a, b, { recursive: true });
  const r = bait(['resume', b, 'trainer.max_steps=15']);
  assert.equal(r.code, 0, r.all);
  assert.match(r.out, new RegExp(`note: this run directory was copied from ${a.replace(/[/.]/g, '\\$&')}`));
  assert.equal(step(join(b, 'checkpoints', 'last')), 15, 'the copy trained on from its own checkpoint');
  assert.equal(step(join(a, 'checkpoints', 'last')), 10, 'the original is untouched');
  assert.equal(Math.max(...readMetrics(join(b, 'metrics.jsonl')).map((x) => x.step)), 15);
  assert.equal(Math.max(...readMetrics(join(a, 'metrics.jsonl')).map((x) => x.step)), 10);
  assert.equal(runJson(b).run_dir, b);

  // Renamed (moved): it resumes too, and says so.
  const c = join(ws, 'runs', 'moved');
  renameSync(b, c);
  const m = bait(['resume', c, 'trainer.max_steps=20']);
  assert.equal(m.code, 0, m.all);
  assert.match(m.out, /note: this run directory was moved from .*runs\/copy/);
  assert.equal(step(join(c, 'checkpoints', 'last')), 20);
});

test('killed while writing the first `last`: resume takes the newest complete checkpoint and names it', () => {
  const dir = copyOfBase('kill-during-last');
  // The state a kill leaves in the middle of the first write of `last`: no `last`, a `last.tmp` without its
  // manifest (written last), and the top-k checkpoints of the same step complete.
  renameSync(join(dir, 'checkpoints', 'last'), join(dir, 'checkpoints', 'last.tmp'));
  rmSync(join(dir, 'checkpoints', 'last.tmp', 'manifest.json'));
  const r = bait(['resume', dir, 'trainer.max_steps=15']);
  assert.equal(r.code, 0, r.all);
  assert.match(r.err, /note: there is no complete checkpoint 'last' .*; using 'epoch=0-step=10-acc=[\d.]+' \(step 10\), the newest valid one/);
  assert.match(r.out, /Resuming run \w+ \(attempt 2\) from checkpoints\/epoch=0-step=10-acc=/);
  assert.equal(step(join(dir, 'checkpoints', 'last')), 15);
  assert.match(runJson(dir).attempts[1].resumed_from, /^checkpoints\/epoch=0-step=10-acc=/);
});

test('a cut, garbage or bit-flipped `last` is named and the newest valid checkpoint is used; every checkpoint is verified', () => {
  const breakages: Array<[string, (d: string) => void, RegExp]> = [
    ['truncated', (d) => truncateSync(join(d, 'tensors.bin'), 100), /'last': tensors\.bin has the wrong size/],
    ['garbage-manifest', (d) => writeFileSync(join(d, 'manifest.json'), '{"format": 1, "na'), /'last': manifest\.json is not valid JSON/],
    ['flipped', (d) => {
      const f = join(d, 'tensors.bin');
      const b = readFileSync(f);
      b[b.length >> 1] ^= 0x10;
      writeFileSync(f, b);
    }, /'last': tensors\.bin does not match the checksum in its manifest \(corrupted\)/],
  ];
  for (const [name, breakIt, why] of breakages) {
    const dir = copyOfBase(`broken-${name}`);
    breakIt(join(dir, 'checkpoints', 'last'));
    const r = bait(['resume', dir, 'trainer.max_steps=15']);
    assert.equal(r.code, 0, `${name}: ${r.all}`);
    assert.match(r.err, why, name);
    assert.match(r.err, /using 'epoch=0-step=10-acc=[\d.]+' \(step 10\), the newest valid one/, name);
    assert.equal(runJson(dir).status, 'completed', name);
    assert.equal(step(join(dir, 'checkpoints', 'last')), 15, name);
  }
});

test('with no valid checkpoint left, resume is a user error naming each broken one (the run is not marked failed)', () => {
  const dir = copyOfBase('all-broken');
  const ckpts = readFileSync(join(dir, 'checkpoints', 'index.json'), 'utf8');
  for (const c of JSON.parse(ckpts).checkpoints as Array<{ name: string }>) {
    const mf = join(dir, 'checkpoints', c.name, 'manifest.json');
    if (!existsSync(mf)) continue;
    const m = JSON.parse(readFileSync(mf, 'utf8'));
    delete m.rng;
    writeFileSync(mf, JSON.stringify(m));
  }
  const r = bait(['resume', dir]);
  assert.equal(r.code, 1, r.all);
  assert.match(r.err, /^bait: the run in .* has no valid checkpoint 'last' \('last': manifest\.json has no 'rng' \(written by another tool or edited\); 'epoch=/);
  assert.doesNotMatch(r.all, /internal error|Cannot read properties/);
  assert.equal(runJson(dir).status, 'completed');
  // An explicit checkpoint is never swapped for another: the same problem, as an error.
  const f = bait(['resume', dir, '--fork', '--from', 'last']);
  assert.equal(f.code, 1, f.all);
  assert.match(f.err, /'last': manifest\.json has no 'rng'/);
});

test('a signal at any phase of start-up exits 130 without leaving a run that looks alive', () => {
  const preload = join(ROOT, 'test', 'runner', 'fixtures', 'signal-at.cjs');
  // Right after: the CLI bundle, the config, the training bundle, the data, the first metrics row.
  for (const [at, sig] of [['runner-cli.js', 'SIGINT'], ['tiny.yaml', 'SIGTERM'], ['runner-main.js', 'SIGINT'],
    ['vocab.json', 'SIGTERM'], ['train.jsonl.gz', 'SIGINT']] as const) {
    const dir = join(ws, 'runs', `signal-${at}`);
    const r = bait(['run', 'premise_selection/mizar40/tiny', `exp_config.directory=${dir}`], { SIGNAL_AT: at, SIGNAL_AT_SIGNAL: sig, BAIT_CODE_CACHE: '0' }, preload);
    assert.equal(r.signal, null, `${at}: killed by ${r.signal}`);
    assert.equal(r.code, 130, `${at}: ${r.all}`);
    if (existsSync(join(dir, 'run.json'))) {
      assert.equal(runJson(dir).status, 'stopped', at);
      assert.ok(existsSync(join(dir, 'checkpoints', 'last', 'manifest.json')), `${at}: last saved`);
    }
  }
});
