// Adam with gradient clipping as one fused pass over all parameters, instead of ~12 tfjs kernels per parameter per
// step. The arithmetic is tfjs's AdamOptimizer's, in float32 with WebAssembly SIMD (adam_simd.ts): bias correction
// by the running products accBeta1 = beta1^t and accBeta2 = beta2^t kept in float32 (not pow(), whose last bit
// differs), so the state a checkpoint must hold is m, v, accBeta1, accBeta2 and the step count.
// Clipping follows torch.nn.utils.clip_grad_norm_ (scale by max_norm / (norm + 1e-6) when below 1) or clip by value.
//
// All parameters, their gradients and both moments live side by side in the SIMD module's memory (each parameter
// padded to four floats, so one call covers them all); the parameters are copied in from their variables and
// back out each step, which keeps the variables the only source of truth (restores assign them directly).
import * as tf from '@tensorflow/tfjs';
import { readValues, writeVariable } from '../backend/raw.js';
import { type SimdAdamKernels, simdAdamKernels } from './adam_simd.js';

export interface AdamState {
  /** Views of the optimizer's memory: load a checkpoint with `m[i].set(values)`, never by replacing the arrays. */
  m: Float32Array[];
  v: Float32Array[];
  accBeta1: number;
  accBeta2: number;
  iterations: number;
}

export type GradClip = { value: number; algorithm: 'norm' | 'value' } | null;

/** What the trainer needs of an Adam: one update per step, and its state for checkpoints (copies, both ways). */
export interface AdamOptimizer {
  learningRate: number;
  readonly iterations: number;
  step(grads: tf.Tensor[], clip: GradClip): void;
  /** A copy of the state: m and v per parameter, the running beta powers, the step count. */
  snapshot(): Promise<AdamState>;
  load(state: AdamState): void;
  dispose(): void;
}

export const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;

export class FusedAdam implements AdamOptimizer {
  readonly beta1 = ADAM.beta1;
  readonly beta2 = ADAM.beta2;
  readonly epsilon = ADAM.epsilon;
  state: AdamState;
  private readonly kernels: SimdAdamKernels;
  /** Float offset of each parameter within a region, and the (padded) size of a region. */
  private readonly offsets: number[];
  private readonly total: number;

  constructor(private readonly params: tf.Variable[], public learningRate: number) {
    this.offsets = [];
    let total = 0;
    for (const p of params) {
      this.offsets.push(total);
      total += Math.ceil(p.size / 4) * 4;
    }
    this.total = total;
    // Regions: parameters, gradients, m, v.
    this.kernels = simdAdamKernels(4 * total);
    const region = (r: number) => params.map((p, k) => this.kernels.heap.subarray(r * total + this.offsets[k]!, r * total + this.offsets[k]! + p.size));
    this.state = {
      m: region(2),
      v: region(3),
      accBeta1: Math.fround(this.beta1),
      accBeta2: Math.fround(this.beta2),
      iterations: 0,
    };
  }

  get iterations(): number {
    return this.state.iterations;
  }

  async snapshot(): Promise<AdamState> {
    const st = this.state;
    return { m: st.m.map((a) => a.slice()), v: st.v.map((a) => a.slice()), accBeta1: st.accBeta1, accBeta2: st.accBeta2, iterations: st.iterations };
  }

  load(s: AdamState): void {
    // Into the SIMD module's memory: the views stay, their contents change.
    this.params.forEach((_, i) => {
      this.state.m[i]!.set(s.m[i]!);
      this.state.v[i]!.set(s.v[i]!);
    });
    Object.assign(this.state, { accBeta1: s.accBeta1, accBeta2: s.accBeta2, iterations: s.iterations });
  }

  dispose(): void {
    // Plain JavaScript memory; nothing to release in tfjs.
  }

  /** Applies one update from `grads` (same order as the parameters); the grads are not disposed here. */
  step(grads: tf.Tensor[], clip: GradClip): void {
    const { heap } = this.kernels;
    const T = this.total;
    this.params.forEach((p, k) => {
      heap.set(readValues(grads[k]!), T + this.offsets[k]!);
      heap.set(readValues(p), this.offsets[k]!);
    });
    adamUpdate(this.kernels, { p: 0, g: 4 * T, m: 8 * T, v: 12 * T }, T, this.state, this.learningRate, clip);
    this.params.forEach((p, k) => writeVariable(p, heap.subarray(this.offsets[k]!, this.offsets[k]! + p.size)));
  }
}

/**
 * One Adam update, with clipping, of the `n` floats at byte offsets `at` (parameters, gradients, m, v; side by
 * side in the kernels' memory, padding lanes zero); advances the running beta products and the step count.
 */
export function adamUpdate(k: Pick<SimdAdamKernels, 'adam' | 'sumsq'>, at: { p: number; g: number; m: number; v: number }, n: number,
  st: Pick<AdamState, 'accBeta1' | 'accBeta2' | 'iterations'>, learningRate: number, clip: GradClip): void {
  let scale = 1;
  if (clip && clip.algorithm === 'norm') {
    const coef = clip.value / (Math.sqrt(k.sumsq(at.g, n)) + 1e-6);
    if (coef < 1) scale = coef;
  }
  const limit = clip && clip.algorithm === 'value' ? clip.value : Infinity;
  const { beta1, beta2, epsilon } = ADAM;
  k.adam(at.p, at.g, at.m, at.v, n, scale, limit, beta1, beta2, 1 - beta1, 1 - beta2, learningRate / (1 - st.accBeta1),
    1 / (1 - st.accBeta2), epsilon);
  st.accBeta1 = Math.fround(st.accBeta1 * beta1);
  st.accBeta2 = Math.fround(st.accBeta2 * beta2);
  st.iterations++;
}
