// Hostile inputs to `bait run` as a user would type them (the built CLI in a child process): each is refused with
// one located message and exit 1, never a crash, a hang or a read outside the config dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DiskSource } from '../../runner/disk-source.js';
import { ALIAS_BOMB } from '../config/hostile-yaml.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'runner.js');

function workspace(t: { after: (fn: () => void) => void }, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bait-hostile-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

function bait(cwd: string, args: string[]) {
  // A memory cap, so a regression fails here quickly instead of swapping the machine.
  const r = spawnSync(process.execPath, ['--max-old-space-size=512', CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

test('a billion-laughs config is a located error, exit 1 (not an out-of-memory abort)', (t) => {
  const ws = workspace(t, { 'configs/bomb.yaml': ALIAS_BOMB });
  const r = bait(ws, ['run', 'bomb', '--cfg', 'job']);
  assert.equal(r.signal, null);
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /^configs\/bomb\.yaml:5:8: error: YAML aliases in this file expand to more than 10,000 nodes/);
  assert.equal(r.out, '');
});

test('config names and defaults entries with .. are refused: nothing outside the config dir is read', (t) => {
  const ws = workspace(t, {
    'outside/secret.yaml': 'secret: hunter2\n',
    'configs/sub/a.yaml': 'x: 1\n',
    'configs/entry.yaml': 'defaults:\n  - ../outside/secret\n  - _self_\na: 1\n',
    'configs/group.yaml': 'defaults:\n  - sub: ../../outside/secret\n  - _self_\n',
    'configs/plain.yaml': 'defaults:\n  - sub: a\n  - _self_\n',
    'configs/abs.yaml': 'defaults:\n  - /sub/../../outside/secret\n  - _self_\n',
  });
  const cases: Array<[string[], RegExp]> = [
    [['run', '../outside/secret'], /^error: '\.\.\/outside\/secret' leaves the config dir/],
    [['run', 'sub/../../outside/secret'], /leaves the config dir/],
    [['run', 'entry'], /^configs\/entry\.yaml:2:5: error: '\.\.\/outside\/secret' leaves the config dir/],
    [['run', 'group'], /^configs\/group\.yaml:2:10: error: 'sub: \.\.\/\.\.\/outside\/secret' leaves the config dir/],
    [['run', 'abs'], /^configs\/abs\.yaml:2:5: error: .* leaves the config dir/],
    [['run', 'plain', 'sub=../../outside/secret'], /'sub: \.\.\/\.\.\/outside\/secret' leaves the config dir/],
  ];
  for (const [args, expected] of cases) {
    const r = bait(ws, [...args, '--cfg', 'job']);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, expected, args.join(' '));
    assert.doesNotMatch(r.out + r.err, /hunter2/);
  }
});

test('the disk source never reads or lists outside its root, whatever path it is handed', (t) => {
  const ws = workspace(t, { 'outside/secret.yaml': 'secret: hunter2\n', 'configs/a.yaml': 'a: 1\n' });
  const src = new DiskSource(join(ws, 'configs'));
  assert.equal(src.read('a.yaml'), 'a: 1\n');
  assert.equal(src.read('../outside/secret.yaml'), undefined);
  assert.equal(src.read('x/../../outside/secret.yaml'), undefined);
  assert.equal(src.list('..'), undefined);
  assert.deepEqual(src.list('')?.files, ['a.yaml']);
});
