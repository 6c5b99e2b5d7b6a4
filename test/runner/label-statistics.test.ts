// The label statistics of data/label_statistics.ts (symbol-pair, symbol and sub-term log-odds of use learned from
// the training labels) on hand-made pairs, and the article leave-out of data/context_features.ts: a training pair
// never reads the labels of its own conjecture, or with leaveOut 'article' of any conjecture of its article.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BASE_FEATURES, TrainingContext, articleOf, contextFeatureNames, withContext } from '../../runner/data/context_features.js';
import { LABEL_STATISTICS } from '../../runner/data/label_statistics.js';
import { textPairs } from './helpers.js';

const pairs = textPairs;

const stat = (row: number[], name: (typeof LABEL_STATISTICS)[number]): number => row[BASE_FEATURES.length + LABEL_STATISTICS.indexOf(name)]!;
const lo = (uses: number, nonUses: number): number => Math.log((uses + 0.5) / (nonUses + 0.5));

// Goals with symbol cg; premise PA (symbol ca) is useful to them, PB (symbol cb) is not.
const G = '* cg b0';
const PA = '* ca b0';
const PB = '* cb b0';
const rows: Array<[string, string, string, 0 | 1]> = [
  ['t1_art_a', G, PA, 1], ['t1_art_a', G, PB, 0],
  ['t2_art_a', G, PA, 1], ['t2_art_a', G, PB, 0],
  ['t1_art_b', G, PA, 1], ['t1_art_b', G, PB, 0],
];

test('articleOf: the Mizar article of a conjecture name; other names stand for themselves', () => {
  assert.equal(articleOf('t12_xboole_0'), 'xboole_0');
  assert.equal(articleOf('d3_tarski'), 'tarski');
  assert.equal(articleOf('l1_yellow19'), 'yellow19');
  assert.equal(articleOf('my goal'), 'my goal');
});

test('symbol-pair and symbol log-odds count the training labels, leaving out the pair\'s own conjecture', () => {
  const ctx = new TrainingContext(pairs(rows), { labelStatistics: true });
  assert.deepEqual(contextFeatureNames({ labelStatistics: true }).length * 3, ctx.width);
  const held = ctx.base(G, PA, 'new');
  // (cg, ca) was useful 3 times, never not; ca is never in the goal ('own' symbol).
  assert.equal(stat(held, 'nb_pair_max'), lo(3, 0));
  assert.equal(stat(held, 'sym_own_mean'), lo(3, 0));
  assert.equal(stat(held, 'sym_shared_mean'), 0, 'no shared symbols: 0');
  assert.equal(stat(ctx.base(G, PB, 'new'), 'nb_pair_max'), lo(0, 3));
  // A training pair of t1_art_a does not count its own label.
  assert.equal(stat(ctx.base(G, PA, 't1_art_a'), 'nb_pair_max'), lo(2, 0));
  // A premise whose symbols were never seen with this goal's: even odds.
  assert.equal(stat(ctx.base(G, '* cz b0', 'new'), 'nb_pair_mean'), 0);
});

test('sub-term log-odds cover only sub-terms seen in training, by whether the goal has them too', () => {
  const ctx = new TrainingContext(pairs(rows), { labelStatistics: true });
  const f = ctx.base(G, PA, 'new');
  // PA's one sub-term (ca V) was seen 3 times, always useful, never in the goal.
  assert.equal(stat(f, 'subterm_max'), lo(3, 0));
  assert.equal(stat(f, 'log1p_subterms_known'), Math.log1p(1));
  const unseen = ctx.base(G, '* cz b0', 'new');
  assert.equal(stat(unseen, 'log1p_subterms_known'), 0);
  assert.equal(stat(unseen, 'subterm_mean'), 0);
});

test('leaveOut article: a training pair reads no label of its article, in every label-derived column', () => {
  const byArticle = new TrainingContext(pairs(rows), { labelStatistics: true, leaveOut: 'article' });
  const f = byArticle.base(G, PA, 't1_art_a');
  // Both art_a conjectures are left out: only t1_art_b's use is counted.
  assert.equal(stat(f, 'nb_pair_max'), lo(1, 0));
  assert.equal(f[BASE_FEATURES.indexOf('log1p_uses')], Math.log1p(1));
  // Flipping every label of art_a changes nothing for art_a's pairs.
  const flipped = rows.map(([c, g, p, y]): [string, string, string, 0 | 1] => [c, g, p, articleOf(c) === 'art_a' ? ((1 - y) as 0 | 1) : y]);
  assert.deepEqual(new TrainingContext(pairs(flipped), { labelStatistics: true, leaveOut: 'article' }).base(G, PA, 't2_art_a'), byArticle.base(G, PA, 't2_art_a'));
  // ... and it does change them when only the conjecture is left out (the test can fail).
  assert.notDeepEqual(new TrainingContext(pairs(flipped), { labelStatistics: true }).base(G, PA, 't2_art_a'), new TrainingContext(pairs(rows), { labelStatistics: true }).base(G, PA, 't2_art_a'));
});

test('the wider context: base features and statistics, each as is, centred and ranked; the default stays narrow', () => {
  const ctx = new TrainingContext(pairs(rows), { labelStatistics: true, leaveOut: 'article' });
  const held = withContext(pairs([['h', G, PA, 1], ['h', G, PB, 0]]), ctx);
  assert.equal(held.contextWidth, 3 * (BASE_FEATURES.length + LABEL_STATISTICS.length));
  assert.equal(new TrainingContext(pairs(rows)).width, 3 * BASE_FEATURES.length);
  const w = held.contextWidth!;
  const b = w / 3;
  const j = BASE_FEATURES.length + LABEL_STATISTICS.indexOf('nb_pair_max');
  // PA outranks PB on the pair log-odds within the conjecture's list.
  assert.equal(held.context![j + 2 * b]! > held.context![w + j + 2 * b]!, true);
});
