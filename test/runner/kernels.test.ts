// Our kernels against tfjs's own: the O(N*D) UnsortedSegmentSum gives the stock cpu kernel's bits (and exists on
// wasm, where tfjs has none), the wasm matMul with transposed operands gives the untransposed product's bits, and
// the batched products and row sums of our SIMD loops agree with float64 references.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerKernelFixes } from '../../runner/backend/kernels.js';
import { wasmFolder } from '../../runner/backend/index.js';
import { Rng } from '../../runner/train/rng.js';

function data(n: number, seed: number): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: n }, () => r.normal());
}

const ids = Int32Array.from({ length: 300 }, (_, i) => (i * 7919) % 50);
const x = data(300 * 16, 1);

function segmentSum(): Float32Array {
  return tf.tidy(() => tf.unsortedSegmentSum(tf.tensor2d(x, [300, 16]), tf.tensor1d(ids, 'int32'), 50).dataSync() as Float32Array);
}

function gatherGrad(): Float32Array {
  const table = tf.variable(tf.tensor2d(data(50 * 16, 2), [50, 16]));
  const g = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tf.tensor1d(ids, 'int32')), tf.tensor2d(x, [300, 16]))))(table).dataSync() as Float32Array);
  table.dispose();
  return g;
}

test('UnsortedSegmentSum: ours equals the stock cpu kernel bit for bit, on cpu and on wasm', async () => {
  await tf.setBackend('cpu');
  const stock = segmentSum();
  const stockGrad = gatherGrad();
  registerKernelFixes('cpu');
  assert.deepEqual(Buffer.from(segmentSum().buffer), Buffer.from(stock.buffer));
  assert.deepEqual(Buffer.from(gatherGrad().buffer), Buffer.from(stockGrad.buffer));

  setWasmPaths(wasmFolder() + '/');
  await tf.setBackend('wasm');
  assert.throws(() => segmentSum(), /UnsortedSegmentSum|not registered|kernel/i, 'stock wasm lacks the kernel');
  registerKernelFixes('wasm');
  assert.deepEqual(Buffer.from(segmentSum().buffer), Buffer.from(stock.buffer));
  assert.deepEqual(Buffer.from(gatherGrad().buffer), Buffer.from(stockGrad.buffer));

  // The transposed products of a backward pass, 2-D and batched 3-D, against explicit transposes.
  const a = tf.tensor2d(data(64 * 96, 3), [64, 96]);
  const b = tf.tensor2d(data(64 * 80, 4), [64, 80]);
  const viaFix = tf.matMul(a, b, true, false).dataSync();
  const explicit = tf.matMul(tf.transpose(a), b).dataSync();
  assert.deepEqual(Array.from(viaFix), Array.from(explicit));
  const c = tf.tensor3d(data(4 * 8 * 5, 5), [4, 8, 5]);
  const d = tf.tensor3d(data(4 * 6 * 5, 6), [4, 6, 5]);
  assert.deepEqual(Array.from(tf.matMul(c, d, false, true).dataSync()), Array.from(tf.matMul(c, tf.transpose(d, [0, 2, 1])).dataSync()));
  const onWasm = Array.from(viaFix);
  await tf.setBackend('cpu');
  const onCpu = Array.from(tf.matMul(tf.tensor2d(data(64 * 96, 3), [64, 96]), tf.tensor2d(data(64 * 80, 4), [64, 80]), true, false).dataSync());
  for (let i = 0; i < onCpu.length; i++) assert.ok(Math.abs(onCpu[i]! - onWasm[i]!) < 1e-4, `element ${i}`);
});

/** op(A[i]) op(B[i]) in float64, A [ba, ., .] and B [bb, ., .] as stored, a batch of 1 broadcast. */
function reference(a: Float32Array, as: number[], b: Float32Array, bs: number[], ta: boolean, tb: boolean): Float64Array {
  const [M, K] = ta ? [as[2]!, as[1]!] : [as[1]!, as[2]!];
  const N = tb ? bs[1]! : bs[2]!;
  const batch = Math.max(as[0]!, bs[0]!);
  const out = new Float64Array(batch * M * N);
  for (let i = 0; i < batch; i++) {
    const ao = (as[0] === 1 ? 0 : i) * M * K;
    const bo = (bs[0] === 1 ? 0 : i) * K * N;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a[ao + (ta ? k * M + m : m * K + k)]! * b[bo + (tb ? n * K + k : k * N + n)]!;
        out[(i * M + m) * N + n] = s;
      }
    }
  }
  return out;
}

test('batched matMul on wasm (our SIMD loops): every transpose, broadcast batches, odd row counts, against float64', async () => {
  setWasmPaths(wasmFolder() + '/');
  await tf.setBackend('wasm');
  registerKernelFixes('wasm');
  // [batch A, batch B, M, K, N]: attention-like, one row (the transformer's mean-pool), broadcast either side, odd M/K.
  const cases = [[6, 6, 16, 12, 8], [3, 3, 1, 7, 12], [1, 5, 9, 5, 4], [4, 1, 13, 3, 20], [2, 2, 64, 64, 64]];
  let seed = 10;
  for (const [ba, bb, M, K, N] of cases) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        const as = ta ? [ba!, K!, M!] : [ba!, M!, K!];
        const bs = tb ? [bb!, N!, K!] : [bb!, K!, N!];
        const av = data(as[0]! * as[1]! * as[2]!, seed++);
        const bv = data(bs[0]! * bs[1]! * bs[2]!, seed++);
        const got = tf.tidy(() => tf.matMul(tf.tensor3d(av, as as [number, number, number]), tf.tensor3d(bv, bs as [number, number, number]), ta, tb));
        assert.deepEqual(got.shape, [Math.max(ba!, bb!), M, N]);
        const want = reference(av, as, bv, bs, ta, tb);
        const v = got.dataSync();
        for (let i = 0; i < want.length; i++) {
          assert.ok(Math.abs(v[i]! - want[i]!) <= 1e-5 * (1 + Math.abs(want[i]!)) * Math.sqrt(K!), `case ${[ba, bb, M, K, N]} ${ta}/${tb} [${i}]: ${v[i]} vs ${want[i]}`);
        }
        got.dispose();
      }
    }
  }
});

test('sum over the rows of a matrix on wasm (our product with a row of ones) against float64, keepDims and axis -2', async () => {
  setWasmPaths(wasmFolder() + '/');
  await tf.setBackend('wasm');
  registerKernelFixes('wasm');
  const [rows, cols] = [257, 12];
  const v = data(rows * cols, 99);
  const want = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) want[c]! += v[r * cols + c]!;
  const x = tf.tensor2d(v, [rows, cols]);
  for (const [axis, keepDims, shape] of [[0, false, [cols]], [-2, true, [1, cols]]] as const) {
    const got = tf.sum(x, axis, keepDims);
    assert.deepEqual(got.shape, shape);
    got.dataSync().forEach((g, c) => assert.ok(Math.abs(g - want[c]!) < 1e-4, `column ${c}: ${g} vs ${want[c]}`));
    got.dispose();
  }
  // Other reductions still go to the stock kernel.
  assert.ok(Math.abs(tf.sum(x, 1).dataSync()[0]! - v.subarray(0, cols).reduce((a, b) => a + b, 0)) < 1e-4);
  x.dispose();
});
