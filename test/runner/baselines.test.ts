// The reference baselines and the data's candidate order: the logistic regression recovers known weights, the
// constant scorer gets exactly a random ranking's metrics, the length baseline ranks by length, and no conjecture's
// candidates reach the models in the file's positives-first order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { loadPairs, loadVocab } from '../../runner/data/premise_pairs.js';
import { OpenVocabulary, baselineScores, chronologicalBaselineScores, fitLogistic, logisticLogits } from '../../runner/eval/baselines.js';
import { auc, rankingMetrics } from '../../runner/train/metrics.js';
import { Rng } from '../../runner/train/rng.js';
import { DATA } from './helpers.js';

test('logistic regression recovers the weights that generated its labels', () => {
  const rng = new Rng(3);
  const x: Float64Array[] = [];
  const y: number[] = [];
  for (let i = 0; i < 20000; i++) {
    const a = rng.normal();
    const b = rng.normal() * 2 + 1;
    x.push(Float64Array.of(a, b));
    y.push(rng.next() < 1 / (1 + Math.exp(-(0.5 + 1.5 * a - 0.75 * b))) ? 1 : 0);
  }
  const m = fitLogistic(x, y, 0);
  // Back from standardized to raw units: w_raw = w / std, bias = w0 - sum(w * mean / std).
  const raw = [1, 2].map((j) => m.weights[j]! / m.std[j - 1]!);
  const bias = m.weights[0]! - raw.reduce((s, w, j) => s + w * m.mean[j]!, 0);
  assert.ok(Math.abs(raw[0]! - 1.5) < 0.08, `a: ${raw[0]}`);
  assert.ok(Math.abs(raw[1]! + 0.75) < 0.05, `b: ${raw[1]}`);
  assert.ok(Math.abs(bias - 0.5) < 0.08, `bias: ${bias}`);
  const logits = logisticLogits(m, [Float64Array.of(1, 1)]);
  assert.ok(Math.abs(logits[0]! - (bias + raw[0]! + raw[1]!)) < 1e-9);
});

test('baselines on the shipped data: constant = random ranking, length ranks by length, hand features add to it', () => {
  const vocab = new OpenVocabulary();
  const load = (s: string) => loadPairs(join(DATA, `${s}.jsonl.gz`), vocab, Number.MAX_SAFE_INTEGER, 'dir');
  const train = load('train');
  const val = load('val');
  const scores = baselineScores(train, { val });
  const constant = scores.constant!.val!;
  assert.equal(auc(constant.logits, constant.labels), 0.5);
  // Random ranking: a conjecture with n candidates and t positives has expected AP (t/n) * sum_q (1 + (q-1)(t-1)/(n-1)) / q / t.
  const groups = new Map<string, { n: number; t: number }>();
  val.conj.forEach((c, i) => {
    const g = groups.get(c) ?? { n: 0, t: 0 };
    g.n++;
    g.t += val.labels[i]!;
    groups.set(c, g);
  });
  let expected = 0;
  for (const { n, t } of groups.values()) {
    let s = 0;
    for (let q = 1; q <= n; q++) s += (t / n) * (1 + ((q - 1) * (t - 1)) / Math.max(1, n - 1)) / q;
    expected += s / t;
  }
  assert.ok(Math.abs(rankingMetrics(constant).map! - expected / groups.size) < 1e-12);
  const byLength = scores.premise_length!.val!;
  const negLength = Float64Array.from(val.premises, (p) => -p.length);
  assert.equal(auc(byLength.logits, byLength.labels), auc(negLength, byLength.labels), 'the fitted model ranks shorter premises first');
  assert.ok(auc(scores.hand_features!.val!.logits, val.labels) > auc(byLength.logits, val.labels) + 0.01);
});

test('each conjecture\'s candidates are shuffled at load, the same way every time', () => {
  const vocab = loadVocab(join(DATA, 'vocab.json'), 'dir');
  const a = loadPairs(join(DATA, 'val.jsonl.gz'), vocab, 64, 'dir');
  const b = loadPairs(join(DATA, 'val.jsonl.gz'), vocab, 64, 'dir');
  assert.deepEqual(Array.from(a.labels), Array.from(b.labels));
  // In the file every conjecture lists its positives first; after loading, most do not.
  const firstIsNegative = new Set<string>();
  const seen = new Set<string>();
  a.conj.forEach((c, i) => {
    if (!seen.has(c) && a.labels[i] === 0) firstIsNegative.add(c);
    seen.add(c);
  });
  assert.ok(firstIsNegative.size > seen.size / 4, `${firstIsNegative.size} of ${seen.size} conjectures start with a negative`);
  // The same pairs, conjectures still contiguous.
  assert.equal(a.labels.reduce((s, y) => s + y, 0), 1296);
  const blocks = a.conj.filter((c, i) => i === 0 || a.conj[i - 1] !== c);
  assert.equal(blocks.length, seen.size);
});

test('the chronological hand-feature baseline reads only earlier proofs of its article, and they help it', () => {
  const vocab = new OpenVocabulary();
  const load = (s: string) => loadPairs(join(DATA, `${s}.jsonl.gz`), vocab, Number.MAX_SAFE_INTEGER, 'dir');
  const train = load('train');
  const val = load('val');
  const plain = baselineScores(train, { val }).hand_features!.val!;
  const chrono = chronologicalBaselineScores(train, { val }).val!;
  // The history of earlier proofs is worth something on val (0.69 -> 0.73 when written).
  assert.ok(auc(chrono.logits, val.labels) > auc(plain.logits, val.labels) + 0.02,
    `chronological ${auc(chrono.logits, val.labels)} vs ${auc(plain.logits, val.labels)}`);
  // Flip every label from the 100th val conjecture on: no pair before it may change its score, and some after do.
  const order = [...new Set(val.conj)];
  const cut = order.indexOf(order[100]!);
  const later = new Set(order.slice(cut));
  const flipped = { ...val, labels: Float32Array.from(val.labels, (y, i) => (later.has(val.conj[i]!) ? 1 - y : y)) };
  const again = chronologicalBaselineScores(train, { val: flipped }).val!;
  let changedLater = 0;
  val.conj.forEach((c, i) => {
    if (later.has(c)) changedLater += Number(again.logits[i] !== chrono.logits[i]);
    else assert.equal(again.logits[i], chrono.logits[i], `pair ${i} of ${c} read a later label`);
  });
  assert.ok(changedLater > 0, 'the flipped later labels reach later pairs');
});
