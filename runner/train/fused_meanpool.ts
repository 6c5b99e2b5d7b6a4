// The whole training step of the mean-pool premise-selection model (two MeanPoolEncoders, the BinaryClassifier,
// binary cross-entropy, gradient clipping and Adam) as one pass over one WebAssembly memory, on the wasm backend.
//
// Through tfjs a step of this small model is ~40 kernels forwards and backwards, each with dispatch, tensor
// bookkeeping, a gradient tape and copies in and out of the backend's heap: together several times the arithmetic.
// Here the embedding bags, the classifier's matrix products and Adam run as SIMD kernels
// (fused_meanpool_simd.ts) on parameters that stay in the module's memory between steps; the few small
// element-wise passes (interaction features, bias, ReLU, the loss) are plain loops over views of that memory.
//
// The arithmetic is the tfjs path's, in float32, with the same dropout draws and the same embedding-bag kernels;
// only the order of additions inside the matrix products (and the float64 logit sum) differs, so results agree with
// that path to float32 rounding (test/runner/fused-meanpool.test.ts) and are bit-identical run to run and across a
// resume. The tf.Variables stay the model's public state: `syncVariables()` writes them (the trainer calls it before
// validation, checkpoints and the end of fit), and restored values are read back before the next step.
import * as tf from '@tensorflow/tfjs';
import { readValues, writeVariable } from '../backend/raw.js';
import type { Batch } from '../data/premise_pairs.js';
import { type Bags, bags } from '../models/embedding_bag.js';
import { MeanPoolEncoder } from '../models/mean_pool.js';
import { type ForwardContext, dropoutMask } from '../models/module.js';
import { PAIR_FEATURES, pairFeatures } from '../models/pair_features.js';
import { BinaryClassifier, PremiseSelection } from '../models/premise_selection.js';
import { type AdamOptimizer, type AdamState, type GradClip, ADAM, adamUpdate } from './adam.js';
import { gemmRows } from '../backend/gemm_simd.js';
import { type MeanPoolKernels, meanPoolKernels } from './fused_meanpool_simd.js';

const pad4 = (n: number) => Math.ceil(n / 4) * 4;

/** A fused step when `model` is exactly the mean-pool premise-selection model on the wasm backend, else undefined. */
export function fusedMeanPool(model: unknown, params: Array<[string, tf.Variable]>, lr: number): FusedMeanPool | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  // Exact classes only: a subclass may change what a forward pass computes.
  if (!(model instanceof PremiseSelection) || model.constructor !== PremiseSelection) return undefined;
  const { goal, premise, classifier } = model;
  if (goal.constructor !== MeanPoolEncoder || premise.constructor !== MeanPoolEncoder || classifier.constructor !== BinaryClassifier) return undefined;
  // The context features' wide path is not part of the fused step.
  if ((classifier as BinaryClassifier).contextFeatures) return undefined;
  const g = goal as MeanPoolEncoder;
  const p = premise as MeanPoolEncoder;
  const { fc1, fc2 } = classifier;
  if (g.dim % 4 !== 0 || g.dim !== p.dim || fc1.outFeatures % 4 !== 0 || fc2.outFeatures !== 1 || g.embedding === p.embedding) return undefined;
  const mine = [g.embedding, p.embedding, fc1.w, fc1.b, fc2.w, fc2.b];
  const vars = params.map(([, v]) => v);
  if (vars.length !== mine.length || !mine.every((v) => vars.includes(v))) return undefined;
  return new FusedMeanPool(vars, { goal: g, premise: p, classifier }, lr);
}

interface Parts {
  goal: MeanPoolEncoder;
  premise: MeanPoolEncoder;
  classifier: BinaryClassifier;
}

/** Byte offsets of one side's embedding-bag inputs and output in the scratch area. */
interface Side {
  bags: Bags;
  ids: number;
  w: number;
  start: number;
  mask: number;
  out: number;
  grad: number;
}

export class FusedMeanPool implements AdamOptimizer {
  private readonly k: MeanPoolKernels;
  private heap!: Float32Array;
  private ints!: Int32Array;
  /** Float offset of each parameter within a region, and a region's (padded) size in floats. */
  private readonly offsets: number[];
  private readonly total: number;
  private readonly st: { accBeta1: number; accBeta2: number; iterations: number };
  /** Whether the parameters in the heap must be read from the variables (at the start, after a restore). */
  private stale = true;
  /** Whether the variables lag behind the heap (after a step, until syncVariables). */
  private dirty = false;
  private readonly d: number;
  private readonly hidden: number;
  private readonly width: number;
  // Float offsets of the parameters in the parameter region.
  private readonly at: { embG: number; embP: number; w1: number; b1: number; w2: number; b2: number };
  /** The pending backward pass: what the forward pass left for it. */
  private pending: { rows: number; rowsPad: number; g: Side; p: Side; x: number; h: number; dz: Float64Array } | undefined;

  constructor(private readonly params: tf.Variable[], private readonly parts: Parts, public learningRate: number) {
    this.offsets = [];
    let total = 0;
    for (const p of params) {
      this.offsets.push(total);
      total += pad4(p.size);
    }
    this.total = total;
    const { goal, premise, classifier } = parts;
    const off = (v: tf.Variable) => this.offsets[params.indexOf(v)]!;
    this.at = { embG: off(goal.embedding), embP: off(premise.embedding), w1: off(classifier.fc1.w), b1: off(classifier.fc1.b),
      w2: off(classifier.fc2.w), b2: off(classifier.fc2.b) };
    this.d = goal.dim;
    this.hidden = classifier.fc1.outFeatures;
    this.width = classifier.fc1.inFeatures;
    this.k = meanPoolKernels(4 * total * 4 + (1 << 20));
    this.views();
    this.st = { accBeta1: Math.fround(ADAM.beta1), accBeta2: Math.fround(ADAM.beta2), iterations: 0 };
  }

  private views(): void {
    this.heap = new Float32Array(this.k.memory.buffer);
    this.ints = new Int32Array(this.k.memory.buffer);
  }

  /** Region r (0 parameters, 1 gradients, 2 m, 3 v) of parameter i. */
  private region(r: number, i: number): Float32Array {
    const o = r * this.total + this.offsets[i]!;
    return this.heap.subarray(o, o + this.params[i]!.size);
  }

  get iterations(): number {
    return this.st.iterations;
  }

  // ---- the model's state ---------------------------------------------------------------------------------------

  /** Writes the current parameters into the tf.Variables (before anything reads them). */
  syncVariables(): void {
    if (!this.dirty) return;
    this.params.forEach((p, i) => writeVariable(p, this.region(0, i)));
    this.dirty = false;
  }

  private pullParameters(): void {
    this.params.forEach((p, i) => this.region(0, i).set(readValues(p)));
    this.stale = false;
  }

  async snapshot(): Promise<AdamState> {
    return { m: this.params.map((_, i) => this.region(2, i).slice()), v: this.params.map((_, i) => this.region(3, i).slice()),
      ...this.st };
  }

  /** Adam's state from a checkpoint; the parameters are read from the (restored) variables before the next step. */
  load(s: AdamState): void {
    this.params.forEach((_, i) => {
      this.region(2, i).set(s.m[i]!);
      this.region(3, i).set(s.v[i]!);
    });
    Object.assign(this.st, { accBeta1: s.accBeta1, accBeta2: s.accBeta2, iterations: s.iterations });
    this.stale = true;
    this.dirty = false;
  }

  /** An Adam step from gradients computed elsewhere (the AdamOptimizer contract); training uses forward/backward. */
  step(grads: tf.Tensor[], clip: GradClip): void {
    if (this.stale) this.pullParameters();
    this.params.forEach((_, i) => this.region(1, i).set(readValues(grads[i]!)));
    this.update(clip);
  }

  dispose(): void {
    // WebAssembly memory only; nothing to release in tfjs.
  }

  private update(clip: GradClip): void {
    const T = this.total;
    adamUpdate(this.k, { p: 0, g: 4 * T, m: 8 * T, v: 12 * T }, T, this.st, this.learningRate, clip);
    this.dirty = true;
  }

  // ---- the step ------------------------------------------------------------------------------------------------

  /** Grows the memory to hold `floats` floats, renewing the views (growing detaches the old ones). */
  private reserve(floats: number): void {
    const bytes = floats * 4;
    const have = this.k.memory.buffer.byteLength;
    if (have < bytes) {
      this.k.memory.grow(Math.ceil((bytes - have) / 65536));
      this.views();
    }
  }

  /**
   * The forward pass and the loss of batch `b` (dropout drawn from `ctx`, as the tfjs path draws it); keeps what
   * the backward pass needs. Nothing is updated yet, so a non-finite loss can stop training before it applies.
   */
  forward(b: Batch, ctx: ForwardContext): number {
    if (this.stale) this.pullParameters();
    const { goal, premise, classifier } = this.parts;
    const { d, hidden: H, width: F } = this;
    const rows = b.size;
    const rowsPad = pad4(rows);
    // The same draws, in the same order (goal, then premise), as the models' encode().
    const maskG = dropoutMask(rows * d, goal.dropoutRate, ctx);
    const maskP = dropoutMask(rows * d, premise.dropoutRate, ctx);
    const bagG = bags(b.goalIds, b.goalLengths, rows, b.goalLen, goal.vocabSize);
    const bagP = bags(b.premiseIds, b.premiseLengths, rows, b.premiseLen, premise.vocabSize);
    let next = 4 * this.total;
    const alloc = (n: number) => {
      const o = next;
      next += pad4(n);
      return o;
    };
    const side = (bg: Bags): Side => ({ bags: bg, ids: alloc(bg.ids.length), w: alloc(bg.ids.length), start: alloc(rows + 1),
      mask: alloc(rows * d), out: alloc(rows * d), grad: alloc(rows * d) });
    const sg = side(bagG);
    const sp = side(bagP);
    const x = alloc(rows * F);
    const h = alloc(rows * H);
    // After h, for the backward pass: dh^T [H, rowsPad], dx^T [F, rowsPad], dh [rows, H].
    this.reserve(next + (H + F) * rowsPad + rows * H);
    const heap = this.heap;
    for (const [s, mask, emb] of [[sg, maskG, this.at.embG], [sp, maskP, this.at.embP]] as const) {
      this.ints.set(s.bags.ids, s.ids);
      for (let i = 0; i < s.bags.weights.length; i++) heap[s.w + i] = s.bags.weights[i]!;
      this.ints.set(s.bags.start, s.start);
      if (mask) heap.set(mask, s.mask);
      else heap.fill(1, s.mask, s.mask + rows * d);
      this.k.pool(4 * emb, 4 * s.ids, 4 * s.w, 4 * s.start, rows, 4 * d, 4 * s.mask, 4 * s.out);
    }
    // The classifier's input rows: [goal, premise(, goal*premise, |goal-premise|)(, pair features)].
    for (let r = 0; r < rows; r++) {
      const xr = x + r * F;
      const gr = sg.out + r * d;
      const pr = sp.out + r * d;
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
    gemmRows(this.k, 4 * x, 4 * F, 4, 4 * this.at.w1, 4 * H, 4 * h, 4 * H, rows, F, 4 * H);
    const { b1, w2, b2 } = this.at;
    const dz = new Float64Array(rows);
    let total = 0;
    for (let r = 0; r < rows; r++) {
      let z = 0;
      for (let j = 0; j < H; j++) {
        const v = Math.fround(heap[h + r * H + j]! + heap[b1 + j]!);
        const a = v > 0 ? v : 0;
        heap[h + r * H + j] = a;
        z += a * heap[w2 + j]!;
      }
      z = Math.fround(Math.fround(z) + heap[b2]!);
      // Binary cross-entropy on the logit, as models/losses.ts computes it (float64, the gradient kept in float32).
      const y = b.labels[r]!;
      total += Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
      dz[r] = Math.fround((1 / (1 + Math.exp(-z)) - y) / rows);
    }
    this.pending = { rows, rowsPad, g: sg, p: sp, x, h, dz };
    return Math.fround(total / rows);
  }

  /** The backward pass of the last forward(), then clipping and Adam over every parameter. */
  backwardAndUpdate(clip: GradClip): void {
    this.backward();
    this.update(clip);
  }

  /** The gradients of the last backward pass, per parameter (copies). */
  gradients(): Float32Array[] {
    return this.params.map((_, i) => this.region(1, i).slice());
  }

  /** The gradient of the last forward()'s loss with respect to every parameter, into the gradient region. */
  backward(): void {
    const f = this.pending;
    if (!f) throw new Error('backwardAndUpdate() without a forward() first');
    this.pending = undefined;
    const { d, hidden: H, width: F, total: T } = this;
    const { rows, rowsPad, g, p, x, h, dz } = f;
    const heap = this.heap;
    const grad = (o: number) => T + o;
    const { w1, b1, w2, b2 } = this.at;
    // fc2: dw2 = h^T dz, db2 = sum dz; then dh = dz w2^T through the ReLU (h > 0), kept transposed ([H, rowsPad],
    // padding columns zero) for the product with W1 below, and db1 = sum over rows of dh.
    let sum2 = 0;
    for (let r = 0; r < rows; r++) sum2 += dz[r]!;
    heap[grad(b2)] = sum2;
    const t = x + pad4(rows * F) + pad4(rows * H); // the scratch after h: dh^T, then dx^T
    const dxT = t + H * rowsPad;
    heap.fill(0, t, t + H * rowsPad);
    for (let j = 0; j < H; j++) {
      let acc2 = 0;
      let acc1 = 0;
      const wj = heap[w2 + j]!;
      for (let r = 0; r < rows; r++) {
        const hv = heap[h + r * H + j]!;
        acc2 += hv * dz[r]!;
        const dh = hv > 0 ? Math.fround(dz[r]! * wj) : 0;
        heap[t + j * rowsPad + r] = dh;
        acc1 += dh;
      }
      heap[grad(w2) + j] = acc2;
      heap[grad(b1) + j] = acc1;
    }
    // The rows of dh (for dW1 = x^T dh), from the transposed copy.
    const dh = dxT + F * rowsPad;
    const hp = heap;
    for (let r = 0; r < rows; r++) for (let j = 0; j < H; j++) hp[dh + r * H + j] = hp[t + j * rowsPad + r]!;
    // dW1 = x^T dh ([F, H]): x read transposed through its strides.
    gemmRows(this.k, 4 * x, 4, 4 * F, 4 * dh, 4 * H, 4 * grad(w1), 4 * H, F, rows, 4 * H);
    // dx^T = W1 dh^T ([F, rowsPad]).
    gemmRows(this.k, 4 * w1, 4 * H, 4, 4 * t, 4 * rowsPad, 4 * dxT, 4 * rowsPad, F, H, 4 * rowsPad);
    // dgoal, dpremise from the classifier's input columns (|u|' is +1 for u > 0, else -1, as tfjs's Abs gradient).
    const inter = this.parts.classifier.interaction;
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < d; j++) {
        let dg = hp[dxT + j * rowsPad + r]!;
        let dp = hp[dxT + (d + j) * rowsPad + r]!;
        if (inter) {
          const gv = hp[g.out + r * d + j]!;
          const pv = hp[p.out + r * d + j]!;
          const dprod = hp[dxT + (2 * d + j) * rowsPad + r]!;
          const dabs = Math.fround(gv - pv) > 0 ? hp[dxT + (3 * d + j) * rowsPad + r]! : -hp[dxT + (3 * d + j) * rowsPad + r]!;
          dg += Math.fround(dprod * pv) + dabs;
          dp += Math.fround(dprod * gv) - dabs;
        }
        hp[g.grad + r * d + j] = dg;
        hp[p.grad + r * d + j] = dp;
      }
    }
    // The embedding tables' gradients: every row the batch used, scattered back through the masks.
    for (const [s, emb, vocab] of [[g, this.at.embG, this.parts.goal.vocabSize], [p, this.at.embP, this.parts.premise.vocabSize]] as const) {
      hp.fill(0, grad(emb), grad(emb) + vocab * d);
      this.k.unpool(4 * s.grad, 4 * s.ids, 4 * s.w, 4 * s.start, rows, 4 * d, 4 * s.mask, 4 * grad(emb));
    }
  }
}
