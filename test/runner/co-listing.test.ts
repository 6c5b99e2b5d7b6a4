// The co-listing columns of data/co_listing.ts on hand-made libraries: similarity-weighted shares of the most
// similar earlier goals whose candidate lists hold the premise, the "lists at least as long" half, the cut at k, and
// the chronological rule (a conjecture reads only earlier lists, so adding a later split changes nothing before it),
// also on the shipped splits through the data module.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CO_LISTING, CoListing, type GoalFeatures } from '../../runner/data/co_listing.js';
import { BASE_FEATURES, TrainingContext, contextFeatureNames } from '../../runner/data/context_features.js';
import type { PairSet } from '../../runner/data/premise_pairs.js';
import { PremiseDataModule } from '../../runner/data/premise_datamodule.js';
import { DATA, textPairs } from './helpers.js';

const pairs = textPairs;

// Goals named by their symbols ("s1 s2"), every weight 1: cosines by hand.
const bySymbols = (text: string): GoalFeatures => ({ symbols: new Set(text.split(' ')) });
const unitIdf = (): number => 1;
const column = (row: number[], name: string): number => row[CO_LISTING.indexOf(name)]!;
const near = (actual: number, expected: number, what = ''): void => assert.ok(Math.abs(actual - expected) < 1e-12, `${what} ${actual} != ${expected}`);

test('co-listing: similarity-weighted share of earlier similar goals listing the premise, and of those with lists at least as long', () => {
  const lib = new CoListing(bySymbols, unitIdf);
  lib.add(pairs([
    ['x1', 's1 s2', 'P'], ['x1', 's1 s2', 'Q'],
    ['x2', 's1 s3', 'P'],
    ['x3', 's1 s2', 'Q'], ['x3', 's1 s2', 'R'], ['x3', 's1 s2', 'S'],
    ['x4', 's1 s2', 'P'], ['x4', 's1 s2', 'Q'],
    ['x5', 's9', 'P'],
  ]));
  // x4 against x1, x3: cos 1; against x2: 1/(sqrt 2 * sqrt 2) = 0.5. x4's list has 2 candidates, x2's only 1.
  const p = lib.features('x4', 'P');
  near(column(p, 'colist_5'), (1 + 0.5) / (1 + 1 + 0.5));
  near(column(p, 'colist_5_longer'), 1 / (1 + 1));
  const q = lib.features('x4', 'Q');
  near(column(q, 'colist_5'), (1 + 1) / 2.5);
  near(column(q, 'colist_5_longer'), 1);
  // k 5, 20 and 80 all reach the three earlier goals here.
  near(column(q, 'colist_20'), 0.8);
  near(column(q, 'colist_80'), 0.8);
  // A premise no similar goal listed, the first conjecture, and a goal sharing nothing with the earlier ones: 0.
  assert.ok(lib.features('x4', 'T').every((v) => v === 0));
  assert.ok(lib.features('x1', 'P').every((v) => v === 0));
  assert.ok(lib.features('x5', 'P').every((v) => v === 0));
  // x2 reads only x1 (cos 0.5): it lists P, and x1's list is longer than x2's.
  for (const v of lib.features('x2', 'P')) near(v, 1);
  assert.throws(() => lib.features('nobody', 'P'), /not in the library/);
});

test('co-listing: only the k most similar earlier goals count, ties in library order', () => {
  const rows: Array<[string, string, string]> = [];
  // Five earlier goals identical to the query's (cos 1) list A; a sixth, less similar (cos 1/sqrt 2), lists B.
  for (let i = 0; i < 5; i++) rows.push([`e${i}`, 's1 s2', 'A']);
  rows.push(['e5', 's1', 'B'], ['q', 's1 s2', 'B']);
  const lib = new CoListing(bySymbols, unitIdf);
  lib.add(pairs(rows));
  const f = lib.features('q', 'B');
  const c = Math.SQRT1_2;
  assert.equal(column(f, 'colist_5'), 0, 'the five nearest do not list B');
  near(column(f, 'colist_20'), c / (5 + c));
  assert.equal(column(f, 'colist_80'), column(f, 'colist_20'));
  near(column(lib.features('q', 'A'), 'colist_5'), 1);
});

test('co-listing in the context features: a later split never changes an earlier one, and train reads train only', () => {
  const train = pairs([['t1', '* ca b0', '* cp b0'], ['t1', '* ca b0', '* cq b0'], ['t2', '* ca cb', '* cp b0']]);
  const val = pairs([['v1', '* ca b0', '* cp b0'], ['v1', '* ca b0', '* cr b0']]);
  const test_ = pairs([['w1', '* ca b0', '* cr b0'], ['w1', '* ca b0', '* cp b0']]);
  const opts = { coListing: true };
  const names = contextFeatureNames(opts);
  assert.deepEqual(names.slice(BASE_FEATURES.length), CO_LISTING);
  const first = names.indexOf('colist_5');
  const ctx = new TrainingContext(train, opts);
  assert.equal(ctx.width, 3 * names.length);
  const valBefore = ctx.features(val);
  const testX = ctx.features(test_);
  assert.deepEqual(ctx.features(val), valBefore);
  const raw = (x: Float32Array, i: number, j: number): number => x[i * ctx.width + j]! / ctx.scale[j]! + ctx.mean[j]!;
  // v1 reads t1 and t2, which both list * cp b0 and do not list * cr b0.
  assert.ok(Math.abs(raw(valBefore, 0, first) - 1) < 1e-5);
  assert.ok(Math.abs(raw(valBefore, 1, first) - 0) < 1e-5);
  // w1 reads v1 too, whose list holds * cr b0 (an identical goal: the nearest).
  assert.ok(raw(testX, 0, first) > 0.3);
  // t1 is first in the library: nothing earlier to read, whatever the later splits hold.
  assert.ok(Math.abs(raw(ctx.features(train), 0, first)) < 1e-5);
});

test('co-listing on the shipped splits: test read later scores as if given at once, and no pair reads a later list', () => {
  const dm = new PremiseDataModule({ config: { data_options: { dir: DATA } } });
  dm.setup();
  const opts = { coListing: true };
  dm.useContextFeatures(opts);
  const valFirst = Array.from(dm.val.context!);
  const testSet = dm.evalSet('test');
  const atOnce = new TrainingContext(dm.train, opts, [dm.val, testSet]);
  const testX = atOnce.features(testSet);
  assert.deepEqual(Array.from(testX), Array.from(testSet.context!));
  assert.deepEqual(Array.from(atOnce.features(dm.val)), valFirst);
  // The test split cut after its 100th conjecture: the pairs before the cut keep every column.
  const names = [...new Set(testSet.conj)];
  const kept = new Set(names.slice(0, 100));
  const idx = testSet.conj.flatMap((c, i) => (kept.has(c) ? [i] : []));
  const cut: PairSet = {
    goals: idx.map((i) => testSet.goals[i]!), premises: idx.map((i) => testSet.premises[i]!),
    labels: Float32Array.from(idx, (i) => testSet.labels[i]!), conj: idx.map((i) => testSet.conj[i]!),
    goalTexts: idx.map((i) => testSet.goalTexts![i]!), premiseTexts: idx.map((i) => testSet.premiseTexts![i]!),
  };
  const w = atOnce.width;
  const cutX = new TrainingContext(dm.train, opts, [dm.val, cut]).features(cut);
  idx.forEach((i, r) => assert.deepEqual(Array.from(cutX.subarray(r * w, (r + 1) * w)), Array.from(testX.subarray(i * w, (i + 1) * w))));
  // And the columns say something: test pairs read earlier lists (of train, val and test), not a constant.
  const first = contextFeatureNames(opts).indexOf('colist_20');
  assert.ok(new Set(idx.map((i) => testX[i * w + first])).size > 20, 'co-listing varies over the test pairs');
});
