// The whole training step of a premise-selection model (two encoders, the BinaryClassifier, binary cross-entropy,
// gradient clipping and Adam) as one pass over one WebAssembly memory, on the wasm backend.
//
// Through tfjs a step is dozens of kernels forwards and backwards, each with dispatch, tensor bookkeeping, a
// gradient tape and copies in and out of the backend's heap. Here the parameters stay in the module's memory between
// steps, the matrix products, embedding bags and Adam run as SIMD kernels (fused_simd.ts), and the small
// element-wise passes are plain loops over views of that memory. This file holds what every fused model shares:
// the memory and its regions, the classifier head with the loss, and Adam; an encoder (fused_meanpool.ts,
// fused_transformer.ts) plugs in its own forward and backward pass.
//
// The arithmetic is the tfjs path's, in float32, with the same dropout draws; only the order of additions inside
// sums differs, so results agree with that path to float32 rounding (test/runner/fused-*.test.ts) and are
// bit-identical run to run and across a resume. The tf.Variables stay the model's public state: `syncVariables()`
// writes them (the trainer calls it before validation, checkpoints and the end of fit), and restored values are read
// back before the next step.
import * as tf from '@tensorflow/tfjs';
import { readValues, writeVariable } from '../backend/raw.js';
import type { Batch } from '../data/premise_pairs.js';
import type { ForwardContext } from '../models/module.js';
import { PAIR_FEATURES, pairFeatures } from '../models/pair_features.js';
import type { BinaryClassifier } from '../models/premise_selection.js';
import { type AdamOptimizer, type AdamState, type GradClip, ADAM, adamUpdate } from './adam.js';
import { gemmRows } from '../backend/gemm_simd.js';
import { type FusedKernels, fusedKernels } from './fused_simd.js';

export const pad4 = (n: number) => Math.ceil(n / 4) * 4;

/**
 * The step's memory: regions 0-3 (parameters, gradients, Adam's m and v) of `total` floats each, then scratch that
 * each forward pass allocates from the start again. Offsets are in floats; the kernels take bytes (4x).
 */
export class Arena {
  readonly k: FusedKernels;
  heap!: Float32Array;
  ints!: Int32Array;
  /** Float offset of each parameter within a region, and a region's (padded) size in floats. */
  private readonly offsets: number[];
  readonly total: number;
  private next = 0;

  constructor(readonly params: tf.Variable[]) {
    this.offsets = [];
    let total = 0;
    for (const p of params) {
      this.offsets.push(total);
      total += pad4(p.size);
    }
    this.total = total;
    this.k = fusedKernels(4 * total * 4 + (1 << 20));
    this.views();
  }

  private views(): void {
    this.heap = new Float32Array(this.k.memory.buffer);
    this.ints = new Int32Array(this.k.memory.buffer);
  }

  /** The float offset of parameter `v` in the parameter region (its gradient is at `grad()` of it). */
  at(v: tf.Variable): number {
    const i = this.params.indexOf(v);
    if (i < 0) throw new Error('not a parameter of this step');
    return this.offsets[i]!;
  }

  grad(o: number): number {
    return this.total + o;
  }

  /** Region r (0 parameters, 1 gradients, 2 m, 3 v) of parameter i. */
  region(r: number, i: number): Float32Array {
    const o = r * this.total + this.offsets[i]!;
    return this.heap.subarray(o, o + this.params[i]!.size);
  }

  /** Frees the scratch: the next allocation starts after the four regions. */
  resetScratch(): void {
    this.next = 4 * this.total;
  }

  /** `n` floats of scratch (16-byte aligned); call reserve() before touching them. */
  alloc(n: number): number {
    const o = this.next;
    this.next += pad4(n);
    return o;
  }

  /**
   * Grows the memory to hold everything allocated so far (and a little more: products may read a few lanes past
   * the end of their operands), renewing the views (growing detaches the old ones).
   */
  reserve(): void {
    const bytes = (this.next + 64) * 4;
    const have = this.k.memory.buffer.byteLength;
    if (have < bytes) {
      this.k.memory.grow(Math.ceil((bytes - have) / 65536));
      this.views();
    }
  }

  /** C = A B, or C += A B when `accumulate` (float offsets; strides in floats): gemmRows over this memory. */
  gemm(a: number, aRow: number, aCol: number, b: number, bRow: number, c: number, cRow: number, m: number, inner: number, n: number,
    accumulate = false): void {
    gemmRows(this.k, 4 * a, 4 * aRow, 4 * aCol, 4 * b, 4 * bRow, 4 * c, 4 * cRow, m, inner, 4 * n, accumulate);
  }

  /** out = x W + b for `n` rows (x [n, inner], W [inner, width]): the bias copied into each row, the product added. */
  linear(x: number, inner: number, w: number, width: number, b: number, out: number, n: number): void {
    const heap = this.heap;
    for (let t = 0; t < n; t++) heap.copyWithin(out + t * width, b, b + width);
    this.gemm(x, inner, 1, w, width, out, width, n, inner, width, true);
  }

  /** out[j] = the sum over the `n` rows of x[t][j] (rows `stride` floats apart; width a multiple of 4). */
  columnSums(x: number, n: number, width: number, out: number, stride = width): void {
    this.k.sumRows(4 * x, 4 * stride, n, width, 4 * out);
  }
}

/** One encoder of the pair, as the fused step drives it. */
export interface FusedEncoder {
  /**
   * The forward pass over one side of batch `b` (dropout drawn from `ctx` in the order the model's encode() draws
   * it): allocates and reserves its scratch, returns the float offset of the pooled [rows, dim] output.
   */
  forward(ids: Int32Array, lengths: Int32Array, rows: number, width: number, ctx: ForwardContext): number;
  /** Given the gradient of the loss at the pooled output (float offset), adds its parameters' gradients. */
  backward(dPooled: number): void;
}

/** A fused step: `encoders` for the goal and the premise, the classifier head here. */
export class FusedStep implements AdamOptimizer {
  private readonly st: { accBeta1: number; accBeta2: number; iterations: number };
  /** Whether the parameters in the heap must be read from the variables (at the start, after a restore). */
  private stale = true;
  /** Whether the variables lag behind the heap (after a step, until syncVariables). */
  private dirty = false;
  private readonly d: number;
  private readonly hidden: number;
  private readonly width: number;
  private readonly head: { w1: number; b1: number; w2: number; b2: number };
  /** The pending backward pass: what the forward pass left for it. */
  private pending: { rows: number; rowsPad: number; g: number; p: number; x: number; h: number; dz: Float64Array } | undefined;

  /** `name`: how the run's first lines list the step among its kernels. */
  constructor(readonly name: string, readonly arena: Arena, private readonly encoders: { goal: FusedEncoder; premise: FusedEncoder },
    private readonly classifier: BinaryClassifier, public learningRate: number) {
    const { fc1, fc2 } = classifier;
    this.head = { w1: arena.at(fc1.w), b1: arena.at(fc1.b), w2: arena.at(fc2.w), b2: arena.at(fc2.b) };
    this.d = classifier.inputShape;
    this.hidden = fc1.outFeatures;
    this.width = fc1.inFeatures;
    this.st = { accBeta1: Math.fround(ADAM.beta1), accBeta2: Math.fround(ADAM.beta2), iterations: 0 };
  }

  get iterations(): number {
    return this.st.iterations;
  }

  private get params(): tf.Variable[] {
    return this.arena.params;
  }

  // ---- the model's state ---------------------------------------------------------------------------------------

  /** Writes the current parameters into the tf.Variables (before anything reads them). */
  syncVariables(): void {
    if (!this.dirty) return;
    this.params.forEach((p, i) => writeVariable(p, this.arena.region(0, i)));
    this.dirty = false;
  }

  private pullParameters(): void {
    this.params.forEach((p, i) => this.arena.region(0, i).set(readValues(p)));
    this.stale = false;
  }

  async snapshot(): Promise<AdamState> {
    const a = this.arena;
    return { m: this.params.map((_, i) => a.region(2, i).slice()), v: this.params.map((_, i) => a.region(3, i).slice()), ...this.st };
  }

  /** Adam's state from a checkpoint; the parameters are read from the (restored) variables before the next step. */
  load(s: AdamState): void {
    this.params.forEach((_, i) => {
      this.arena.region(2, i).set(s.m[i]!);
      this.arena.region(3, i).set(s.v[i]!);
    });
    Object.assign(this.st, { accBeta1: s.accBeta1, accBeta2: s.accBeta2, iterations: s.iterations });
    this.stale = true;
    this.dirty = false;
  }

  /** An Adam step from gradients computed elsewhere (the AdamOptimizer contract); training uses forward/backward. */
  step(grads: tf.Tensor[], clip: GradClip): void {
    if (this.stale) this.pullParameters();
    this.params.forEach((_, i) => this.arena.region(1, i).set(readValues(grads[i]!)));
    this.update(clip);
  }

  dispose(): void {
    // WebAssembly memory only; nothing to release in tfjs.
  }

  private update(clip: GradClip): void {
    const T = this.arena.total;
    adamUpdate(this.arena.k, { p: 0, g: 4 * T, m: 8 * T, v: 12 * T }, T, this.st, this.learningRate, clip);
    this.dirty = true;
  }

  // ---- the step ------------------------------------------------------------------------------------------------

  /**
   * The forward pass and the loss of batch `b` (dropout drawn from `ctx`, as the tfjs path draws it); keeps what
   * the backward pass needs. Nothing is updated yet, so a non-finite loss can stop training before it applies.
   */
  forward(b: Batch, ctx: ForwardContext): number {
    if (this.stale) this.pullParameters();
    const a = this.arena;
    a.resetScratch();
    // The goal first, then the premise: the models' draw order.
    const g = this.encoders.goal.forward(b.goalIds, b.goalLengths, b.size, b.goalLen, ctx);
    const p = this.encoders.premise.forward(b.premiseIds, b.premiseLengths, b.size, b.premiseLen, ctx);
    const { d, hidden: H, width: F, classifier } = this;
    const rows = b.size;
    const rowsPad = pad4(rows);
    const x = a.alloc(rows * F);
    const h = a.alloc(rows * H);
    // After h, for the backward pass: dh^T [H, rowsPad], dx^T [F, rowsPad], dh [rows, H], dgoal, dpremise.
    a.alloc(H * rowsPad);
    a.alloc(F * rowsPad);
    a.alloc(rows * H);
    a.alloc(2 * rows * d);
    a.reserve();
    const heap = a.heap;
    // The classifier's input rows: [goal, premise(, goal*premise, |goal-premise|)(, pair features)].
    for (let r = 0; r < rows; r++) {
      const xr = x + r * F;
      const gr = g + r * d;
      const pr = p + r * d;
      heap.copyWithin(xr, gr, gr + d);
      heap.copyWithin(xr + d, pr, pr + d);
      if (classifier.interaction) {
        for (let j = 0; j < d; j++) {
          const gv = heap[gr + j]!;
          const pv = heap[pr + j]!;
          heap[xr + 2 * d + j] = gv * pv;
          heap[xr + 3 * d + j] = Math.abs(Math.fround(gv - pv));
        }
      }
    }
    if (classifier.pairFeatures) {
      const feats = pairFeatures(b);
      const n = PAIR_FEATURES.length;
      const base = (classifier.interaction ? 4 : 2) * d;
      for (let r = 0; r < rows; r++) heap.set(feats.subarray(r * n, (r + 1) * n), x + r * F + base);
    }
    // h = relu(x W1 + b1); z = h w2 + b2.
    const { w1, b1, w2, b2 } = this.head;
    a.gemm(x, F, 1, w1, H, h, H, rows, F, H);
    const dz = new Float64Array(rows);
    let total = 0;
    for (let r = 0; r < rows; r++) {
      let z = 0;
      for (let j = 0; j < H; j++) {
        const v = Math.fround(heap[h + r * H + j]! + heap[b1 + j]!);
        const act = v > 0 ? v : 0;
        heap[h + r * H + j] = act;
        z += act * heap[w2 + j]!;
      }
      z = Math.fround(Math.fround(z) + heap[b2]!);
      // Binary cross-entropy on the logit, as models/losses.ts computes it (float64, the gradient kept in float32).
      const y = b.labels[r]!;
      total += Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
      dz[r] = Math.fround((1 / (1 + Math.exp(-z)) - y) / rows);
    }
    this.pending = { rows, rowsPad, g, p, x, h, dz };
    return Math.fround(total / rows);
  }

  /** The backward pass of the last forward(), then clipping and Adam over every parameter. */
  backwardAndUpdate(clip: GradClip): void {
    this.backward();
    this.update(clip);
  }

  /** The gradients of the last backward pass, per parameter (copies). */
  gradients(): Float32Array[] {
    return this.params.map((_, i) => this.arena.region(1, i).slice());
  }

  /** The gradient of the last forward()'s loss with respect to every parameter, into the gradient region. */
  backward(): void {
    const f = this.pending;
    if (!f) throw new Error('backwardAndUpdate() without a forward() first');
    this.pending = undefined;
    const { d, hidden: H, width: F } = this;
    const { rows, rowsPad, g, p, x, h, dz } = f;
    const a = this.arena;
    const hp = a.heap;
    const grad = (o: number) => a.grad(o);
    const { w1, b1, w2, b2 } = this.head;
    // fc2: dw2 = h^T dz, db2 = sum dz; then dh = dz w2^T through the ReLU (h > 0), kept transposed ([H, rowsPad],
    // padding columns zero) for the product with W1 below, and db1 = sum over rows of dh.
    let sum2 = 0;
    for (let r = 0; r < rows; r++) sum2 += dz[r]!;
    hp[grad(b2)] = sum2;
    const t = x + pad4(rows * F) + pad4(rows * H); // the scratch after h: dh^T, then dx^T, dh, dgoal, dpremise
    const dxT = t + H * rowsPad;
    const dh = dxT + F * rowsPad;
    const dg = dh + pad4(rows * H);
    const dp = dg + rows * d;
    hp.fill(0, t, t + H * rowsPad);
    for (let j = 0; j < H; j++) {
      let acc2 = 0;
      let acc1 = 0;
      const wj = hp[w2 + j]!;
      for (let r = 0; r < rows; r++) {
        const hv = hp[h + r * H + j]!;
        acc2 += hv * dz[r]!;
        const v = hv > 0 ? Math.fround(dz[r]! * wj) : 0;
        hp[t + j * rowsPad + r] = v;
        acc1 += v;
      }
      hp[grad(w2) + j] = acc2;
      hp[grad(b1) + j] = acc1;
    }
    // The rows of dh (for dW1 = x^T dh), from the transposed copy.
    for (let r = 0; r < rows; r++) for (let j = 0; j < H; j++) hp[dh + r * H + j] = hp[t + j * rowsPad + r]!;
    // dW1 = x^T dh ([F, H]): x read transposed through its strides.
    a.gemm(x, 1, F, dh, H, grad(w1), H, F, rows, H);
    // dx^T = W1 dh^T ([F, rowsPad]).
    a.gemm(w1, H, 1, t, rowsPad, dxT, rowsPad, F, H, rowsPad);
    // dgoal, dpremise from the classifier's input columns (|u|' is +1 for u > 0, else -1, as tfjs's Abs gradient).
    const inter = this.classifier.interaction;
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < d; j++) {
        let vg = hp[dxT + j * rowsPad + r]!;
        let vp = hp[dxT + (d + j) * rowsPad + r]!;
        if (inter) {
          const gv = hp[g + r * d + j]!;
          const pv = hp[p + r * d + j]!;
          const dprod = hp[dxT + (2 * d + j) * rowsPad + r]!;
          const dabs = Math.fround(gv - pv) > 0 ? hp[dxT + (3 * d + j) * rowsPad + r]! : -hp[dxT + (3 * d + j) * rowsPad + r]!;
          vg += Math.fround(dprod * pv) + dabs;
          vp += Math.fround(dprod * gv) - dabs;
        }
        hp[dg + r * d + j] = vg;
        hp[dp + r * d + j] = vp;
      }
    }
    this.encoders.goal.backward(dg);
    this.encoders.premise.backward(dp);
  }
}
