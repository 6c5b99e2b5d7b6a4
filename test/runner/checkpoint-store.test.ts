// The checkpoint store: what a crash at any point of a write leaves behind is either the old checkpoint or the new
// one, never a half-written one taken as valid.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, renameSync, rmSync, statSync, truncateSync, writeFileSync, cpSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkpointProblem, chooseCheckpoint, findCheckpoint, listCheckpoints, readCheckpoint, writeCheckpoint } from '../../runner/checkpoint/store.js';
import { readMetrics, repairTornTail, SUPERSEDED_FILE, supersedeRowsAfter } from '../../runner/run/metrics_log.js';

const dir = mkdtempSync(join(tmpdir(), 'bait-ckpt-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function meta(step: number) {
  return {
    created: 'now', tfjs_version: 'x', backend: 'cpu', progress: { epoch: 0, batch_in_epoch: step, global_step: step },
    rng: { seed: 1, step }, optimizer: { class: 'Adam', config: {}, iterations: step }, callbacks: {}, metrics: { loss: step },
    validation_count: 0, config: { a: 1 },
  };
}
const tensors = (v: number) => [
  { name: 'w', group: 'model', dtype: 'float32' as const, shape: [2, 2], values: new Float32Array([v, 2, 3, 4]) },
  { name: 'accBeta1', group: 'optimizer_state', dtype: 'float32' as const, shape: [], values: new Float32Array([0.9]) },
];

test('a checkpoint round-trips: names, shapes, exact bytes, manifest', () => {
  writeCheckpoint(dir, 'a', meta(5), tensors(1.5));
  const c = readCheckpoint(join(dir, 'a'));
  assert.equal(c.manifest.progress.global_step, 5);
  assert.deepEqual(c.tensors.map((t) => [t.name, t.shape, Array.from(t.values)]), [['w', [2, 2], [1.5, 2, 3, 4]], ['accBeta1', [], [Math.fround(0.9)]]]);
  assert.deepEqual(listCheckpoints(dir), ['a']);
});

test('replacing `last` keeps a complete checkpoint at every moment, and .tmp is never valid', () => {
  writeCheckpoint(dir, 'last', meta(10), tensors(10));
  writeCheckpoint(dir, 'last', meta(20), tensors(20));
  assert.equal(readCheckpoint(findCheckpoint(dir, 'last')!).manifest.progress.global_step, 20);
  assert.ok(!existsSync(join(dir, 'last.old')) && !existsSync(join(dir, 'last.tmp')));

  // Killed while writing the next one: a .tmp with tensors but no manifest. It is ignored; `last` is used.
  cpSync(join(dir, 'last'), join(dir, 'last.tmp'), { recursive: true });
  rmSync(join(dir, 'last.tmp', 'manifest.json'));
  assert.equal(findCheckpoint(dir, 'last'), join(dir, 'last'));
  assert.ok(!listCheckpoints(dir).includes('last.tmp'));
  assert.match(checkpointProblem(join(dir, 'last.tmp'))!, /manifest\.json is missing/);

  // Killed between the two renames: `last` moved to `last.old`, the new one still `.tmp`: `.old` is used.
  renameSync(join(dir, 'last'), join(dir, 'last.old'));
  assert.equal(findCheckpoint(dir, 'last'), join(dir, 'last.old'));
  rmSync(join(dir, 'last.old'), { recursive: true });
  assert.equal(findCheckpoint(dir, 'last'), undefined, 'only a .tmp left: no checkpoint');
});

test('a truncated or corrupted tensors.bin is detected', () => {
  writeCheckpoint(dir, 'b', meta(1), tensors(1));
  truncateSync(join(dir, 'b', 'tensors.bin'), 8);
  assert.match(checkpointProblem(join(dir, 'b'))!, /wrong size/);
  assert.equal(findCheckpoint(dir, 'b'), undefined);
  writeCheckpoint(dir, 'c', meta(1), tensors(1));
  const bin = readFileSync(join(dir, 'c', 'tensors.bin'));
  bin[0] ^= 1;
  writeFileSync(join(dir, 'c', 'tensors.bin'), bin);
  assert.throws(() => readCheckpoint(join(dir, 'c')), /does not match the checksum in its manifest/);
});

test('metrics.jsonl: a torn last line is skipped by readers and cut off before appending', () => {
  const p = join(dir, 'metrics.jsonl');
  writeFileSync(p, '{"step":1,"epoch":0,"time":1,"attempt":1,"loss":0.5}\n{"step":2,"ep');
  assert.deepEqual(readMetrics(p).map((r) => r.step), [1]);
  assert.equal(repairTornTail(p), true);
  assert.equal(readFileSync(p, 'utf8'), '{"step":1,"epoch":0,"time":1,"attempt":1,"loss":0.5}\n');
  assert.equal(repairTornTail(p), false);
});

test('chooseCheckpoint: a broken `last` gives way to the newest valid checkpoint by step; every candidate is verified', () => {
  const d = mkdtempSync(join(dir, 'choose-'));
  writeCheckpoint(d, 'epoch=0-step=5', meta(5), tensors(5));
  writeCheckpoint(d, 'epoch=0-step=10', meta(10), tensors(10));
  writeCheckpoint(d, 'last', meta(10), tensors(10));
  assert.equal(chooseCheckpoint(d, 'last', true).path, join(d, 'last'));
  // A flipped byte passes the quick check (size) but not the checksum.
  const bin = join(d, 'last', 'tensors.bin');
  const b = readFileSync(bin);
  b[0] ^= 1;
  writeFileSync(bin, b);
  assert.equal(checkpointProblem(join(d, 'last')), undefined);
  const c = chooseCheckpoint(d, 'last', true);
  assert.equal(c.path, join(d, 'epoch=0-step=10'));
  assert.deepEqual(c.broken, [{ name: 'last', problem: 'tensors.bin does not match the checksum in its manifest (corrupted)' }]);
  // No fallback for a checkpoint asked for by name.
  assert.equal(chooseCheckpoint(d, 'last', false).path, undefined);
  // The newest is broken too: the next one, both named.
  writeFileSync(join(d, 'epoch=0-step=10', 'manifest.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(d, 'epoch=0-step=5', 'manifest.json'), 'utf8')), progress: undefined }));
  const c2 = chooseCheckpoint(d, 'last', true);
  assert.equal(c2.path, join(d, 'epoch=0-step=5'));
  assert.deepEqual(c2.broken.map((x) => x.name), ['last', 'epoch=0-step=10']);
  assert.match(c2.broken[1]!.problem, /has no 'progress'/);
  assert.throws(() => readCheckpoint(join(d, 'last')), /cannot be used: tensors\.bin does not match the checksum/);
});

test('supersedeRowsAfter: rows past the resumed step move to metrics.superseded.jsonl; metrics.jsonl is a new file with each step once', () => {
  const d = mkdtempSync(join(dir, 'metrics-'));
  const f = join(d, 'metrics.jsonl');
  const row = (step: number, attempt: number) => JSON.stringify({ step, epoch: 0, time: step, attempt, loss: step / 10 });
  writeFileSync(f, [1, 2, 3, 4, 5, 6].map((s) => row(s, 1)).join('\n') + '\n{"step": 7, "ep');
  const ino = statSync(f).ino;
  assert.equal(supersedeRowsAfter(f, 4, 2), 2);
  assert.deepEqual(readMetrics(f).map((r) => r.step), [1, 2, 3, 4]);
  assert.ok(readFileSync(f, 'utf8').endsWith('\n'), 'the torn row is gone');
  assert.notEqual(statSync(f).ino, ino, 'replaced by rename, so followers start over');
  assert.deepEqual(readMetrics(join(d, SUPERSEDED_FILE)).map((r) => [r.step, r.attempt, r.superseded_by]), [[5, 1, 2], [6, 1, 2]]);
  // Nothing past the step: the file is left alone.
  const ino2 = statSync(f).ino;
  assert.equal(supersedeRowsAfter(f, 4, 3), 0);
  assert.equal(statSync(f).ino, ino2);
});
