// Context features (runner/data/context_features.ts) on hand-made pairs: the formula analysis, IDF overlap, the
// usage history and kNN vote that leave a training pair's own conjecture out, listwise ranks that ignore candidate
// order, and the classifier's wide path with its gradients against finite differences.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../runner/backend/index.js';
import { BASE_FEATURES, CONTEXT_WIDTH, TrainingContext, analyse, rankFraction, withContext } from '../../runner/data/context_features.js';
import { type PairSet, makeBatch, shuffleWithinConjectures } from '../../runner/data/premise_pairs.js';
import { BinaryClassifier } from '../../runner/models/premise_selection.js';
import { withInitSeed } from '../../runner/train/rng.js';
import { textPairs } from './helpers.js';

const col = (name: (typeof BASE_FEATURES)[number]): number => BASE_FEATURES.indexOf(name);

const pairs = textPairs;

// ! (\b0. p b0 => q (f b0)) and two premises.
const G1 = '* ! / b0 * * c=> * cp b0 * cq * cf b0';
const P_USED = '* ! / b0 * * c=> * cp b0 * cr b0';
const P_OTHER = '* ! / b1 * cs * cf b1';
const G2 = '* ! / b0 * * c=> * cp b0 * cs b0';
const G3 = '* ct ck';

const train = pairs([
  ['g1', G1, P_USED, 1], ['g1', G1, P_OTHER, 0],
  ['g2', G2, P_USED, 1], ['g2', G2, P_OTHER, 0],
  ['g3', G3, P_OTHER, 1], ['g3', G3, P_USED, 0],
]);

test('analyse: symbols, anonymised sub-terms and (function, argument) head bigrams of the prefix form', () => {
  const f = analyse('* * c= * cf b0 b1');
  assert.equal(f.tokens, 7);
  assert.deepEqual([...f.symbols].sort(), ['c=', 'cf']);
  assert.deepEqual([...f.subterms].sort(), ['((c= (cf V)) V)', '(c= (cf V))', '(cf V)']);
  assert.deepEqual([...f.bigrams].sort(), ['c= V', 'c= cf', 'cf V']);
  // A binder's variable is anonymised too: alpha-equivalent sub-terms are shared.
  assert.ok(analyse('* ! / b3 * cp b3').subterms.has('(/ (cp V))'));
});

test('usage and kNN columns never read the pair\'s own conjecture', () => {
  const ctx = new TrainingContext(train);
  // P_USED in g1: useful to g2 (1 use), not to g3 (1 non-use); its own g1 label is left out.
  const own = ctx.base(G1, P_USED, 'g1');
  assert.equal(own[col('log1p_uses')], Math.log1p(1));
  assert.equal(own[col('log1p_non_uses')], Math.log1p(1));
  assert.equal(own[col('use_rate')], 1.5 / 3);
  // A held-out conjecture sees all three.
  const held = ctx.base(G1, P_USED, 'new');
  assert.equal(held[col('log1p_uses')], Math.log1p(2));
  assert.equal(held[col('use_rate')], 2.5 / 4);
  // kNN: g2 shares `cp` and `c=>` with g1, g3 shares nothing, so the use vote outweighs the non-use vote.
  assert.ok(own[col('knn_use_max')]! > 0);
  assert.equal(own[col('knn_non_use_max')], 0);
  // Flipping g1's own label changes nothing for g1's pairs.
  const flipped = pairs([
    ['g1', G1, P_USED, 0], ['g1', G1, P_OTHER, 1],
    ['g2', G2, P_USED, 1], ['g2', G2, P_OTHER, 0],
    ['g3', G3, P_OTHER, 1], ['g3', G3, P_USED, 0],
  ]);
  assert.deepEqual(new TrainingContext(flipped).base(G1, P_USED, 'g1'), own);
  // An unseen premise has no history.
  const unseen = ctx.base(G1, '* cq ck', 'new');
  assert.equal(unseen[col('seen_in_train')], 0);
  assert.equal(unseen[col('knn_use_sum')], 0);
});

test('IDF overlap: shared and premise-only symbols weighted by log((docs+1)/(df+1))', () => {
  const ctx = new TrainingContext(train);
  const f = ctx.base(G1, P_USED, 'g1');
  // 5 distinct formulas in train; `cp` and `c=>` are in G1, G2, P_USED (df 3); `cr` only in P_USED (df 1).
  const idf = (df: number) => Math.log(6 / (df + 1));
  assert.ok(Math.abs(f[col('idf_shared')]! - 2 * idf(3)) < 1e-12);
  assert.ok(Math.abs(f[col('idf_premise_only')]! - idf(1)) < 1e-12);
  assert.equal(f[col('log1p_shared_symbols')], Math.log1p(2));
  assert.equal(f[col('log1p_premise_only_symbols')], Math.log1p(1));
});

test('listwise columns: centred within the conjecture, ranks with ties counting half, independent of order', () => {
  assert.equal(rankFraction([3, 1, 3, 2], 0), 2.5 / 3);
  assert.equal(rankFraction([5], 0), 0.5);
  const held = pairs([
    ['h', G1, P_USED, 1], ['h', G1, P_OTHER, 0], ['h', G1, '* cq ck', 0], ['k', G2, P_OTHER, 1],
  ]);
  const ctx = new TrainingContext(train);
  withContext(held, ctx);
  assert.equal(held.contextWidth, CONTEXT_WIDTH);
  const raw = (i: number, j: number) => held.context![i * CONTEXT_WIDTH + j]! / ctx.scale[j]! + ctx.mean[j]!;
  const b = BASE_FEATURES.length;
  const j = col('log_premise_len');
  const lens = [0, 1, 2].map((i) => raw(i, j));
  const mean = (lens[0]! + lens[1]! + lens[2]!) / 3;
  for (let i = 0; i < 3; i++) {
    assert.ok(Math.abs(raw(i, b + j) - (lens[i]! - mean)) < 1e-4);
    assert.ok(Math.abs(raw(i, 2 * b + j) - rankFraction(lens, i)) < 1e-4);
  }
  // A conjecture with one candidate: centred 0, rank one half.
  assert.ok(Math.abs(raw(3, b + j)) < 1e-4);
  assert.ok(Math.abs(raw(3, 2 * b + j) - 0.5) < 1e-4);
  // The same pairs in another order get the same rows.
  const shuffled = withContext(shuffleWithinConjectures(held, 7), ctx);
  const rowOf = (s: PairSet, premise: string, conj: string) => {
    const i = s.premiseTexts!.findIndex((p, k) => p === premise && s.conj[k] === conj);
    return Array.from(s.context!.subarray(i * CONTEXT_WIDTH, (i + 1) * CONTEXT_WIDTH));
  };
  for (const p of [P_USED, P_OTHER, '* cq ck']) assert.deepEqual(rowOf(shuffled, p, 'h'), rowOf(held, p, 'h'));
  // Training features are standardised by their own statistics.
  const t = withContext(train, ctx).context!;
  for (let k = 0; k < CONTEXT_WIDTH; k++) {
    let m = 0;
    for (let i = 0; i < train.labels.length; i++) m += t[i * CONTEXT_WIDTH + k]!;
    assert.ok(Math.abs(m / train.labels.length) < 1e-4, `column ${k} mean ${m}`);
  }
});

test('classifier with context features: MLP input and a wide linear path, gradients match finite differences', async () => {
  await initBackend('cpu');
  const set = withContext(pairs([['h', G1, P_USED, 1], ['h', G1, P_OTHER, 0]]), new TrainingContext(train));
  const batch = makeBatch(set, [0, 1]);
  assert.equal(batch.contextWidth, CONTEXT_WIDTH);
  assert.deepEqual(Array.from(batch.context!.subarray(0, CONTEXT_WIDTH)), Array.from(set.context!.subarray(0, CONTEXT_WIDTH)));
  const c = withInitSeed(2, () => new BinaryClassifier({ input_shape: 2, hidden: 3, context_features: true }));
  assert.deepEqual(c.fc1.w.shape, [2 * 2 + CONTEXT_WIDTH, 3]);
  assert.deepEqual(c.wide!.w.shape, [CONTEXT_WIDTH, 1]);
  const g = tf.tensor2d([[0.3, -0.2], [0.1, 0.4]]);
  const p = tf.tensor2d([[-0.5, 0.2], [0.7, 0.1]]);
  // By hand: relu(x W1 + b1) W2 + b2 + context Ww + bw.
  const W1 = c.fc1.w.arraySync() as number[][], b1 = c.fc1.b.arraySync() as number[];
  const W2 = c.fc2.w.arraySync() as number[][], b2 = c.fc2.b.arraySync() as number[];
  const Ww = c.wide!.w.arraySync() as number[][], bw = c.wide!.b.arraySync() as number[];
  const got = c.apply(g, p, batch).arraySync() as number[];
  for (let r = 0; r < 2; r++) {
    const ctxRow = Array.from(batch.context!.subarray(r * CONTEXT_WIDTH, (r + 1) * CONTEXT_WIDTH));
    const x = [...(g.arraySync() as number[][])[r]!, ...(p.arraySync() as number[][])[r]!, ...ctxRow];
    let out = b2[0]! + bw[0]!;
    for (let h = 0; h < 3; h++) out += Math.max(0, x.reduce((a, v, i) => a + v * W1[i]![h]!, b1[h]!)) * W2[h]![0]!;
    out += ctxRow.reduce((a, v, i) => a + v * Ww[i]![0]!, 0);
    assert.ok(Math.abs(got[r]! - out) < 1e-4, `row ${r}: ${got[r]} vs ${out}`);
  }
  // Gradients of the wide weights by central differences on a float64 re-computation of the logit sum.
  const f = () => tf.sum(c.apply(g, p, batch)) as tf.Scalar;
  const { grads } = tf.variableGrads(f, [c.wide!.w]);
  const gw = grads[c.wide!.w.name]!.arraySync() as number[][];
  for (const i of [0, col('log1p_uses'), CONTEXT_WIDTH - 1]) {
    const want = batch.context![i]! + batch.context![CONTEXT_WIDTH + i]!;
    assert.ok(Math.abs(gw[i]![0]! - want) < 1e-5, `d/dw[${i}]: ${gw[i]![0]} vs ${want}`);
  }
  // Central differences on first-layer weights of hidden units that no row sits near the kink of.
  const eps = 1e-3;
  const w0 = c.fc1.w.arraySync() as number[][];
  const xs = [0, 1].map((r) => [...(g.arraySync() as number[][])[r]!, ...(p.arraySync() as number[][])[r]!,
    ...Array.from(batch.context!.subarray(r * CONTEXT_WIDTH, (r + 1) * CONTEXT_WIDTH))]);
  const pre = (h: number) => xs.map((x) => x.reduce((a, v, i) => a + v * w0[i]![h]!, b1[h]!));
  const margin = (h: number) => Math.min(...pre(h).map(Math.abs));
  const h = [0, 1, 2].reduce((best, k) => (margin(k) > margin(best) ? k : best), 0);
  assert.ok(margin(h) > 0.05, 'a hidden unit away from the ReLU kink');
  const { grads: g1 } = tf.variableGrads(f, [c.fc1.w]);
  const d = g1[c.fc1.w.name]!.arraySync() as number[][];
  for (const i of [0, 5, 2 * 2 + CONTEXT_WIDTH - 1]) {
    const at = (delta: number) => {
      const w = w0.map((row) => [...row]);
      w[i]![h]! += delta;
      c.fc1.w.assign(tf.tensor2d(w));
      return f().arraySync() as number;
    };
    const fd = (at(eps) - at(-eps)) / (2 * eps);
    c.fc1.w.assign(tf.tensor2d(w0));
    // By hand too: d(sum of logits)/dW1[i][h] = sum over active rows of x[i] * W2[h].
    const exact = xs.reduce((a, x, r) => a + (pre(h)[r]! > 0 ? x[i]! * W2[h]![0]! : 0), 0);
    assert.ok(Math.abs(d[i]![h]! - exact) < 1e-4, `d/dW1[${i}][${h}]: ${d[i]![h]} vs ${exact}`);
    assert.ok(Math.abs(d[i]![h]! - fd) < 2e-2 * Math.max(1, Math.abs(fd)), `d/dW1[${i}][${h}]: ${d[i]![h]} vs finite ${fd}`);
  }
  // A batch without context features is refused with the option's name.
  const bare = makeBatch(pairs([['h', G1, P_USED, 1]]), [0]);
  assert.throws(() => c.apply(tf.tensor2d([[0, 0]]), tf.tensor2d([[0, 0]]), bare), /context_features/);
});
