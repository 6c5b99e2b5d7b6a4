// Our kernels against tfjs's own: the O(N*D) UnsortedSegmentSum gives the stock cpu kernel's bits (and exists on
// wasm, where tfjs has none), and the wasm matMul with transposed operands gives the untransposed product's bits.
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
