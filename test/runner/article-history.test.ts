// The chronological label history of data/article_history.ts: hand-computed columns on two small articles, the
// history's place in the context (width, IDF-weighted goal similarity), and the leakage property that defines it:
// flipping the labels of a conjecture and of every later one changes no column of any pair of an earlier conjecture
// or of that conjecture itself, while later conjectures of the same article do see the flip. Checked on random pair
// sets and on the shipped val and test splits, through the whole context the trees read.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ArticleHistory, LABEL_HISTORY, articleOf } from '../../runner/data/article_history.js';
import { BASE_FEATURES, TrainingContext, contextFeatureNames, withContext } from '../../runner/data/context_features.js';
import { type PairSet, loadPairs, loadVocab } from '../../runner/data/premise_pairs.js';
import { PremiseDataModule } from '../../runner/data/premise_datamodule.js';
import { rngFor } from '../../runner/train/rng.js';
import { DATA, textPairs } from './helpers.js';

type Row = [conj: string, goal: string, premise: string, label: 0 | 1];

const pairs = textPairs;

/** Goal similarities given by hand, symmetric. */
const SIM: Record<string, number> = { 'G1 G2': 0.1, 'G1 G3': 0.5, 'G2 G3': 0.25 };
const sim = (a: string, b: string): number => (a === b ? 1 : SIM[[a, b].sort().join(' ')] ?? 0);

const train = pairs([
  ['t1_art_a', 'G1', 'P', 1], ['t1_art_a', 'G1', 'Q', 0],
  ['t2_art_a', 'G2', 'Q', 1], ['t2_art_a', 'G2', 'P', 0], ['t2_art_a', 'G2', 'R', 0],
  ['t1_art_b', 'G4', 'P', 1],
]);
const val = pairs([
  ['t3_art_a', 'G3', 'P', 1], ['t3_art_a', 'G3', 'Q', 0], ['t3_art_a', 'G3', 'R', 1], ['t3_art_a', 'G3', 'S', 0],
]);

test('hand-computed columns: counts, use rate, article size and similarity votes over the earlier conjectures of the article', () => {
  const h = new ArticleHistory(sim);
  h.add(train);
  h.add(val);
  // [uses, listed unused, (uses + 0.5) / (listed + 1), log1p(#earlier), sim use sum, sim unused sum, use max, unused max]
  // The first conjecture of each article reads nothing; t1_art_b's use of P belongs to another article.
  assert.deepEqual(h.features('t1_art_a', 'P'), [0, 0, 0.5, 0, 0, 0, 0, 0]);
  assert.deepEqual(h.features('t1_art_b', 'P'), [0, 0, 0.5, 0, 0, 0, 0, 0]);
  // t2 reads t1 (similarity 0.1), which used P and listed Q unused.
  assert.deepEqual(h.features('t2_art_a', 'P'), [1, 0, 1.5 / 2, Math.log1p(1), 0.1, 0, 0.1, 0]);
  assert.deepEqual(h.features('t2_art_a', 'Q'), [0, 1, 0.5 / 2, Math.log1p(1), 0, 0.1, 0, 0.1]);
  // The validation conjecture t3 reads train's t1 (0.5) and t2 (0.25), never its own labels.
  assert.deepEqual(h.features('t3_art_a', 'P'), [1, 1, 1.5 / 3, Math.log1p(2), 0.5, 0.25, 0.5, 0.25]);
  assert.deepEqual(h.features('t3_art_a', 'Q'), [1, 1, 1.5 / 3, Math.log1p(2), 0.25, 0.5, 0.25, 0.5]);
  assert.deepEqual(h.features('t3_art_a', 'R'), [0, 1, 0.5 / 2, Math.log1p(2), 0, 0.25, 0, 0.25]);
  assert.deepEqual(h.features('t3_art_a', 'S'), [0, 0, 0.5, Math.log1p(2), 0, 0, 0, 0]);
  assert.equal(LABEL_HISTORY.length, h.features('t3_art_a', 'S').length);
});

test('a premise listed twice counts as used when either pair is labelled 1, in any order; unknown conjectures and repeats are refused', () => {
  for (const dup of [[1, 0], [0, 1]] as const) {
    const h = new ArticleHistory(sim);
    h.add(pairs([['t1_x', 'G1', 'P', dup[0]], ['t1_x', 'G1', 'P', dup[1]], ['t2_x', 'G2', 'P', 0]]));
    assert.deepEqual(h.features('t2_x', 'P').slice(0, 2), [1, 0]);
  }
  const h = new ArticleHistory(sim);
  h.add(train);
  h.add(train);
  assert.deepEqual(h.features('t2_art_a', 'P').slice(0, 2), [1, 0], 'adding the same split again changes nothing');
  assert.throws(() => h.features('t3_art_a', 'P'), /t3_art_a is not in the label history/);
  assert.throws(() => h.add(pairs([['t1_art_a', 'G1', 'P', 1]])), /t1_art_a appears in two splits/);
});

test('in the context: eight more columns, as is, centred and ranked; goal similarity is the cosine of the context\'s IDF vectors', () => {
  const tiny = pairs([['t1_art_a', '* ca cb', '* cp b0', 1], ['t2_art_a', '* ca cc', '* cp b0', 1]]);
  const ctx = new TrainingContext(tiny, { labelHistory: 'chronological' });
  assert.equal(ctx.width, 3 * (BASE_FEATURES.length + LABEL_HISTORY.length));
  assert.deepEqual(contextFeatureNames({ labelHistory: 'chronological' }).slice(-LABEL_HISTORY.length), [...LABEL_HISTORY]);
  assert.equal(new TrainingContext(tiny, { labelHistory: 'offline' }).width, 3 * BASE_FEATURES.length, 'offline adds nothing');
  // Three distinct training texts; ca is in both goals (df 2), cb and cc in one each: IDF log(4/3) and log(4/2).
  const [shared, own] = [Math.log(4 / 3), Math.log(2)];
  const cos = (shared * shared) / (shared * shared + own * own);
  const f = ctx.base('* ca cc', '* cp b0', 't2_art_a');
  const at = BASE_FEATURES.length;
  assert.equal(f[at + LABEL_HISTORY.indexOf('hist_uses')], 1);
  assert.ok(Math.abs(f[at + LABEL_HISTORY.indexOf('hist_sim_use_sum')]! - cos) < 1e-12);
  assert.ok(Math.abs(f[at + LABEL_HISTORY.indexOf('hist_sim_use_max')]! - cos) < 1e-12);
  // A split the context was not given is refused rather than read without history.
  assert.throws(() => withContext(pairs([['t3_art_a', '* ca', '* cp b0', 1]]), ctx), /not in the label history/);
});

/** Flips the labels of every pair whose conjecture is at or after `from` in library order (the sets' order). */
function flipFrom(sets: PairSet[], from: string): PairSet[] {
  let on = false;
  return sets.map((s) => {
    const labels = Float32Array.from(s.labels, (y, i) => {
      if (s.conj[i] === from) on = true;
      return on ? 1 - y : y;
    });
    return { ...s, labels };
  });
}

function conjectureOrder(sets: PairSet[]): string[] {
  return [...new Set(sets.flatMap((s) => s.conj))];
}

function historyColumns(sets: PairSet[]): Map<string, number[][]> {
  const h = new ArticleHistory(sim);
  for (const s of sets) h.add(s);
  const out = new Map<string, number[][]>();
  for (const s of sets) s.conj.forEach((c, i) => out.set(c, [...(out.get(c) ?? []), h.features(c, s.premiseTexts![i]!)]));
  return out;
}

test('leakage property on random pair sets: a flip at conjecture k and after reaches only the later conjectures', () => {
  const rng = rngFor(11, 'article-history');
  const rows: Row[] = [];
  for (let c = 0; c < 24; c++) {
    const conj = `t${c}_art_${'abc'[c % 3]}`;
    const goal = `G${1 + rng.int(3)}`;
    for (let p = 0; p < 5; p++) rows.push([conj, goal, `P${rng.int(7)}`, rng.next() < 0.5 ? 1 : 0]);
  }
  const sets = [pairs(rows.slice(0, 60)), pairs(rows.slice(60, 90)), pairs(rows.slice(90))];
  const order = conjectureOrder(sets);
  const before = historyColumns(sets);
  let laterChanged = 0;
  for (const [k, from] of order.entries()) {
    const after = historyColumns(flipFrom(sets, from));
    for (const [j, c] of order.entries()) {
      if (j <= k) assert.deepEqual(after.get(c), before.get(c), `${c} (at ${j}) reads the flip at ${from} (at ${k})`);
      else if (articleOf(c) === articleOf(from) && JSON.stringify(after.get(c)) !== JSON.stringify(before.get(c))) laterChanged++;
    }
  }
  assert.ok(laterChanged > 20, `later conjectures of the same article see the flips (${laterChanged})`);
});

test('leakage property on the shipped splits, through every column the trees read: val and test conjectures', () => {
  const vocab = loadVocab(join(DATA, 'vocab.json'), 'dir');
  const load = (split: string): PairSet => loadPairs(join(DATA, `${split}.jsonl.gz`), vocab, 128, 'dir');
  const [trainSet, valSet, testSet] = [load('train'), load('val'), load('test')];
  const opts = { labelStatistics: false, labelHistory: 'chronological' } as const;
  const wide = (later: PairSet[]): Float32Array[] => {
    const ctx = new TrainingContext(trainSet, opts, later);
    return later.map((s) => ctx.features(s));
  };
  const [valBefore, testBefore] = wide([valSet, testSet]);
  const width = 3 * contextFeatureNames(opts).length;
  const rowsOf = (s: PairSet, x: Float32Array, c: string): number[][] =>
    s.conj.flatMap((d, i) => (d === c ? [Array.from(x.subarray(i * width, (i + 1) * width))] : []));
  // A conjecture in the middle of its article's run in each split, so that later ones of the article exist.
  for (const [name, split] of [['val', valSet], ['test', testSet]] as const) {
    const order = conjectureOrder([split]);
    const from = order.find((c, i) => i > 20 && articleOf(order[i - 3]!) === articleOf(c) && articleOf(order[i + 3]!) === articleOf(c))!;
    const [valAfter, testAfter] = wide(flipFrom([valSet, testSet], from));
    const all = conjectureOrder([valSet, testSet]);
    const at = all.indexOf(from);
    let laterChanged = 0;
    for (const [j, c] of all.entries()) {
      const [s, b, a] = valSet.conj.includes(c) ? [valSet, valBefore!, valAfter!] : [testSet, testBefore!, testAfter!];
      const same = JSON.stringify(rowsOf(s, a, c)) === JSON.stringify(rowsOf(s, b, c));
      if (j <= at) assert.ok(same, `${name}: ${c} reads the labels flipped from ${from} on`);
      else if (!same) laterChanged++;
    }
    assert.ok(laterChanged > 0, `${name}: the conjectures after ${from} see the flip`);
  }
});

test('the data module hands every split over in library order: test read later scores as if given at once', () => {
  const dm = new PremiseDataModule({ config: { data_options: { dir: DATA } } });
  dm.setup();
  const opts = { labelStatistics: false, labelHistory: 'chronological' } as const;
  dm.useContextFeatures(opts);
  const valFirst = dm.val.context!;
  const testSet = dm.evalSet('test');
  assert.equal(testSet.contextWidth, 3 * contextFeatureNames(opts).length);
  const atOnce = new TrainingContext(dm.train, opts, [dm.val, testSet]);
  assert.deepEqual(Array.from(atOnce.features(testSet)), Array.from(testSet.context!));
  assert.deepEqual(Array.from(atOnce.features(dm.val)), Array.from(valFirst));
  // Some test pairs do read earlier test conjectures' labels.
  const size = BASE_FEATURES.length + LABEL_HISTORY.indexOf('log1p_hist_conjectures');
  const w = testSet.contextWidth!;
  assert.ok(new Set(testSet.conj.map((_, i) => testSet.context![i * w + size])).size > 10, 'the article history grows through the test split');
});
