// The embedding-bag op (mean of token embeddings, then dropout, as one op on the raw buffers) against the same
// function written with stock tfjs ops (gather, mean, multiply), forwards and backwards, on cpu and on wasm.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerKernelFixes } from '../../runner/backend/kernels.js';
import { wasmFolder } from '../../runner/backend/index.js';
import { embeddingBagMean } from '../../runner/models/embedding_bag.js';
import { Rng } from '../../runner/train/rng.js';

// Width 12 runs the SIMD loops (four lanes at a time); width 10 the plain loops for widths not a multiple of 4.
for (const DIM of [12, 10]) {
  const VOCAB = 40;
  const ROWS = 5;
  const WIDTH = 9;
  const r = new Rng(7);
  const table = Float32Array.from({ length: VOCAB * DIM }, () => r.normal());
  // Rows of different lengths with repeated ids; padding (0) after each row's length, and id 0 also used as a token.
  const lengths = Int32Array.from([9, 1, 4, 7, 3]);
  const ids = new Int32Array(ROWS * WIDTH);
  for (let i = 0; i < ROWS; i++) for (let j = 0; j < lengths[i]!; j++) ids[i * WIDTH + j] = Math.floor(r.next() * 6) * (i + 1) % VOCAB;
  const mask = Float32Array.from({ length: ROWS * DIM }, () => (r.next() < 0.3 ? 0 : 1 / 0.7));
  const upstream = Float32Array.from({ length: ROWS * DIM }, () => r.normal());

  function reference(t: tf.Tensor2D): tf.Tensor2D {
    const rows: tf.Tensor[] = [];
    for (let i = 0; i < ROWS; i++) {
      const tok = tf.tensor1d(ids.subarray(i * WIDTH, i * WIDTH + lengths[i]!), 'int32');
      rows.push(tf.mean(tf.gather(t, tok), 0));
    }
    return tf.mul(tf.stack(rows), tf.tensor2d(mask, [ROWS, DIM])) as tf.Tensor2D;
  }

  function run(f: (t: tf.Tensor2D) => tf.Tensor2D): { value: Float32Array; grad: Float32Array } {
    const t = tf.variable(tf.tensor2d(table, [VOCAB, DIM]));
    const out = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(f(t), tf.tensor2d(upstream, [ROWS, DIM]))) as tf.Scalar, [t]);
      return { value: f(t).dataSync() as Float32Array, grad: grads[t.name]!.dataSync() as Float32Array, loss: value };
    });
    t.dispose();
    return { value: Float32Array.from(out.value), grad: Float32Array.from(out.grad) };
  }

  function close(a: Float32Array, b: Float32Array, what: string): void {
    assert.equal(a.length, b.length);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= 1e-5 * (1 + Math.abs(b[i]!)), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }

  for (const backend of ['cpu', 'wasm'] as const) {
    test(`embedding bag equals gather + mean + dropout mask forwards and backwards (${backend}, width ${DIM})`, async () => {
      if (backend === 'wasm') setWasmPaths(wasmFolder() + '/');
      await tf.setBackend(backend);
      registerKernelFixes(backend);
      const ours = run((t) => embeddingBagMean(t, ids, lengths, ROWS, WIDTH, mask));
      const ref = run(reference);
      close(ours.value, ref.value, 'value');
      close(ours.grad, ref.grad, 'grad');
      // Rows of the table no sequence uses get exactly zero gradient; a used one does not.
      const used = new Set(Array.from({ length: ROWS }, (_, i) => [...ids.subarray(i * WIDTH, i * WIDTH + lengths[i]!)]).flat());
      for (let v = 0; v < VOCAB; v++) {
        const row = ours.grad.subarray(v * DIM, (v + 1) * DIM);
        if (!used.has(v)) assert.ok(row.every((x) => x === 0), `unused row ${v} has a gradient`);
      }
      assert.ok(used.size > 5);
      // Without a mask it is the plain mean.
      const plain = tf.tidy(() => embeddingBagMean(tf.tensor2d(table, [VOCAB, DIM]), ids, lengths, ROWS, WIDTH).dataSync());
      const refPlain = tf.tidy(() => tf.div(reference(tf.tensor2d(table, [VOCAB, DIM])), tf.tensor2d(mask.map((m) => m || 1), [ROWS, DIM])).dataSync());
      for (let i = 0; i < ROWS * DIM; i++) if (mask[i] !== 0) assert.ok(Math.abs(plain[i]! - refPlain[i]!) < 1e-5);
    });
  }
}

test('embedding bag refuses ids outside the table and lengths outside the row', () => {
  const t = tf.tensor2d(new Float32Array(40 * 12), [40, 12]);
  assert.throws(() => embeddingBagMean(t, Int32Array.from([1, 40]), Int32Array.from([2]), 1, 2), /outside the vocabulary/);
  assert.throws(() => embeddingBagMean(t, Int32Array.from([1, 2]), Int32Array.from([3]), 1, 2), /length 3/);
  t.dispose();
});
