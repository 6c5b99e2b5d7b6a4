// Callbacks against a recording trainer: ModelCheckpoint's names, top-k bookkeeping for each save_top_k and mode,
// EarlyStopping's patience and thresholds, and the ranking metrics on hand-checked examples.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TrainerView } from '../../runner/train/callbacks/callback.js';
import { EarlyStopping } from '../../runner/train/callbacks/early_stopping.js';
import { ModelCheckpoint, formatMetric } from '../../runner/train/callbacks/model_checkpoint.js';
import { auc, averagePrecision, hitsAtK, rankingMetrics, validationMetrics } from '../../runner/train/metrics.js';

class FakeTrainer implements TrainerView {
  globalStep = 0;
  epoch = 0;
  metrics: Record<string, number> = {};
  learningRate = 1e-3;
  optimizerName = 'Adam';
  runDir = '/run';
  checkpointDir = '/run/checkpoints';
  validationEnabled = true;
  validationCount = 1;
  saved: string[] = [];
  removed: string[] = [];
  present = new Set<string>();
  stopped: string | undefined;
  index: unknown;
  log(): void {}
  print(): void {}
  async saveCheckpoint(_dir: string, name: string) { this.saved.push(name); this.present.add(name); }
  async removeCheckpoint(_dir: string, name: string) { this.removed.push(name); this.present.delete(name); }
  updateIndex(_dir: string, r: unknown) { this.index = r; }
  requestStop(reason: string) { this.stopped = reason; }
}

test('filename templates: {epoch}-{acc} -> epoch=3-acc=0.81, format specs, auto_insert_metric_name off', () => {
  const t = { epoch: 3, globalStep: 120, metrics: { acc: 0.81, val_loss: 0.123456 } };
  assert.equal(new ModelCheckpoint({ filename: '{epoch}-{acc}' }).formatName(t), 'epoch=3-acc=0.81');
  assert.equal(new ModelCheckpoint({ filename: '{epoch:02d}-{val_loss:.2f}' }).formatName(t), 'epoch=03-val_loss=0.12');
  assert.equal(new ModelCheckpoint({ filename: 'm-{step}-{val_loss:.3f}', auto_insert_metric_name: false }).formatName(t), 'm-120-0.123');
  assert.equal(new ModelCheckpoint({}).formatName(t), 'epoch=3-step=120');
  assert.equal(formatMetric(0.8125, undefined), '0.8125');
  assert.equal(formatMetric(0.123456789, undefined), '0.1235');
});

async function feed(cb: ModelCheckpoint, scores: number[]): Promise<FakeTrainer> {
  const t = new FakeTrainer();
  for (const [i, s] of scores.entries()) {
    t.epoch = i;
    t.globalStep = (i + 1) * 10;
    t.metrics = { acc: s };
    await cb.afterBatch(t, { epochEnd: true, validated: true });
  }
  return t;
}

test('save_top_k keeps the k best by mode, 0 keeps none, -1 keeps all; save_last after every save', async () => {
  const max = await feed(new ModelCheckpoint({ monitor: 'acc', mode: 'max', save_top_k: 2, save_last: true, filename: '{epoch}' }), [0.5, 0.7, 0.6, 0.9, 0.1]);
  assert.deepEqual([...max.present].sort(), ['epoch=1', 'epoch=3', 'last']);
  assert.deepEqual(max.index, { best_k: { 'epoch=1': 0.7, 'epoch=3': 0.9 }, best: 'epoch=3', monitor: 'acc', mode: 'max' });
  assert.equal(max.saved.filter((n) => n === 'last').length, 5);

  const min = await feed(new ModelCheckpoint({ monitor: 'acc', mode: 'min', save_top_k: 1, filename: '{epoch}' }), [0.5, 0.7, 0.3]);
  assert.deepEqual([...min.present], ['epoch=2']);

  const none = await feed(new ModelCheckpoint({ monitor: 'acc', save_top_k: 0, save_last: true }), [0.5, 0.7]);
  assert.deepEqual([...none.present], ['last']);

  const all = await feed(new ModelCheckpoint({ monitor: 'acc', save_top_k: -1, filename: '{epoch}' }), [0.5, 0.7, 0.1]);
  assert.equal(all.present.size, 3);

  const latest = await feed(new ModelCheckpoint({ save_top_k: 1, filename: '{epoch}' }), [0.5, 0.7, 0.1]);
  assert.deepEqual([...latest.present], ['epoch=2'], 'without a monitor the newest is kept');
});

test('every_n_epochs and every_n_train_steps decide when to save; a name clash gets -v1', async () => {
  const cb = new ModelCheckpoint({ every_n_train_steps: 5, save_top_k: -1, filename: 'fixed' });
  const t = new FakeTrainer();
  for (let s = 1; s <= 12; s++) {
    t.globalStep = s;
    await cb.afterBatch(t, { epochEnd: false, validated: false });
  }
  assert.deepEqual(t.saved, ['fixed', 'fixed-v1']);
  const epochs = new ModelCheckpoint({ every_n_epochs: 2, save_top_k: -1 });
  const u = new FakeTrainer();
  for (let e = 0; e < 4; e++) {
    u.epoch = e;
    u.globalStep = e + 1;
    await epochs.afterBatch(u, { epochEnd: true, validated: true });
  }
  assert.deepEqual(u.saved, ['epoch=1-step=2', 'epoch=3-step=4']);
});

test('EarlyStopping: patience, min_delta, thresholds, non-finite values, state round trip', () => {
  const es = new EarlyStopping({ monitor: 'val_loss', patience: 2, min_delta: 0.01 });
  const t = new FakeTrainer();
  for (const v of [1.0, 0.95, 0.945, 0.944]) es.onValidationEnd(t, { val_loss: v });
  assert.match(t.stopped!, /did not improve in the last 2 checks/);
  const restored = new EarlyStopping({ monitor: 'val_loss', patience: 2, min_delta: 0.01 });
  restored.loadStateDict(es.stateDict());
  assert.deepEqual(restored.stateDict(), es.stateDict());

  const th = new FakeTrainer();
  new EarlyStopping({ monitor: 'acc', mode: 'max', stopping_threshold: 0.9 }).onValidationEnd(th, { acc: 0.95 });
  assert.match(th.stopped!, /stopping threshold/);
  const nan = new FakeTrainer();
  new EarlyStopping({ monitor: 'acc' }).onValidationEnd(nan, { acc: Number.NaN });
  assert.match(nan.stopped!, /not finite/);
});

test('ranking metrics: AUC, recall@k and MAP per conjecture', () => {
  assert.equal(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
  assert.equal(auc([1, 1], [0, 1]), 0.5, 'ties count half');
  // Conjecture a: positives ranked 1st and 3rd -> AP = (1/1 + 2/3) / 2; b: its positive ranked 2nd -> AP = 1/2.
  const m = rankingMetrics({ logits: Float64Array.from([3, 2, 1, 0.5, 0.9]), labels: Float64Array.from([1, 0, 1, 1, 0]),
    conj: ['a', 'a', 'a', 'b', 'b'] }, [1, 2], true);
  assert.ok(Math.abs(m.map! - ((1 + 2 / 3) / 2 + 0.5) / 2) < 1e-12);
  assert.equal(m['recall@1'], (0.5 + 0) / 2);
  assert.equal(m['recall@2'], (0.5 + 1) / 2);
  // Ceilings: a has two positives, so its best recall@1 is 1/2; b's single positive can be first.
  assert.equal(m['recall@1_ceiling'], (0.5 + 1) / 2);
  assert.equal(m['recall@2_ceiling'], 1);
  const v = validationMetrics({ logits: Float64Array.from([2, -2]), labels: Float64Array.from([1, 0]), conj: ['a', 'a'] });
  assert.equal(v.acc, 1);
  assert.ok(Math.abs(v.val_loss! - Math.log1p(Math.exp(-2))) < 1e-12);
});

test('ranking metrics: tied scores never use the order of the data', () => {
  // A constant model on a list that holds its positives first (as the shipped splits do). All C(4,2) = 6 placements
  // of the two positives are equally likely: AP = 1, 5/6, 3/4, 7/12, 1/2, 5/12 -> mean 49/72; recall@1 = 2 * 1/4 / 2.
  const constant = { logits: Float64Array.from([0, 0, 0, 0]), labels: Float64Array.from([1, 1, 0, 0]), conj: ['c', 'c', 'c', 'c'] };
  const m = rankingMetrics(constant, [1, 3]);
  assert.ok(Math.abs(m.map! - 49 / 72) < 1e-12, `map ${m.map}`);
  assert.equal(m['recall@1'], 0.25);
  assert.equal(m['recall@3'], 0.75);
  // The same scores with the positives listed last give the same numbers.
  const reversed = { ...constant, labels: Float64Array.from([0, 0, 1, 1]) };
  assert.deepEqual(rankingMetrics(reversed, [1, 3]), m);
  // A tie between a positive and a negative ranked after a sure positive: AP = (1 + (2/2 + 2/3) / 2) / 2.
  const partial = rankingMetrics({ logits: Float64Array.from([5, 1, 1]), labels: Float64Array.from([1, 0, 1]), conj: ['d', 'd', 'd'] }, [2]);
  assert.ok(Math.abs(partial.map! - (1 + (1 + 2 / 3) / 2) / 2) < 1e-12);
  assert.equal(partial['recall@2'], (1 + 0.5) / 2);
});

test('ranking metrics: the tie-averaged AP equals the mean over every ordering of the tied blocks', () => {
  const apOf = (labels: number[]) => {
    let hits = 0;
    let sum = 0;
    labels.forEach((y, r) => { if (y === 1) sum += ++hits / (r + 1); });
    return sum / hits;
  };
  const permutations = (xs: number[]): number[][] => xs.length <= 1 ? [xs]
    : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let trial = 0; trial < 40; trial++) {
    const n = 2 + Math.floor(rand() * 6);
    const scores = Array.from({ length: n }, () => Math.floor(rand() * 3));
    const labels = Array.from({ length: n }, () => (rand() < 0.5 ? 1 : 0));
    if (!labels.includes(1)) labels[0] = 1;
    // Brute force: every ordering of the items that keeps higher scores first, each equally likely.
    const valid = permutations([...labels.keys()]).filter((p) => p.every((x, i) => i === 0 || scores[p[i - 1]!]! >= scores[x]!));
    const expectedAp = valid.reduce((a, p) => a + apOf(p.map((i) => labels[i]!)), 0) / valid.length;
    const expectedHits2 = valid.reduce((a, p) => a + p.slice(0, 2).filter((i) => labels[i] === 1).length, 0) / valid.length;
    const members = [...labels.keys()];
    assert.ok(Math.abs(averagePrecision(scores, labels, members) - expectedAp) < 1e-12, `AP of ${scores} / ${labels}`);
    assert.ok(Math.abs(hitsAtK(scores, labels, members, 2) - expectedHits2) < 1e-12, `hits@2 of ${scores} / ${labels}`);
  }
});
