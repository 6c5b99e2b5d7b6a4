// Two kinds of context columns that read a conjecture's whole candidate list rather than one pair, on hand-made
// lists with hand-computed values: the symbol chronology of data/symbol_chronology.ts (label-free, earlier-only)
// the premise co-use of data/co_use.ts (training labels, own group left out) and the co-candidacy of
// data/co_candidacy.ts (label-free, earlier lists only); and all three on the shipped splits through the data module.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BASE_FEATURES, TrainingContext, analyse, articleOf, contextFeatureNames, withContext } from '../../runner/data/context_features.js';
import { SYMBOL_CHRONOLOGY, SymbolChronology } from '../../runner/data/symbol_chronology.js';
import { CO_USE, CoUse } from '../../runner/data/co_use.js';
import { CO_CANDIDACY, CoCandidacy } from '../../runner/data/co_candidacy.js';
import { PremiseDataModule } from '../../runner/data/premise_datamodule.js';
import { DATA, textPairs } from './helpers.js';

type Row = [conj: string, goal: string, premise: string, label: 0 | 1];

const pairs = textPairs;

const symbols = (t: string): Set<string> => analyse(t).symbols;

// Library: t1_art_a (index 0) knows ca, cb, cc; t2_art_b (index 1) brings cd, in its goal; val's t1_art_c
// (index 2) brings ce.
const train = pairs([
  ['t1_art_a', '* ca b0', '* cb b0', 1], ['t1_art_a', '* ca b0', '* cc b0', 0],
  ['t2_art_b', '* ca * cd b0', '* cd b0', 1], ['t2_art_b', '* ca * cd b0', '* cb * ca b0', 0],
]);
const val = pairs([['t1_art_c', '* ce * cd b0', '* cd b0', 1], ['t1_art_c', '* ce * cd b0', '* ce * cb b0', 0]]);

test('chronology: first appearances in library order, and what the premise shares of the goal\'s new symbols', () => {
  const chrono = new SymbolChronology(symbols, articleOf);
  chrono.observe(train, true);
  // t2_art_b (i = 1, its article starts at 1): cd is new (first seen at 1), ca is old (0).
  // Premise cd: one of the goal's one new symbol, the goal's newest, age 0 throughout.
  assert.deepEqual(chrono.features(symbols('* ca * cd b0'), symbols('* cd b0'), 't2_art_b'), [1, 1, 1, 0, 0, 0, 0]);
  // Premise {cb, ca}: nothing new; newest symbol seen at 0, one conjecture before the goal's newest (1);
  // mean age (1 + 1) / 2; the shared ca is 1 old.
  assert.deepEqual(chrono.features(symbols('* ca * cd b0'), symbols('* cb * ca b0'), 't2_art_b'), [0, 0, 0, Math.log1p(1), -1, 1, 1]);
  // No shared symbol: the shared age is -1.
  assert.deepEqual(chrono.features(symbols('* ca b0'), symbols('* cc b0'), 't1_art_a'), [0, 0, 0, 0, 0, 0, -1]);
  assert.throws(() => chrono.features(symbols('* ca b0'), symbols('* cc b0'), 't9_art_z'), /not observed/);
  // The first conjecture of a library: all its symbols are new; the premise has one of the goal's two.
  const first = new SymbolChronology(symbols, articleOf);
  first.observe(pairs([['t1_art_x', '* ca * cb b0', '* ca b0', 1]]), true);
  assert.deepEqual(first.features(symbols('* ca * cb b0'), symbols('* ca b0'), 't1_art_x'), [1, 0.5, 1, 0, 0, 0, 0]);
});

test('chronology is earlier-only: later conjectures change no earlier column, and a split is observed once', () => {
  const chrono = new SymbolChronology(symbols, articleOf);
  chrono.observe(train, true);
  const before = chrono.features(symbols('* ca * cd b0'), symbols('* cb * ca b0'), 't2_art_b');
  chrono.observe(val, false);
  chrono.observe(train, true); // again: nothing moves
  assert.deepEqual(chrono.features(symbols('* ca * cd b0'), symbols('* cb * ca b0'), 't2_art_b'), before);
  // t1_art_c (i = 2): ce is new there; cd came one conjecture earlier (index 1), from another article.
  assert.deepEqual(chrono.features(symbols('* ce * cd b0'), symbols('* cd b0'), 't1_art_c'), [0, 0, 0, Math.log1p(1), -1, 1, 1]);
  assert.deepEqual(chrono.features(symbols('* ce * cd b0'), symbols('* ce * cb b0'), 't1_art_c'), [1, 1, 1, 0, 0, 1, 0]);
});

test('chronology reads a held-out split\'s goals, never its candidate lists (they hold held-out proofs)', () => {
  // cz first occurs in a candidate of val's t1_art_c (index 2); t2_art_c (index 3) lists a premise with cz.
  const held = pairs([['t1_art_c', '* ce b0', '* cz b0', 1], ['t2_art_c', '* ce * cd b0', '* cz * cd b0', 0]]);
  const offline = new SymbolChronology(symbols, articleOf);
  offline.observe(train, true);
  offline.observe(held, false);
  // Unread, cz counts as first seen at the pair's own conjecture (age 0); ce came from t1_art_c's goal (index 2).
  assert.deepEqual(offline.features(symbols('* ce * cd b0'), symbols('* cz * cd b0'), 't2_art_c'), [0, 0, 0, 0, 1, 1, 2]);
  // Read as a training split's would be, t1_art_c's candidate would date cz to index 2: the newest symbol ages.
  const reading = new SymbolChronology(symbols, articleOf);
  reading.observe(train, true);
  reading.observe(held, true);
  assert.equal(reading.features(symbols('* ce * cd b0'), symbols('* cz * cd b0'), 't2_art_c')[3], Math.log1p(1));
});

test('chronology never dates a symbol after the pair\'s own conjecture, even when a later goal is observed', () => {
  // cy is in t1_art_c's (index 2) list only, then in t2_art_c's goal (index 3); both observed with their split.
  const held = pairs([['t1_art_c', '* ca b0', '* cy b0', 1], ['t2_art_c', '* cy b0', '* ca b0', 0]]);
  const chrono = new SymbolChronology(symbols, articleOf);
  chrono.observe(train, true);
  chrono.observe(held, false);
  // For t1_art_c, cy counts as new at index 2 (age 0), not as first seen at the later goal (index 3).
  assert.deepEqual(chrono.features(symbols('* ca b0'), symbols('* cy b0'), 't1_art_c'), [0, 0, 0, 0, 2, 0, -1]);
  // t2_art_c reads its own goal's cy at index 3.
  assert.deepEqual(chrono.features(symbols('* cy b0'), symbols('* cy b0'), 't2_art_c'), [1, 1, 1, 0, 0, 0, 0]);
});

// Co-use lists: t1_art_a uses P1, P2 (not N1); t1_art_b uses P1, N1 (not P2); t2_art_b uses P1 and P2.
const P1 = '* cp b0', P2 = '* cq b0', N1 = '* cn b0';
const useRows: Row[] = [
  ['t1_art_a', 'g', P1, 1], ['t1_art_a', 'g', P2, 1], ['t1_art_a', 'g', N1, 0],
  ['t1_art_b', 'g', P1, 1], ['t1_art_b', 'g', P2, 0], ['t1_art_b', 'g', N1, 1],
  ['t2_art_b', 'g', P1, 1], ['t2_art_b', 'g', P2, 1],
];
const lo = (both: number, listed: number): number => Math.log((both + 0.5) / (listed - both + 0.5));

test('co-use: for each other candidate Q, how often P was used when Q was used and P was listed', () => {
  const set = pairs(useRows);
  const co = new CoUse(set, set.premiseTexts!, articleOf);
  const [p1, p2, n1, unseen] = co.features([P1, P2, N1, '* cz b0'], 't1_new');
  // P2 given P1: used with it in t1_art_a and t2_art_b, listed with it 3 times; given N1: listed once, never used.
  assert.deepEqual(p2, [Math.log1p(2), Math.log1p(4), lo(2, 3) + lo(0, 1), lo(2, 3)]);
  // P1 given P2 (2 of 2) and given N1 (1 of 1).
  assert.deepEqual(p1, [Math.log1p(3), Math.log1p(3), lo(2, 2) + lo(1, 1), lo(2, 2)]);
  // N1 given P1 (1 of 2) and given P2 (0 of 1).
  assert.deepEqual(n1, [Math.log1p(1), Math.log1p(3), lo(1, 2) + lo(0, 1), lo(1, 2)]);
  // A premise training never listed: no evidence.
  assert.deepEqual(unseen, [0, 0, 0, -9]);
});

test('co-use leaves out the pair\'s own group: its article, or its conjecture', () => {
  const set = pairs(useRows);
  // A pair of art_b reads only t1_art_a: P2 given P1 1 of 1; N1 was never used there.
  const byArticle = new CoUse(set, set.premiseTexts!, articleOf);
  assert.deepEqual(byArticle.features([P1, P2, N1], 't3_art_b')[1], [Math.log1p(1), Math.log1p(1), lo(1, 1), lo(1, 1)]);
  // Flipping every label of art_b changes nothing for art_b's pairs ...
  const flipped = pairs(useRows.map(([c, g, p, y]): Row => [c, g, p, articleOf(c) === 'art_b' ? ((1 - y) as 0 | 1) : y]));
  assert.deepEqual(new CoUse(flipped, flipped.premiseTexts!, articleOf).features([P1, P2, N1], 't3_art_b'), byArticle.features([P1, P2, N1], 't3_art_b'));
  // ... and does change a pair of another article (the test can fail).
  assert.notDeepEqual(new CoUse(flipped, flipped.premiseTexts!, articleOf).features([P1, P2, N1], 't3_art_c'), byArticle.features([P1, P2, N1], 't3_art_c'));
  // Leaving out only t1_art_b: P2 given P1 2 of 2; given N1 0 of 0 (no evidence).
  const byConj = new CoUse(set, set.premiseTexts!, (c) => c);
  assert.deepEqual(byConj.features([P1, P2, N1], 't1_art_b')[1], [Math.log1p(2), Math.log1p(2), lo(2, 2), lo(2, 2)]);
});

test('co-candidacy: the lists before this one that held the premise beside each other candidate', () => {
  const cc = new CoCandidacy();
  const A = '* ca b0', B = '* cb b0', C = '* cc b0', D = '* cd b0';
  cc.add(pairs([['t1_a', 'g', A, 1], ['t1_a', 'g', B, 0], ['t1_a', 'g', C, 1], ['t2_a', 'g', A, 1], ['t2_a', 'g', B, 0]]));
  // The first list has nothing before it.
  assert.deepEqual(cc.features('t1_a', A), [0, 0, 0, 0]);
  // t2_a reads t1_a only: A and B shared one list, and B was in one list.
  assert.deepEqual(cc.features('t2_a', A), [1, Math.log1p(1), 1, 1]);
  const later = pairs([['t1_b', 'g', A, 0], ['t1_b', 'g', B, 1], ['t1_b', 'g', C, 1], ['t1_b', 'g', D, 0], ['t1_b', 'g', A, 0]]);
  cc.add(later);
  cc.add(later); // again: nothing moves
  // A: beside B in 2 of B's 2 lists, beside C in 1 of C's 1 (its own copy in the list is skipped).
  assert.deepEqual(cc.features('t1_b', A), [2, Math.log1p(3), 1, 2]);
  // C: beside A in 1 of A's 2 lists (counted once per copy of A in this list), beside B in 1 of B's 2.
  assert.deepEqual(cc.features('t1_b', C), [3, Math.log1p(3), 0.5, 1.5]);
  assert.deepEqual(cc.features('t1_b', D), [0, 0, 0, 0]);
  // Earlier lists keep their columns.
  assert.deepEqual(cc.features('t2_a', A), [1, Math.log1p(1), 1, 1]);
  assert.throws(() => cc.features('t9_z', A), /not added/);
  assert.deepEqual(contextFeatureNames({ coUse: true, coCandidacy: true }).slice(-8), [...CO_USE, ...CO_CANDIDACY]);
});

test('the context with both: their columns follow the base ones, as is, centred and ranked; off by default', () => {
  const opts = { symbolChronology: true, coUse: true, leaveOut: 'article' as const };
  const names: string[] = contextFeatureNames(opts);
  assert.deepEqual([...names], [...BASE_FEATURES, ...SYMBOL_CHRONOLOGY, ...CO_USE]);
  const ctx = new TrainingContext(pairs(useRows), opts);
  assert.equal(ctx.width, 3 * names.length);
  assert.equal(new TrainingContext(pairs(useRows)).width, 3 * BASE_FEATURES.length);
  const held = withContext(pairs([['t1_new', 'g', P1, 1], ['t1_new', 'g', P2, 1], ['t1_new', 'g', N1, 0]]), ctx);
  const w = held.contextWidth!;
  const b = w / 3;
  // Back from the standardised float32 columns to the raw values (hence the tolerance).
  const at = (row: number, name: string, view: 0 | 1 | 2): number => {
    const j = names.indexOf(name) + view * b;
    return held.context![row * w + j]! / ctx.scale[j]! + ctx.mean[j]!;
  };
  const sums = [lo(2, 2) + lo(1, 1), lo(2, 3) + lo(0, 1), lo(1, 2) + lo(0, 1)];
  sums.forEach((v, row) => assert.ok(Math.abs(at(row, 'co_use_log_odds_sum', 0) - v) < 1e-4));
  const mean = sums.reduce((a, v) => a + v, 0) / 3;
  assert.ok(Math.abs(at(1, 'co_use_log_odds_sum', 1) - (sums[1]! - mean)) < 1e-4);
  // P1 has the largest sum in its list, N1 the smallest.
  assert.ok(Math.abs(at(0, 'co_use_log_odds_sum', 2) - 1) < 1e-4);
  assert.ok(Math.abs(at(2, 'co_use_log_odds_sum', 2) - 0) < 1e-4);
});

test('on the shipped splits: test read later scores as if given at once, and val\'s columns ignore the test split', () => {
  const dm = new PremiseDataModule({ config: { data_options: { dir: DATA } } });
  dm.setup();
  const opts = { symbolChronology: true, coUse: true, coCandidacy: true, leaveOut: 'article' as const };
  dm.useContextFeatures(opts);
  const testSet = dm.evalSet('test');
  const atOnce = new TrainingContext(dm.train, opts, [dm.val, testSet]);
  assert.deepEqual(Array.from(atOnce.features(testSet)), Array.from(testSet.context!));
  // A library that stops after val gives val's pairs the same columns.
  assert.deepEqual(Array.from(new TrainingContext(dm.train, opts, [dm.val]).features(dm.val)), Array.from(dm.val.context!));
  // Test read before val would date val's new symbols to test: a different library, so different columns
  // (the order is what the data module keeps).
  const wrongOrder = new TrainingContext(dm.train, opts, [testSet, dm.val]);
  assert.notDeepEqual(Array.from(wrongOrder.features(testSet)), Array.from(testSet.context!));
  // The columns vary over the test pairs.
  const w = atOnce.width;
  const j = contextFeatureNames(opts).indexOf('chrono_log1p_newest_symbol_age');
  assert.ok(new Set(Array.from({ length: testSet.labels.length }, (_, i) => testSet.context![i * w + j])).size > 20);
  const k = contextFeatureNames(opts).indexOf('cocand_share_sum');
  assert.ok(new Set(Array.from({ length: testSet.labels.length }, (_, i) => testSet.context![i * w + k])).size > 20);
});
