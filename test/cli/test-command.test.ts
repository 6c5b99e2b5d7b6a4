// `bait test <run> [--ckpt best] [--split val|test]` on a real trained run: it scores the checkpoint with exactly
// the metrics validation computed, records each result, and refuses bad input with a clear message.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'runner.js');

function bait(ws: string, args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ws, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// bag_of_words, bow_context with context features, and the default, boosted trees on context features and label
// statistics (both computed from the training split again at test time; the trees come from the checkpoint's JSON),
// the same under the chronological protocol (at test time the pairs also read the labels of their article's earlier
// conjectures in train, val and the test split itself, so bait test must hand the test split to the history),
// and the cross-attention model (not a PremiseSelection: its own checkpoint layout), made small so that its two full
// validation passes stay cheap on a loaded machine.
const SMALLER: Record<string, string[]> = {
  cross_attention: ['model.d_model=16', 'model.classifier.input_shape=32', 'model.classifier.hidden=16', 'data_config.attributes.max_len=48'],
};
for (const config of ['bag_of_words', 'bow_context', 'boosted_trees', 'boosted_trees_chronological', 'cross_attention']) {
test(`bait test scores the best checkpoint on test, and on val reproduces the validation metrics exactly (${config})`, () => {
  const ws = mkdtempSync(join(tmpdir(), 'bait-test-cmd-'));
  cpSync(join(ROOT, 'configs'), join(ws, 'configs'), { recursive: true });
  const dir = join(ws, 'run');
  // Two short epochs with validation over the whole val split after each.
  const r = bait(ws, ['run', `premise_selection/mizar40/${config}`, `exp_config.directory=${dir}`, 'trainer.max_epochs=2',
    '+trainer.limit_train_batches=6', 'trainer.enable_progress_bar=false', `data_config.data_options.dir=${join(ROOT, 'data', 'mizar40-m2k')}`,
    ...(SMALLER[config] ?? [])]);
  assert.equal(r.code, 0, r.err + r.out);
  // The bundled configs keep the best checkpoint by validation AUC, and the run says how to test it.
  assert.match(r.out, /Best checkpoint: epoch=\d+-auc=[\d.]+ \(auc [\d.]+\); score it on the test split with: bait test /);
  const index = JSON.parse(readFileSync(join(dir, 'checkpoints', 'index.json'), 'utf8')) as {
    best: string; checkpoints: Array<{ name: string; metrics: Record<string, number> }>;
  };
  assert.ok(index.best, 'the run has a best checkpoint');

  const onVal = bait(ws, ['test', dir, '--ckpt', 'best', '--split', 'val', '--json']);
  assert.equal(onVal.code, 0, onVal.err);
  const val = JSON.parse(onVal.out) as { checkpoint: string; split: string; metrics: Record<string, number> };
  assert.equal(val.checkpoint, join('checkpoints', index.best));
  const logged = index.checkpoints.find((c) => c.name === index.best)!.metrics;
  for (const k of ['acc', 'auc', 'map', 'recall@1', 'recall@5']) assert.equal(val.metrics[k], logged[k], k);
  assert.equal(val.metrics.loss, logged.val_loss);

  const onTest = bait(ws, ['test', dir]);
  assert.equal(onTest.code, 0, onTest.err);
  assert.match(onTest.out, new RegExp(`test metrics of checkpoints/${index.best.replace(/[.]/g, '\\.')} `), 'defaults to best');
  assert.match(onTest.out, /recall@5_ceiling/);
  // A chronological model's scores read held-out proofs: the output says so beside them, and the JSON names it.
  const chronological = config.endsWith('_chronological');
  assert.equal(/Protocol: chronological/.test(onTest.out), chronological, onTest.out);
  assert.equal((JSON.parse(onVal.out) as { protocol: string }).protocol, chronological ? 'chronological' : 'offline');
  const results = JSON.parse(readFileSync(join(dir, 'test_results.json'), 'utf8')) as Record<string, { split: string; metrics: Record<string, number> }>;
  assert.deepEqual(Object.keys(results).sort(), [`checkpoints/${index.best}:test`, `checkpoints/${index.best}:val`]);
  const t = results[`checkpoints/${index.best}:test`]!.metrics;
  // Twelve steps barely move a neural model off its random start, whose ranking can land on either side of 0.5 (a
  // cross_attention run scored 0.32 once); twelve trees already rank. Exactness is checked on val above.
  if (config.startsWith('boosted_trees')) assert.ok(t.auc! > 0.5 && t.auc! < 1, `test auc ${t.auc}`);
  else assert.ok(t.auc! > 0 && t.auc! < 1, `test auc ${t.auc}`);
  assert.ok(t['recall@5']! <= t['recall@5_ceiling']!);
  assert.notEqual(t.auc, val.metrics.auc, 'test is another split than val');
  const unknown = bait(ws, ['test', dir, '--ckpt', 'epoch=99']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /has no complete checkpoint 'epoch=99'/);
});
}

test('bait test refuses a missing run, no run directory and a bad split with a clear message', () => {
  const ws = mkdtempSync(join(tmpdir(), 'bait-test-cmd-'));
  const none = bait(ws, ['test', join(ws, 'nope')]);
  assert.equal(none.code, 1);
  assert.match(none.err, /is not a run directory \(no run\.json\)/);
  assert.doesNotMatch(none.err, /\n\s+at /, 'no stack trace');
  const usage = bait(ws, ['test']);
  assert.equal(usage.code, 2);
  assert.match(usage.err, /bait test needs the run directory/);
  const split = bait(ws, ['test', ws, '--split', 'train']);
  assert.equal(split.code, 2);
  assert.match(split.err, /--split must be one of test, val/);
  assert.ok(!existsSync(join(ws, 'test_results.json')));
});
