// Adam with gradient clipping as one fused loop over each parameter's values, instead of ~12 tfjs kernels per
// parameter per step (the update was ~40% of a mean-pool step on wasm). The arithmetic is tfjs's AdamOptimizer's:
// bias correction by the running products accBeta1 = beta1^t and accBeta2 = beta2^t kept in float32 (not pow(),
// whose last bit differs), so the state a checkpoint must hold is m, v, accBeta1, accBeta2 and the step count.
// Clipping follows torch.nn.utils.clip_grad_norm_ (scale by max_norm / (norm + 1e-6) when below 1) or clip by value.
import * as tf from '@tensorflow/tfjs';
import { readValues, writableView } from '../backend/raw.js';

export interface AdamState {
  m: Float32Array[];
  v: Float32Array[];
  accBeta1: number;
  accBeta2: number;
  iterations: number;
}

export class FusedAdam {
  readonly beta1 = 0.9;
  readonly beta2 = 0.999;
  readonly epsilon = 1e-8;
  state: AdamState;

  constructor(private readonly params: tf.Variable[], public learningRate: number) {
    this.state = {
      m: params.map((p) => new Float32Array(p.size)),
      v: params.map((p) => new Float32Array(p.size)),
      accBeta1: Math.fround(this.beta1),
      accBeta2: Math.fround(this.beta2),
      iterations: 0,
    };
  }

  /** Applies one update from `grads` (same order as the parameters); the grads are not disposed here. */
  step(grads: tf.Tensor[], clip: { value: number; algorithm: 'norm' | 'value' } | null): void {
    const g = grads.map(readValues);
    let scale = 1;
    if (clip && clip.algorithm === 'norm') {
      let sq = 0;
      for (const a of g) sq += sumOfSquares(a);
      const coef = clip.value / (Math.sqrt(sq) + 1e-6);
      if (coef < 1) scale = coef;
    }
    const limit = clip && clip.algorithm === 'value' ? clip.value : Infinity;
    const c1 = 1 - this.state.accBeta1;
    const c2 = 1 - this.state.accBeta2;
    this.params.forEach((p, k) => {
      const view = writableView(p);
      const values = view ?? readValues(p).slice();
      adamUpdate(values, g[k]!, this.state.m[k]!, this.state.v[k]!, scale, limit, this.beta1, this.beta2, c1, c2,
        this.learningRate, this.epsilon);
      if (!view) {
        // A new tensor (new id) for the new values; the variable keeps the only reference to it.
        const next = tf.tensor(values, p.shape, 'float32');
        p.assign(next);
        next.dispose();
      }
    });
    this.state.accBeta1 = Math.fround(this.state.accBeta1 * this.beta1);
    this.state.accBeta2 = Math.fround(this.state.accBeta2 * this.beta2);
    this.state.iterations++;
  }
}

// Hot loops as top-level functions with fixed argument types, so V8 compiles each once.

function sumOfSquares(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return s;
}

function adamUpdate(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, scale: number, limit: number,
  b1: number, b2: number, c1: number, c2: number, lr: number, eps: number): void {
  const n = p.length;
  const a1 = 1 - b1;
  const a2 = 1 - b2;
  const step = lr / c1;
  const rc2 = 1 / c2;
  for (let i = 0; i < n; i++) {
    let gi = g[i]! * scale;
    if (gi > limit) gi = limit;
    else if (gi < -limit) gi = -limit;
    const mi = b1 * m[i]! + a1 * gi;
    const vi = b2 * v[i]! + a2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i]! - (step * mi) / (Math.sqrt(vi * rc2) + eps);
  }
}
