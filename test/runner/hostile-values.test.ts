// Hostile and unlucky config values through the built `bait` CLI: each is refused with a message that says what
// was given and points at where it was set, and nothing read through oc.env is ever written or printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCheckpoint } from '../../runner/checkpoint/store.js';
import { makeWorkspace, ROOT } from './helpers.js';

const CLI = join(ROOT, 'dist', 'runner.js');
const ws = makeWorkspace();
test.after(() => rmSync(ws, { recursive: true, force: true }));
const TINY = 'premise_selection/mizar40/tiny';

function bait(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ws, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', ...env }, timeout: 300_000 });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr, all: r.stdout + r.stderr };
}

const runJson = (dir: string) => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));

test('a loss that turns non-finite stops the run: exit 3, failed, `last` saved with finite weights; check_finite=false trains on', () => {
  const dir = join(ws, 'runs', 'nan');
  const r = bait(['run', TINY, `exp_config.directory=${dir}`, 'model.lr=1e30', 'trainer.max_steps=30']);
  assert.equal(r.code, 3, r.all);
  assert.match(r.out, /error: the experiment failed: the training loss is (nan|inf) at step (\d+)/);
  const at = Number(/at step (\d+)/.exec(r.out)![1]);
  assert.equal(runJson(dir).status, 'failed');
  const last = readCheckpoint(join(dir, 'checkpoints', 'last'));
  assert.equal(last.manifest.progress.global_step, at - 1, 'the state before the step that went non-finite');
  for (const t of last.tensors) assert.ok(t.values.every(Number.isFinite), `${t.name} is finite`);

  const on = bait(['run', TINY, `exp_config.directory=${join(ws, 'runs', 'nan-on')}`, 'model.lr=1e30', 'trainer.max_steps=30', '+trainer.check_finite=false']);
  assert.equal(on.code, 0, on.all);
});

test('trainer.callbacks entries that are not callback nodes are an error at the override', () => {
  const r = bait(['run', TINY, 'trainer.callbacks=[1,2]']);
  assert.equal(r.code, 1, r.all);
  assert.match(r.err, /^override #1 'trainer\.callbacks=\[1,2\]', column \d+: error: config key 'trainer\.callbacks\[0\]': must be a callback node with a _target_ .*got 1\n/);
});

test('run dirs that are not plain new or existing run directories are refused, and nothing is created beside them', () => {
  const file = join(ws, 'a-file');
  writeFileSync(file, 'x');
  for (const [d, why] of [['/', /\/ is the root of the file system/], ['/dev/null', /\/dev\/null is not a folder/],
    [file, /a-file is a file/], [join(file, 'x'), /a-file is a file/], [join(ws, 'configs'), /configs is an existing folder that is not a run directory/]] as const) {
    const r = bait(['run', TINY, `exp_config.directory=${d}`]);
    assert.equal(r.code, 1, `${d}: ${r.all}`);
    assert.match(r.err, why, d);
    assert.match(r.err, /config key 'exp_config\.directory': cannot make the run directory there/);
  }
  assert.ok(!existsSync('/_1') && !existsSync('/dev/null_1') && !existsSync(`${file}_1`) && !existsSync(join(ws, 'configs_1')));
});

test('NaN, inf and 1e999 are reported as what was given, not as null', () => {
  for (const [v, shown] of [['nan', 'nan'], ['inf', 'inf'], ['1e999', 'inf'], ['-inf', '-inf']]) {
    const r = bait(['run', TINY, `model.lr=${v}`]);
    assert.equal(r.code, 1, r.all);
    assert.match(r.err, new RegExp(`config key 'model\\.lr': lr must be a positive number, got ${shown}\\n`), v);
  }
  const b = bait(['run', TINY, 'data_config.batch_size=nan']);
  assert.match(b.err, /got nan/);
});

test('bad data_config.batch_size / max_len point at where they were set: the override, or the file line', () => {
  const o = bait(['run', TINY, 'data_config.batch_size=0']);
  assert.equal(o.code, 1, o.all);
  assert.match(o.err, /^override #1 'data_config\.batch_size=0', column 24: error: config key 'data_config\.batch_size' \(read as data_module\.config\.batch_size\): must be a positive integer, got 0\n/);
  const tiny = join(ws, 'configs', 'premise_selection', 'mizar40', 'tiny.yaml');
  const text = readFileSync(tiny, 'utf8');
  try {
    writeFileSync(tiny, text.replace('    max_len: 32', '    max_len: -4'));
    const f = bait(['run', TINY]);
    assert.equal(f.code, 1, f.all);
    const line = text.split('\n').findIndex((l) => l.includes('max_len: 32')) + 1;
    assert.match(f.err, new RegExp(`tiny\\.yaml:${line}:14: error: config key 'data_config\\.attributes\\.max_len' \\(read as data_module\\.config\\.attributes\\.max_len\\): must be a positive integer, got -4\\n`));
  } finally {
    writeFileSync(tiny, text);
  }
});

test('values read through oc.env are never printed in errors nor written into the run directory', () => {
  const SECRET = 'tok_3f9a8b7c6d5e';
  const r = bait(['run', TINY, 'data_config.batch_size=${oc.env:MY_TOKEN}'], { MY_TOKEN: SECRET });
  assert.equal(r.code, 1, r.all);
  assert.doesNotMatch(r.all, new RegExp(SECRET));
  assert.match(r.err, /got "<env:MY_TOKEN>"/);

  const dir = join(ws, 'runs', 'secret');
  const ok = bait(['run', TINY, `exp_config.directory=${dir}`, 'trainer.max_steps=5', '+exp_config.token=${oc.env:MY_TOKEN}'], { MY_TOKEN: SECRET });
  assert.equal(ok.code, 0, ok.all);
  assert.doesNotMatch(ok.all, new RegExp(SECRET));
  const files: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(dir);
  assert.ok(files.some((f) => f.endsWith('manifest.json')));
  for (const f of files) assert.ok(!readFileSync(f).includes(SECRET), `${f} holds the secret`);
  const m = readCheckpoint(join(dir, 'checkpoints', 'last')).manifest;
  assert.equal((m.config as { exp_config: { token: string } }).exp_config.token, '<env:MY_TOKEN>');
  assert.match(m.config_unresolved!, /token: \$\{oc\.env:MY_TOKEN\}/);
});
