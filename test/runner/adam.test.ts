// The fused SIMD Adam against a plain float64 transcription of the same update rule (tfjs's AdamOptimizer with
// torch's clip_grad_norm_), over several steps, with norm clipping, value clipping and none, on parameters whose
// sizes are not multiples of four (the padding lanes must not leak into results or the norm).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { FusedAdam } from '../../runner/train/adam.js';
import { Rng } from '../../runner/train/rng.js';

type Clip = { value: number; algorithm: 'norm' | 'value' } | null;

function reference(params: Float64Array[], gradsPerStep: Float32Array[][], lr: number, clip: Clip): Float64Array[] {
  const p = params.map((x) => Float64Array.from(x));
  const m = p.map((x) => new Float64Array(x.length));
  const v = p.map((x) => new Float64Array(x.length));
  for (let t = 1; t <= gradsPerStep.length; t++) {
    const g = gradsPerStep[t - 1]!;
    let scale = 1;
    if (clip?.algorithm === 'norm') {
      const norm = Math.sqrt(g.reduce((a, x) => a + x.reduce((s, y) => s + y * y, 0), 0));
      scale = Math.min(1, clip.value / (norm + 1e-6));
    }
    const lim = clip?.algorithm === 'value' ? clip.value : Infinity;
    p.forEach((pk, k) => {
      for (let i = 0; i < pk.length; i++) {
        const gi = Math.max(-lim, Math.min(lim, g[k]![i]! * scale));
        m[k]![i] = 0.9 * m[k]![i]! + 0.1 * gi;
        v[k]![i] = 0.999 * v[k]![i]! + 0.001 * gi * gi;
        const mh = m[k]![i]! / (1 - 0.9 ** t);
        const vh = v[k]![i]! / (1 - 0.999 ** t);
        pk[i] = pk[i]! - (lr * mh) / (Math.sqrt(vh) + 1e-8);
      }
    });
  }
  return p;
}

for (const clip of [null, { value: 0.5, algorithm: 'norm' as const }, { value: 0.01, algorithm: 'value' as const }]) {
  test(`fused Adam follows the update rule (clip ${clip ? clip.algorithm : 'none'})`, async () => {
    await tf.setBackend('cpu');
    const r = new Rng(3);
    const shapes = [[7, 3], [5], [1]];
    const init = shapes.map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => r.normal()));
    // A copy: the cpu backend keeps the array it is given, and the optimizer writes there in place.
    const vars = shapes.map((s, k) => tf.variable(tf.tensor(init[k]!.slice(), s)));
    const steps = Array.from({ length: 5 }, () => init.map((x) => Float32Array.from(x, () => r.normal())));
    const opt = new FusedAdam(vars, 0.01);
    for (const g of steps) {
      const grads = g.map((x, k) => tf.tensor(x, shapes[k]));
      opt.step(grads, clip);
      tf.dispose(grads);
    }
    const want = reference(init.map((x) => Float64Array.from(x)), steps, 0.01, clip);
    vars.forEach((v, k) => {
      const got = v.dataSync();
      for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i]! - want[k]![i]!) < 2e-6, `param ${k}[${i}]: ${got[i]} vs ${want[k]![i]}`);
      assert.notEqual(got[0], init[k]![0], 'the parameter moved');
    });
    assert.equal(opt.state.iterations, 5);
    assert.equal(opt.state.m[0]!.length, 21);
    tf.dispose(vars);
  });
}

test('fused Adam stores subnormal moments as zero (they slow x86 ~10x) without changing any weight; NaN stays NaN', async () => {
  await tf.setBackend('cpu');
  const init = Float32Array.from([0.5, -0.25, 1e-3, 2]);
  const p = tf.variable(tf.tensor(init.slice(), [4]));
  const opt = new FusedAdam([p], 1e-3);
  // Moments of a row no batch touched for a long time: a subnormal m (and v), a zero gradient.
  opt.load({ m: [Float32Array.from([1e-39, -3e-40, 1e-3, 1e-39])], v: [Float32Array.from([1e-40, 1e-39, 1e-6, 1e-30])],
    accBeta1: Math.fround(0.9 ** 900), accBeta2: Math.fround(0.999 ** 900), iterations: 900 });
  const zero = tf.zeros([4]);
  opt.step([zero], null);
  const m = opt.state.m[0]!;
  const v = opt.state.v[0]!;
  assert.deepEqual([...m.subarray(0, 2)], [0, 0], 'subnormal m flushed');
  assert.equal(m[2], Math.fround(Math.fround(0.9) * Math.fround(1e-3)), 'a normal m decays as usual');
  assert.deepEqual([v[0], v[1]], [0, 0], 'subnormal v flushed');
  const got = p.dataSync();
  assert.equal(got[0], init[0]);
  assert.equal(got[1], init[1]);
  assert.equal(got[3], init[3]);
  assert.notEqual(got[2], init[2], 'a parameter with a real moment still moves');
  opt.step([tf.tensor([Number.NaN, 0, 0, 0])], null);
  assert.ok(Number.isNaN(opt.state.m[0]![0]!) && Number.isNaN(p.dataSync()[0]!), 'NaN is not flushed away');
  tf.dispose([p, zero]);
});
