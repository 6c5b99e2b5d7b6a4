// The list-aware scores and objective of runner/models/boosting/list_likelihood.ts on hand-computed lists: the
// probability that a candidate is used given how many of its list are, the likelihood's gradient, numerical safety,
// and the booster and model built on them (a list objective ranks lists that a per-pair loss cannot).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conditionalMarginals, expectedCounts, listObjective, toLogit, usedCounts } from '../../runner/models/boosting/list_likelihood.js';
import { Booster, type BoostingParams } from '../../runner/models/boosting/booster.js';
import { GradientBoostedTrees } from '../../runner/models/boosted_trees.js';
import { scoreBatches } from '../../runner/train/evaluate.js';
import { UserError } from '../../runner/run/errors.js';
import { auc, byConjecture as listsOf, rankingMetrics } from '../../runner/train/metrics.js';
import { rngFor } from '../../runner/train/rng.js';
import type { Batch } from '../../runner/data/premise_pairs.js';

const close = (a: number, b: number, what: string, tol = 1e-12): void => assert.ok(Math.abs(a - b) < tol, `${what}: ${a} vs ${b}`);
/** Logits with the given odds. */
const logOdds = (w: number[]): number[] => w.map(Math.log);

test('lists: rows grouped by conjecture in order of first appearance; counts are labels summed or length x share', () => {
  const lists = listsOf(['a', 'b', 'a', 'c', 'b', 'a']);
  assert.deepEqual(lists, [[0, 2, 5], [1, 4], [3]]);
  assert.deepEqual([...usedCounts(lists, [1, 0, 0, 1, 1, 1])], [2, 1, 1]);
  assert.deepEqual([...expectedCounts([[0, 1, 2, 3], [4, 5], [6, 7, 8, 9, 10, 11]], 0.5)], [2, 1, 3]);
});

test('two candidates, one used: P(first | one of two) = w1 / (w1 + w2), the logistic of the logit gap', () => {
  const m = conditionalMarginals(logOdds([3, 1]), [[0, 1]], [1]);
  close(m[0]!, 3 / 4, 'odds 3 against 1');
  close(m[1]!, 1 / 4, 'the other');
  const z = [0.7, -1.9];
  close(conditionalMarginals(z, [[0, 1]], [1])[0]!, 1 / (1 + Math.exp(-(0.7 + 1.9))), 'sigmoid of the gap');
});

test('one used of three: each candidate in proportion to its odds (1:2:3 gives 1/6, 1/3, 1/2)', () => {
  const m = conditionalMarginals(logOdds([1, 2, 3]), [[0, 1, 2]], [1]);
  [1 / 6, 1 / 3, 1 / 2].forEach((v, i) => close(m[i]!, v, `candidate ${i}`));
});

test('two used of four, odds 1, 1, 2, 4: e2 = 21, each w_i times the others\' sum over 21 (1/3, 1/3, 4/7, 16/21)', () => {
  // e2 = 1*1 + 1*2 + 1*4 + 1*2 + 1*4 + 2*4 = 21; candidate i: w_i * e1(the others) / e2.
  const m = conditionalMarginals(logOdds([1, 1, 2, 4]), [[0, 1, 2, 3]], [2]);
  [7 / 21, 7 / 21, 12 / 21, 16 / 21].forEach((v, i) => close(m[i]!, v, `candidate ${i}`));
  close(m.reduce((a, v) => a + v, 0), 2, 'the probabilities sum to the count');
});

test('lists are scored apart, a shift of one list\'s logits changes nothing, and full or empty counts are certain', () => {
  // Rows interleaved: list a = rows 0, 2, 4 (odds 1:2:3, one used); list b = rows 1, 3 (odds 3:1, one used).
  const z = [Math.log(1), Math.log(3), Math.log(2), 0, Math.log(3)];
  const lists = listsOf(['a', 'b', 'a', 'b', 'a']);
  const m = conditionalMarginals(z, lists, [1, 1]);
  [1 / 6, 3 / 4, 1 / 3, 1 / 4, 1 / 2].forEach((v, i) => close(m[i]!, v, `row ${i}`));
  const shifted = z.map((v, i) => (i % 2 === 0 ? v + 5 : v - 2));
  conditionalMarginals(shifted, lists, [1, 1]).forEach((v, i) => close(v, m[i]!, `row ${i} after the shift`, 1e-9));
  assert.deepEqual([...conditionalMarginals([0.3, -2, 4], [[0, 1, 2]], [0])], [0, 0, 0]);
  assert.deepEqual([...conditionalMarginals([0.3, -2, 4], [[0, 1, 2]], [3])], [1, 1, 1]);
});

test('extreme logits in a long list stay finite, in [0, 1], and sum to the count', () => {
  const r = rngFor(4, 'extreme');
  const z = Array.from({ length: 66 }, (_, i) => (i % 3 === 0 ? 1e4 : i % 3 === 1 ? -1e4 : 40 * (r.next() - 0.5)));
  const m = conditionalMarginals(z, [z.map((_, i) => i)], [33]);
  assert.ok(m.every((v) => Number.isFinite(v) && v >= 0 && v <= 1), 'probabilities');
  close(m.reduce((a, v) => a + v, 0), 33, 'sum', 1e-6);
  assert.ok(m.map(toLogit).every(Number.isFinite), 'logits');
});

test('the objective: negative log-likelihood given the count, and its gradient m - y (checked by finite differences)', () => {
  // One of two used, odds 3:1, the first used: -log(3/4) over two rows.
  const grad = new Float64Array(2);
  const hess = new Float64Array(2);
  close(listObjective(logOdds([3, 1]), [1, 0], [[0, 1]], [1], grad, hess), -Math.log(3 / 4) / 2, 'nll per row');
  close(grad[0]!, 3 / 4 - 1, 'gradient of the used one');
  close(grad[1]!, 1 / 4, 'gradient of the other');
  close(hess[0]!, 3 / 16, 'hessian m (1 - m)');
  // A list of five, two used, and a second list of three, one used: analytic gradient against finite differences.
  const z = [0.4, -1.2, 2.1, 0.3, -0.5, 1.5, -0.2, 0.9];
  const y = [1, 0, 1, 0, 0, 0, 1, 0];
  const lists = [[0, 1, 2, 3, 4], [5, 6, 7]];
  const counts = usedCounts(lists, y);
  const g = new Float64Array(8);
  listObjective(z, y, lists, counts, g, new Float64Array(8));
  const h = 1e-6;
  for (let i = 0; i < z.length; i++) {
    const up = z.slice(); up[i]! += h;
    const down = z.slice(); down[i]! -= h;
    // The objective is per row (8 rows); the gradient is of the sum.
    const numeric = (listObjective(up, y, lists, counts) - listObjective(down, y, lists, counts)) * 8 / (2 * h);
    close(g[i]!, numeric, `d nll / d z${i}`, 1e-6);
  }
});

const PARAMS: BoostingParams = {
  numLeaves: 8, maxDepth: 64, minChildSamples: 5, minChildWeight: 1e-3, l2: 1, minSplitGain: 0, learningRate: 0.3,
  rowFraction: 1, featureFraction: 1, maxBins: 64, seed: 1,
};

/**
 * Lists of six candidates, the top three by a hidden x used; the one feature is x plus a large offset per list, so
 * the feature ranks each list perfectly but mixes the lists: a per-pair loss cannot rank all pairs together well.
 */
function offsetLists(lists: number, seed: number): { x: Float32Array; y: Float32Array; conj: string[] } {
  const r = rngFor(seed, 'offset-lists');
  const x: number[] = [], y: number[] = [], conj: string[] = [];
  for (let g = 0; g < lists; g++) {
    const offset = 4 * r.next();
    const hidden = Array.from({ length: 6 }, () => r.next());
    const cut = [...hidden].sort((a, b) => b - a)[2]!;
    hidden.forEach((h) => {
      x.push(h + offset);
      y.push(h >= cut ? 1 : 0);
      conj.push(`list${g}`);
    });
  }
  return { x: Float32Array.from(x), y: Float32Array.from(y), conj };
}

test('the list objective learns a ranking within lists that the per-pair loss misses, and resumes bit for bit', () => {
  const train = offsetLists(150, 1);
  const held = offsetLists(100, 2);
  const heldLists = listsOf(held.conj);
  const fit = (objective: 'binary' | 'list', rounds: number): { b: Booster; losses: number[] } => {
    const b = new Booster({ ...PARAMS, objective });
    b.setTrainingData(train.x, train.y, train.y.length, 1, listsOf(train.conj));
    return { b, losses: Array.from({ length: rounds }, () => b.boostRound()) };
  };
  const list = fit('list', 100);
  const binary = fit('binary', 100);
  assert.ok(list.losses[99]! < list.losses[0]! / 2, `the list likelihood improves (${list.losses[0]} -> ${list.losses[99]})`);
  const counts = expectedCounts(heldLists, list.b.positiveShare);
  close(list.b.positiveShare, 0.5, 'the training share of used pairs');
  const listAuc = auc(conditionalMarginals(list.b.predict(held.x, held.y.length), heldLists, counts), held.y);
  const binaryZ = binary.b.predict(held.x, held.y.length);
  const binaryAuc = auc(binaryZ, held.y);
  const binaryListAuc = auc(conditionalMarginals(binaryZ, heldLists, counts), held.y);
  // About 0.98 against 0.65 (per-pair loss) and 0.74 (per-pair loss, list scores): the objective, not only the scores.
  assert.ok(listAuc > 0.95, `list objective and list scores: held-out AUC ${listAuc}`);
  assert.ok(binaryAuc < 0.75, `the per-pair loss on its own: held-out AUC ${binaryAuc}`);
  assert.ok(binaryListAuc < 0.85, `the per-pair loss with list scores: held-out AUC ${binaryListAuc}`);
  // Exact resume under the list objective.
  const first = fit('list', 40);
  const again = new Booster({ ...PARAMS, objective: 'list' });
  again.setTrainingData(train.x, train.y, train.y.length, 1, listsOf(train.conj));
  again.load(JSON.parse(JSON.stringify(first.b.state())));
  const losses = [...first.losses, ...Array.from({ length: 60 }, () => again.boostRound())];
  assert.deepEqual(losses, list.losses);
  assert.throws(() => new Booster({ ...PARAMS, objective: 'list' }).setTrainingData(train.x, train.y, train.y.length, 1), /candidate list/);
});

test('the model: list_scores turns held-out logits into list probabilities when whole lists are scored; bad values name the key', async () => {
  const train = offsetLists(60, 3);
  const held = offsetLists(20, 4);
  const model = new GradientBoostedTrees({ objective: 'list', list_scores: true, num_leaves: 4, min_child_samples: 5, rounds_per_epoch: 5 });
  model.startBoosting({ x: train.x, y: train.y, n: train.y.length, d: 1, conj: train.conj }, 1);
  for (let i = 0; i < 10; i++) model.boostRound();
  // Batches of 7 rows cut the lists of 6: the list step runs on all the scores, after every batch.
  const batch = (i: number): Batch => {
    const rows = Array.from({ length: Math.min(7, held.y.length - 7 * i) }, (_, k) => 7 * i + k);
    return {
      size: rows.length, labels: Float32Array.from(rows, (r) => held.y[r]!), conj: rows.map((r) => held.conj[r]!),
      context: Float32Array.from(rows, (r) => held.x[r]!), contextWidth: 1,
    } as unknown as Batch;
  };
  const scored = await scoreBatches(model, Math.ceil(held.y.length / 7), batch, 1, 0);
  const lists = listsOf(held.conj);
  const raw = model.boostingState();
  const scorer = new GradientBoostedTrees({ objective: 'list', list_scores: false });
  scorer.loadBoostingState(JSON.parse(JSON.stringify(raw)));
  const plain = await scoreBatches(scorer, Math.ceil(held.y.length / 7), batch, 1, 0);
  const expected = conditionalMarginals(plain.logits, lists, expectedCounts(lists, 0.5));
  scored.logits.forEach((v, i) => close(v, toLogit(expected[i]!), `row ${i}`, 1e-9));
  for (const rows of lists) close(rows.reduce((a, i) => a + 1 / (1 + Math.exp(-scored.logits[i]!)), 0), 3, 'three of six', 1e-6);
  // Each list keeps its order, so the per-list metrics (MAP, recall@k) are those of the trees' own logits.
  assert.deepEqual(rankingMetrics(scored), rankingMetrics(plain));
  assert.notEqual(auc(scored.logits, scored.labels), auc(plain.logits, plain.labels), 'the global AUC is another');
  for (const [opts, key, message] of [[{ objective: 'lambdarank' }, 'objective', /binary or list/], [{ list_scores: 'yes' }, 'list_scores', /true or false/]] as const) {
    assert.throws(() => new GradientBoostedTrees(opts as never), (e: unknown) => e instanceof UserError && e.key === key && message.test(e.message), key);
  }
});
