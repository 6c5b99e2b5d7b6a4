// The cross-attention matching model (runner/models/cross_attention.ts): shared marks on hand-made rows, what its
// logits may and may not depend on (padding, token order, which symbols the other side has), finite gradients for
// every parameter, config errors, and exact resume after kill -9 with it as the run's model.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../runner/backend/index.js';
import { type PairSet, makeBatch } from '../../runner/data/premise_pairs.js';
import { CrossAttentionSelection, sharedMarks } from '../../runner/models/cross_attention.js';
import { forwardContext } from '../../runner/models/module.js';
import { BinaryClassifier } from '../../runner/models/premise_selection.js';
import { withInitSeed } from '../../runner/train/rng.js';
import { makeWorkspace } from './helpers.js';
import { killNineAndResume, referenceRun } from './resume_scenarios.js';

function model(d = 4): CrossAttentionSelection {
  return withInitSeed(5, () => new CrossAttentionSelection({
    ntoken: 12, d_model: d, dropout: 0.2, classifier: new BinaryClassifier({ input_shape: 2 * d, hidden: 3 }),
  }));
}

function pairs(goals: number[][], premises: number[][]): PairSet {
  return {
    goals: goals.map((g) => Int32Array.from(g)), premises: premises.map((p) => Int32Array.from(p)),
    labels: Float32Array.from(goals, (_, i) => i % 2), conj: goals.map((_, i) => `c${i}`),
  };
}

const logitsOf = (m: CrossAttentionSelection, set: PairSet, idx: number[]): number[] =>
  tf.tidy(() => Array.from(m.logits(makeBatch(set, idx), forwardContext(false, 1, 0)).dataSync()));

function assertClose(a: number[], b: number[], what: string): void {
  assert.equal(a.length, b.length);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-5, `${what}: ${a} vs ${b}`));
}

test('shared marks: 1 where the token occurs among the other row\'s real tokens, never for padding', () => {
  const side = { ids: Int32Array.of(5, 6, 7, 0, 9, 9, 0, 0), lengths: Int32Array.of(3, 2), width: 4 };
  // Row 0 of the other side has 7 and 5; its padding slot holds 6, which must not count. Row 1 has no 9.
  const other = { ids: Int32Array.of(7, 5, 6, 3, 4, 0, 0, 0), lengths: Int32Array.of(2, 2), width: 4 };
  assert.deepEqual(Array.from(sharedMarks(side, other, 2)), [1, 0, 1, 0, 0, 0, 0, 0]);
});

test('cross attention: one logit per pair, blind to padding and token order, not to the tokens themselves', async () => {
  await initBackend('cpu');
  const m = model();
  const set = pairs([[2, 3, 4], [5, 6], [2, 3, 4]], [[3, 7, 8, 9], [6], [10, 7, 8, 9]]);
  const base = logitsOf(m, set, [0, 1]);
  assert.equal(base.length, 2);
  assert.ok(base.every(Number.isFinite));
  // Each pair alone (no padding) scores as in the padded batch.
  assertClose([...logitsOf(m, set, [0]), ...logitsOf(m, set, [1])], base, 'padding');
  // Attention with mean and max pooling reads a set of tokens: reordering either side changes nothing.
  const shuffled = pairs([[4, 2, 3], [6, 5]], [[9, 8, 3, 7], [6]]);
  assertClose(logitsOf(m, shuffled, [0, 1]), base, 'order');
  // Pair 2 differs from pair 0 only in the premise's first token (3, shared with the goal, becomes 10, not shared).
  assert.notEqual(logitsOf(m, set, [2])[0], base[0]);
});

test('cross attention: every parameter gets a finite, non-zero gradient (dropout on)', async () => {
  await initBackend('cpu');
  const m = model();
  const b = makeBatch(pairs([[2, 3, 4], [5, 6]], [[3, 7, 8, 9], [6, 11]]), [0, 1]);
  const vars = m.namedParameters();
  const { value, grads } = tf.variableGrads(() => m.loss(b, forwardContext(true, 3, 1)), vars.map(([, v]) => v));
  assert.ok(Number.isFinite(value.dataSync()[0]!));
  assert.deepEqual(vars.map(([n]) => n), ['embedding', 'marks', 'compare.weight', 'compare.bias', 'classifier.fc1.weight',
    'classifier.fc1.bias', 'classifier.fc2.weight', 'classifier.fc2.bias']);
  for (const [name, v] of vars) {
    const g = grads[v.name]!.dataSync();
    assert.ok(g.every(Number.isFinite), `${name}: finite`);
    assert.ok(g.some((x) => x !== 0), `${name}: non-zero`);
  }
});

test('cross attention: a classifier of the wrong width, a missing classifier and a small vocabulary are clear errors', () => {
  assert.throws(() => new CrossAttentionSelection({ ntoken: 12, d_model: 4, classifier: new BinaryClassifier({ input_shape: 4 }) }),
    /classifier\.input_shape \(4\) must be 2 \* d_model \(8\)/);
  assert.throws(() => new CrossAttentionSelection({ ntoken: 12, d_model: 4 }), /classifier must be a bait\.models\.BinaryClassifier/);
  assert.throws(() => model().checkVocabulary(13), /has 13 tokens but the model accepts 12; set ntoken/);
});

const ws = makeWorkspace();
after(() => rmSync(ws, { recursive: true, force: true }));

test('cross attention as the run\'s model: kill -9 then resume equals the uninterrupted run bit for bit (cpu)', async () => {
  const tiny = join(ws, 'configs', 'premise_selection', 'mizar40', 'tiny.yaml');
  const text = readFileSync(tiny, 'utf8');
  const at = text.indexOf('\nmodel:\n');
  assert.ok(at > 0, 'the tiny config has a model block to replace');
  writeFileSync(tiny, `${text.slice(0, at)}
model:
  _target_: bait.models.CrossAttentionSelection
  ntoken: \${data_config.vocab_size}
  d_model: 8
  dropout: 0.1
  classifier:
    input_shape: 16
    hidden: 8
    context_features: true
`);
  const reference = await referenceRun(ws, 'cpu');
  const names = JSON.parse(readFileSync(join(reference, 'checkpoints', 'last', 'manifest.json'), 'utf8')) as { tensors?: Array<{ name: string }> };
  assert.ok(JSON.stringify(names).includes('marks'), 'the run trained the cross-attention model');
  await killNineAndResume(ws, 'cpu', reference);
});
