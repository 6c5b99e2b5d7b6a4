// The interaction classifier's pair features and the convolutional encoder, checked against hand computations and
// a direct loop, forwards and backwards, on the cpu backend (stock tfjs ops, as on any other backend).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../runner/backend/index.js';
import { makeBatch } from '../../runner/data/premise_pairs.js';
import { ConvEncoder } from '../../runner/models/conv.js';
import { forwardContext } from '../../runner/models/module.js';
import { pairFeatures } from '../../runner/models/pair_features.js';
import { BinaryClassifier } from '../../runner/models/premise_selection.js';
import { withInitSeed } from '../../runner/train/rng.js';

test('pair features: log lengths and distinct shared / premise-only symbols of each pair', () => {
  const set = {
    goals: [Int32Array.of(5, 6, 7, 5), Int32Array.of(9)],
    premises: [Int32Array.of(5, 5, 8, 9, 6), Int32Array.of(9, 9)],
    labels: Float32Array.of(1, 0),
    conj: ['a', 'b'],
  };
  const f = pairFeatures(makeBatch(set, [0, 1]));
  // Pair 0: goal 4 tokens, premise 5; premise symbols {5, 8, 9, 6}: 5 and 6 are in the goal, 8 and 9 are not.
  const expected = [Math.log(4) - 3.5, Math.log(5) - 3.5, Math.log1p(2) - 2, Math.log1p(2) - 1,
    Math.log(1) - 3.5, Math.log(2) - 3.5, Math.log1p(1) - 2, Math.log1p(0) - 1];
  expected.forEach((v, i) => assert.ok(Math.abs(f[i]! - v) < 1e-6, `feature ${i}: ${f[i]} vs ${v}`));
  // Pair 1 first, alone: the scratch state of pair 0 must not leak into it.
  const alone = pairFeatures(makeBatch(set, [1]));
  assert.deepEqual(Array.from(alone), Array.from(f.subarray(4)));
});

test('conv encoder: a width-3 convolution with max-pooling over real tokens, gradients by tfjs', async () => {
  await initBackend('cpu');
  const enc = withInitSeed(3, () => new ConvEncoder({ ntoken: 12, d_model: 4, embedding_dim: 3, kernel_size: 3 }));
  const rows = 2;
  const width = 4;
  const ids = Int32Array.of(1, 2, 3, 0, 4, 5, 0, 0);
  const lengths = Int32Array.of(3, 2);
  const ctx = forwardContext(false, 1, 0);
  const out = enc.encode(ids, lengths, rows, width, ctx).arraySync() as number[][];
  // Direct loop: window of token i is (i-1, i, i+1) with zero vectors outside the real tokens.
  const E = enc.embedding.arraySync() as number[][];
  const W = enc.conv.w.arraySync() as number[][];
  const B = enc.conv.b.arraySync() as number[];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < 4; c++) {
      let best = -Infinity;
      for (let i = 0; i < lengths[r]!; i++) {
        let s = B[c]!;
        for (let o = -1; o <= 1; o++) {
          const j = i + o;
          if (j < 0 || j >= lengths[r]!) continue;
          const e = E[ids[r * width + j]!]!;
          for (let k = 0; k < 3; k++) s += e[k]! * W[(o + 1) * 3 + k]![c]!;
        }
        best = Math.max(best, Math.max(0, s));
      }
      assert.ok(Math.abs(out[r]![c]! - best) < 1e-5, `row ${r} channel ${c}: ${out[r]![c]} vs ${best}`);
    }
  }
  // Ids past a row's length do not matter.
  const other = Int32Array.from(ids);
  other[3] = 7;
  other[6] = 9;
  assert.deepEqual(enc.encode(other, lengths, rows, width, ctx).arraySync(), out);
  // The embedding and the filters get gradients.
  const vars = enc.namedParameters().map(([, v]) => v);
  const { grads } = tf.variableGrads(() => tf.sum(enc.encode(ids, lengths, rows, width, ctx)) as tf.Scalar, vars);
  for (const v of vars) assert.ok(tf.sum(tf.abs(grads[v.name]!)).arraySync() as number > 0, v.name);
  assert.throws(() => new ConvEncoder({ ntoken: 12, kernel_size: 2 }), /kernel_size must be odd/);
});

test('interaction classifier: reads [g, p, g*p, |g-p|, pair features] and rejects a non-boolean flag', async () => {
  await initBackend('cpu');
  const c = withInitSeed(1, () => new BinaryClassifier({ input_shape: 3, hidden: 2, interaction: true, pair_features: true }));
  assert.deepEqual(c.fc1.w.shape, [4 * 3 + 4, 2]);
  const set = { goals: [Int32Array.of(2, 3)], premises: [Int32Array.of(3)], labels: Float32Array.of(1), conj: ['a'] };
  const g = tf.tensor2d([[1, -2, 0.5]]);
  const p = tf.tensor2d([[0.5, 1, 0.5]]);
  const got = c.apply(g, p, makeBatch(set, [0])).arraySync() as number[];
  const x = [1, -2, 0.5, 0.5, 1, 0.5, 0.5, -2, 0.25, 0.5, 3, 0, ...pairFeatures(makeBatch(set, [0]))];
  const W1 = c.fc1.w.arraySync() as number[][];
  const b1 = c.fc1.b.arraySync() as number[];
  const W2 = c.fc2.w.arraySync() as number[][];
  const b2 = c.fc2.b.arraySync() as number[];
  const h = b1.map((b, j) => Math.max(0, x.reduce((s, v, i) => s + v * W1[i]![j]!, b)));
  const want = h.reduce((s, v, j) => s + v * W2[j]![0]!, b2[0]!);
  assert.ok(Math.abs(got[0]! - want) < 1e-5, `${got[0]} vs ${want}`);
  assert.throws(() => new BinaryClassifier({ input_shape: 3, interaction: 'yes' as never }), /interaction must be true or false/);
});
