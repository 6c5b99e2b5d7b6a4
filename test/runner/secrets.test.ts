// Secrets read through `${oc.env:...}` never leave the process resolved: a run that reads a token from the
// environment into its name, W&B notes and tags, a callback's argument, and then fails with the token in its
// exception (exit 3) must not hold the token in any file of its run directory (log.txt, run.json, metrics,
// checkpoints, .hydra, W&B, TensorBoard), nor print it; nor may a local sweep of it (sweep.json, multirun.yaml,
// launcher.log, every job dir). The built `bait` CLI in a child process, as a user runs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeWorkspace, ROOT } from './helpers.js';
import { filesUnder } from '../infra/common.js';

const CLI = join(ROOT, 'dist', 'runner.js');
const SECRET = 'tok_9c41e07b2d5a';
const ws = makeWorkspace();
test.after(() => rmSync(ws, { recursive: true, force: true }));

// A callback that fails mid-training with its argument in the message, as a client library refusing a token does.
writeFileSync(join(ws, 'callbacks', 'leaky.ts'), `export class Leaky {
  constructor(opts) { this.token = opts.token; this.at = opts.at ?? 3; this.n = 0; }
  afterBatch() { if (++this.n >= this.at) throw new Error('the service refused token ' + this.token + ' (HTTP 401)'); }
}
`);
writeFileSync(join(ws, 'configs', 'premise_selection', 'mizar40', 'secret.yaml'), `# @package _global_
defaults:
  - tiny
  - _self_

exp_config:
  name: \${oc.env:MY_TOKEN}
  token: \${oc.env:MY_TOKEN}
  auth_header: "Bearer \${oc.env:MY_TOKEN}"

logging_config:
  notes: "token \${oc.env:MY_TOKEN}"
  tags: ["\${oc.env:MY_TOKEN}"]
  tensorboard: true
`);

function bait(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ws, encoding: 'utf8', timeout: 300_000, env: { ...process.env, FORCE_COLOR: '0', MY_TOKEN: SECRET, WANDB_MODE: 'offline' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr, all: r.stdout + r.stderr };
}


/** Every file under `dir` whose bytes hold the secret (as text, or JSON-escaped: it has no characters to escape). */
function leaks(dir: string): string[] {
  return filesUnder(dir).filter((f) => readFileSync(f).includes(SECRET));
}

test('a completed run: the token is in no file of the run dir and not printed; what it read shows as <env:MY_TOKEN>', () => {
  const dir = join(ws, 'runs', 'completed');
  const r = bait(['run', 'premise_selection/mizar40/secret', `exp_config.directory=${dir}`, 'trainer.max_steps=6']);
  assert.equal(r.code, 0, r.all);
  assert.ok(!r.all.includes(SECRET), r.all);
  const files = filesUnder(dir).map((f) => f.slice(dir.length + 1));
  for (const expected of [/^log\.txt$/, /^run\.json$/, /^metrics\.jsonl$/, /^checkpoints\/last\/manifest\.json$/, /^\.hydra\/config\.yaml$/,
    /^events\.out\.tfevents\./, /^wandb\/offline-run-[^/]+\/run-\w+\.wandb$/]) {
    assert.ok(files.some((f) => expected.test(f)), `the run wrote ${expected} (it has ${files.join(', ')})`);
  }
  assert.deepEqual(leaks(dir), []);
  const record = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  assert.equal(record.name, '<env:MY_TOKEN>');
  assert.equal(record.status, 'completed');
});

test('a run that fails with the token in its exception (exit 3): the error line, log.txt and run.json hold <env:MY_TOKEN>', () => {
  const dir = join(ws, 'runs', 'failed');
  const r = bait(['run', 'premise_selection/mizar40/secret', `exp_config.directory=${dir}`,
    'trainer.callbacks.0._target_=callbacks.leaky.Leaky', '+trainer.callbacks.0.token=${oc.env:MY_TOKEN}']);
  assert.equal(r.code, 3, r.all);
  assert.match(r.out, /error: the experiment failed: the service refused token <env:MY_TOKEN> \(HTTP 401\)/);
  assert.ok(!r.all.includes(SECRET), r.all);
  const log = readFileSync(join(dir, 'log.txt'), 'utf8');
  assert.match(log, /error: the experiment failed: the service refused token <env:MY_TOKEN> \(HTTP 401\)\n/);
  assert.match(log, /at Leaky\.afterBatch/, 'the stack is kept, only the value is masked');
  assert.equal(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).status, 'failed');
  assert.deepEqual(leaks(dir), []);
});

test('a local sweep of it: nothing in the sweep dir (sweep.json, multirun.yaml, launcher.log, each job) holds the token', () => {
  const sweep = join(ws, 'multirun', 'secret');
  const r = bait(['run', 'premise_selection/mizar40/secret', '-m', `hydra.sweep.dir=${sweep}`, 'hydra/launcher=local',
    'trainer.max_steps=2,3']);
  assert.equal(r.code, 0, r.all);
  assert.ok(!r.all.includes(SECRET), r.all);
  const files = filesUnder(sweep).map((f) => f.slice(sweep.length + 1));
  assert.ok(files.includes('multirun.yaml') && files.some((f) => /^0\/log\.txt$/.test(f)) && files.some((f) => /^1\/run\.json$/.test(f)) && files.some((f) => /^0\/launcher\.log$/.test(f)),
    files.join(', '));
  assert.deepEqual(leaks(sweep), []);
});
