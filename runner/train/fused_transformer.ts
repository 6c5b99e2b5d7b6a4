// The transformer encoder (models/transformer.ts) inside the fused training step (fused_step.ts): token embedding
// and sinusoidal positions, post-norm encoder layers (self-attention with the padding mask, output projection,
// residual and layer norm, ReLU feed-forward, residual and layer norm, dropout where the model has it), and the mean
// over real tokens, forwards and backwards, with every matrix product as the SIMD GEMM of backend/gemm_simd.ts.
//
// Only real tokens are computed. In the tfjs path a padding position is masked out as a key (its attention weight
// is exactly zero) and left out of the mean, so nothing it computes reaches the loss and its gradient is exactly
// zero; here the tokens of a batch are packed one sequence after another ([tokens, d] instead of [rows * width, d])
// and attention runs per sequence on its own length. About a quarter of the bench's positions are padding. The
// dropout masks are still drawn at the padded shapes, so the same positions get the same draws as in the tfjs path.
import type * as tf from '@tensorflow/tfjs';
import { type ForwardContext, dropoutMask } from '../models/module.js';
import { type EncoderLayer, TransformerEncoder, sinusoidTable } from '../models/transformer.js';
import { type Arena, type FusedEncoder, FusedStep, pad4 } from './fused_step.js';
import { fusedParts } from './fused_meanpool.js';

/** A fused step when `model` is exactly the transformer premise-selection model on the wasm backend, else undefined. */
export function fusedTransformer(model: unknown, params: Array<[string, tf.Variable]>, lr: number): FusedStep | undefined {
  const parts = fusedParts(model, params, TransformerEncoder);
  if (!parts) return undefined;
  const { goal, premise, classifier, arena } = parts;
  const shapesFit = (e: TransformerEncoder) => e.dim % 4 === 0 && e.layers.every((l) => (l.d / l.heads) % 4 === 0 && l.ff1.outFeatures % 4 === 0);
  if (!shapesFit(goal) || !shapesFit(premise) || classifier.fc1.outFeatures % 4 !== 0) return undefined;
  return new FusedStep('fused transformer step', arena, { goal: new TransformerSide(arena, goal), premise: new TransformerSide(arena, premise) }, classifier, lr);
}

/** Float offsets of one layer's parameters in the parameter region. */
interface LayerParams {
  wq: number; bq: number; wk: number; bk: number; wv: number; bv: number; wo: number; bo: number;
  g1: number; be1: number; w1: number; b1: number; w2: number; b2: number; g2: number; be2: number;
}

/** What one layer's forward pass keeps for its backward pass (float offsets, masks in JS memory). */
interface LayerTape {
  x: number; q: number; k: number; v: number; kT: number; vT: number; p: number; pd: number; merged: number;
  xhat1: number; rstd1: number; x1: number; h: number; xhat2: number; rstd2: number; out: number;
  attMask: Float32Array | undefined; outMask: Float32Array | undefined; ffMask: Float32Array | undefined;
}

interface Tape {
  rows: number; width: number; lengths: Int32Array; starts: Int32Array; n: number;
  tokens: Int32Array; embMask: Float32Array | undefined; layers: LayerTape[];
}

class TransformerSide implements FusedEncoder {
  private readonly emb: number;
  private readonly layers: LayerParams[];
  private readonly pe: Float32Array;
  private tape: Tape | undefined;

  constructor(private readonly a: Arena, private readonly enc: TransformerEncoder) {
    this.emb = a.at(enc.embedding);
    this.layers = enc.layers.map((l: EncoderLayer) => ({
      wq: a.at(l.q.w), bq: a.at(l.q.b), wk: a.at(l.k.w), bk: a.at(l.k.b), wv: a.at(l.v.w), bv: a.at(l.v.b),
      wo: a.at(l.out.w), bo: a.at(l.out.b), g1: a.at(l.norm1.gamma), be1: a.at(l.norm1.beta), w1: a.at(l.ff1.w),
      b1: a.at(l.ff1.b), w2: a.at(l.ff2.w), b2: a.at(l.ff2.b), g2: a.at(l.norm2.gamma), be2: a.at(l.norm2.beta),
    }));
    this.pe = sinusoidTable(enc.maxLen, enc.dim);
  }

  private get heads(): number {
    return this.enc.layers[0]?.heads ?? 1;
  }

  private get hidden(): number {
    return this.enc.layers[0]?.ff1.outFeatures ?? 0;
  }

  forward(ids: Int32Array, lengths: Int32Array, rows: number, width: number, ctx: ForwardContext): number {
    const { a, enc } = this;
    const d = enc.dim;
    const rate = enc.rate;
    enc.checkWidth(width);
    const starts = new Int32Array(rows + 1);
    for (let r = 0; r < rows; r++) starts[r + 1] = starts[r]! + lengths[r]!;
    const n = starts[rows]!;
    const tokens = new Int32Array(n);
    for (let r = 0; r < rows; r++) for (let i = 0; i < lengths[r]!; i++) tokens[starts[r]! + i] = ids[r * width + i]!;
    const embMask = dropoutMask(rows * width * d, rate, ctx);
    const x0 = a.alloc(n * d);
    const layerTapes: LayerTape[] = [];
    let x = x0;
    const tape: Tape = { rows, width, lengths, starts, n, tokens, embMask, layers: layerTapes };
    // Allocate everything first (growing the memory renews the views), drawing the masks in the model's order.
    const h = this.heads;
    let scores = 0;
    for (let r = 0; r < rows; r++) scores += lengths[r]! * pad4(lengths[r]!);
    let padded = 0;
    for (let r = 0; r < rows; r++) padded += pad4(lengths[r]!);
    for (const _ of this.layers) {
      const attMask = dropoutMask(rows * h * width * width, rate, ctx);
      const outMask = dropoutMask(rows * width * d, rate, ctx);
      const ffMask = dropoutMask(rows * width * d, rate, ctx);
      const p = a.alloc(h * scores);
      const lt: LayerTape = {
        x, q: a.alloc(n * d), k: a.alloc(n * d), v: a.alloc(n * d), kT: a.alloc(d * padded), vT: a.alloc(d * padded), p,
        pd: attMask ? a.alloc(h * scores) : p, merged: a.alloc(n * d), xhat1: a.alloc(n * d), rstd1: a.alloc(n),
        x1: a.alloc(n * d), h: a.alloc(n * this.hidden), xhat2: a.alloc(n * d), rstd2: a.alloc(n), out: a.alloc(n * d),
        attMask, outMask, ffMask,
      };
      layerTapes.push(lt);
      x = lt.out;
    }
    const pooled = a.alloc(rows * d);
    a.reserve();
    const heap = a.heap;
    // x0 = dropout(embedding * sqrt(d) + position), on real tokens.
    const scale = Math.fround(Math.sqrt(d));
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < lengths[r]!; i++) {
        const t = starts[r]! + i;
        const e = this.emb + tokens[t]! * d;
        for (let j = 0; j < d; j++) {
          const v = Math.fround(Math.fround(heap[e + j]! * scale) + this.pe[i * d + j]!);
          heap[x0 + t * d + j] = embMask ? v * embMask[(r * width + i) * d + j]! : v;
        }
      }
    }
    this.layers.forEach((lp, l) => this.layerForward(lp, layerTapes[l]!, tape));
    // The mean over real tokens, summed in token order as the tfjs path's product with the 1/length weights.
    for (let r = 0; r < rows; r++) {
      const w = Math.fround(1 / lengths[r]!);
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let t = starts[r]!; t < starts[r + 1]!; t++) s = Math.fround(s + Math.fround(w * heap[x + t * d + j]!));
        heap[pooled + r * d + j] = s;
      }
    }
    this.tape = tape;
    return pooled;
  }

  private layerForward(lp: LayerParams, lt: LayerTape, tape: Tape): void {
    const { a } = this;
    const d = this.enc.dim;
    const h = this.heads;
    const dh = d / h;
    const F = this.hidden;
    const { n, width } = tape;
    const heap = a.heap;
    // Projections, with the bias. The model scales q by c = 1/sqrt(dh); here the scores are scaled instead (the same
    // product, rounded once differently), which spares a pass over q forwards and over its gradient backwards.
    const c = Math.fround(1 / Math.sqrt(dh));
    for (const [w, b, out] of [[lp.wq, lp.bq, lt.q], [lp.wk, lp.bk, lt.k], [lp.wv, lp.bv, lt.v]] as const) a.linear(lt.x, d, w, d, b, out, n);
    headsTransposed(heap, lt.k, tape, d, dh, lt.kT);
    headsTransposed(heap, lt.v, tape, d, dh, lt.vT);
    // Attention per sequence and head on its real tokens: softmax(q k^T) (then dropout) times v.
    forEachHead(tape, h, ({ r, hh, L, Lp, o, so, pt }) => {
      const p = lt.p + so;
      const pd = lt.pd + so;
      a.gemm(lt.q + o * d + hh * dh, d, 1, lt.kT + d * pt + hh * dh * Lp, Lp, p, Lp, L, dh, Lp);
      for (let i = 0; i < L; i++) {
        const row = p + i * Lp;
        let m = -Infinity;
        for (let j = 0; j < L; j++) {
          const v = (heap[row + j] = heap[row + j]! * c);
          if (v > m) m = v;
        }
        let sum = 0;
        for (let j = 0; j < L; j++) {
          const e = Math.fround(Math.exp(heap[row + j]! - m));
          heap[row + j] = e;
          sum += e;
        }
        const inv = 1 / Math.fround(sum);
        for (let j = 0; j < L; j++) heap[row + j] = heap[row + j]! * inv;
        for (let j = L; j < Lp; j++) heap[row + j] = 0;
        if (lt.attMask) {
          const mo = ((r * h + hh) * width + i) * width;
          for (let j = 0; j < Lp; j++) heap[pd + i * Lp + j] = j < L ? heap[row + j]! * lt.attMask[mo + j]! : 0;
        }
      }
      a.gemm(pd, Lp, 1, lt.v + o * d + hh * dh, d, lt.merged + o * d + hh * dh, d, L, L, dh);
    });
    // x1 = norm1(x + dropout(merged Wo + bo)), into x1; the projection goes through `out` as scratch.
    const bo = this.residualLinear(lt.merged, d, lp.wo, lp.bo, lt.x, lt.out, lt.outMask, tape);
    layerNorm(heap, lt.out, n, d, lp.g1, lp.be1, this.eps(0), lt.xhat1, lt.rstd1, lt.x1, bo);
    // out = norm2(x1 + dropout(relu(x1 W1 + b1) W2 + b2)).
    a.linear(lt.x1, d, lp.w1, F, lp.b1, lt.h, n);
    a.k.keepPositive(4 * lt.h, 4 * lt.h, n * F);
    const b2 = this.residualLinear(lt.h, F, lp.w2, lp.b2, lt.x1, lt.out, lt.ffMask, tape);
    layerNorm(heap, lt.out, n, d, lp.g2, lp.be2, this.eps(1), lt.xhat2, lt.rstd2, lt.out, b2);
  }

  /**
   * out = x + dropout(y W + b) for y [n, inner]. Without dropout, x is copied into out and the product added to it,
   * and the bias is returned for the layer norm that reads out next to add (one pass fewer each way); with
   * dropout, the bias and the mask are applied here and undefined is returned.
   */
  private residualLinear(y: number, inner: number, w: number, b: number, x: number, out: number, mask: Float32Array | undefined,
    tape: Tape): number | undefined {
    const { a } = this;
    const d = this.enc.dim;
    const n = tape.n;
    if (mask) {
      a.linear(y, inner, w, d, b, out, n);
      residual(a.heap, x, out, n, d, mask, tape);
      return undefined;
    }
    a.heap.copyWithin(out, x, x + n * d);
    a.gemm(y, inner, 1, w, d, out, d, n, inner, d, true);
    return b;
  }

  private eps(which: 0 | 1): number {
    const l = this.enc.layers[0]!;
    return (which === 0 ? l.norm1 : l.norm2).eps;
  }

  backward(dPooled: number): void {
    const tape = this.tape!;
    this.tape = undefined;
    const { a } = this;
    const d = this.enc.dim;
    const F = this.hidden;
    const { n, rows, lengths, starts } = tape;
    let maxScores = 0;
    for (let r = 0; r < rows; r++) maxScores = Math.max(maxScores, lengths[r]! * pad4(lengths[r]!));
    // Scratch: the gradient at a layer's output and input, [dq dk dv] side by side, the FFN's hidden gradient, the
    // transposed weights, and one sequence-head's score gradients.
    const dOut = a.alloc(n * d);
    const dIn = a.alloc(n * d);
    const ds = a.alloc(n * d);
    const dqkv = a.alloc(n * 3 * d);
    const dh = a.alloc(n * F);
    const wT = a.alloc(3 * d * d + 2 * d * F);
    const dp = a.alloc(maxScores);
    a.reserve();
    const heap = a.heap;
    for (let r = 0; r < rows; r++) {
      const w = Math.fround(1 / lengths[r]!);
      for (let t = starts[r]!; t < starts[r + 1]!; t++) {
        for (let j = 0; j < d; j++) heap[dOut + t * d + j] = w * heap[dPooled + r * d + j]!;
      }
    }
    let grad = dOut;
    let other = dIn;
    for (let l = this.layers.length - 1; l >= 0; l--) {
      this.layerBackward(this.layers[l]!, tape.layers[l]!, tape, grad, other, { ds, dqkv, dh, wT, dp, F });
      [grad, other] = [other, grad];
    }
    // The embedding's gradient: through the dropout and the sqrt(d) scale, added up per token id.
    const g = a.grad(this.emb);
    heap.fill(0, g, g + this.enc.vocabSize * d);
    const scale = Math.fround(Math.sqrt(d));
    const width = tape.width;
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < lengths[r]!; i++) {
        const t = starts[r]! + i;
        const e = g + tape.tokens[t]! * d;
        for (let j = 0; j < d; j++) {
          let v = heap[grad + t * d + j]!;
          if (tape.embMask) v = Math.fround(v * tape.embMask[(r * width + i) * d + j]!);
          heap[e + j] = heap[e + j]! + Math.fround(v * scale);
        }
      }
    }
  }

  /** Layer `lt`'s backward pass: dy (its output's gradient) in, dx (its input's) out; adds its parameters' gradients. */
  private layerBackward(lp: LayerParams, lt: LayerTape, tape: Tape, dy: number, dx: number,
    s: { ds: number; dqkv: number; dh: number; wT: number; dp: number; F: number }): void {
    const { a } = this;
    const d = this.enc.dim;
    const h = this.heads;
    const dh = d / h;
    const { F } = s;
    const { n, width } = tape;
    const heap = a.heap;
    const G = (o: number) => a.grad(o);
    // norm2, then the FFN's dropout: ds = d(x1 + f'), df = ds * mask.
    layerNormBackward(heap, dy, lt.xhat2, lt.rstd2, n, d, lp.g2, G(lp.g2), G(lp.be2), s.ds);
    const df = dy; // dy is not read again: the FFN's output gradient overwrites it
    scaleByMask(heap, s.ds, df, n, d, lt.ffMask, tape);
    a.columnSums(df, n, d, G(lp.b2));
    a.gemm(lt.h, 1, F, df, d, G(lp.w2), d, F, n, d);
    transpose(heap, lp.w2, F, d, s.wT, F);
    a.gemm(df, d, 1, s.wT, F, s.dh, F, n, d, F);
    a.k.keepPositive(4 * s.dh, 4 * lt.h, n * F);
    a.columnSums(s.dh, n, F, G(lp.b1));
    a.gemm(lt.x1, 1, d, s.dh, F, G(lp.w1), F, d, n, F);
    transpose(heap, lp.w1, d, F, s.wT, d);
    // d(x1) = ds + dh W1^T (added into ds), then norm1: ds1 into dx (the residual's share of the input's gradient).
    a.gemm(s.dh, F, 1, s.wT, d, s.ds, d, n, F, d, true);
    layerNormBackward(heap, s.ds, lt.xhat1, lt.rstd1, n, d, lp.g1, G(lp.g1), G(lp.be1), dx);
    // The output projection: da = ds1 * mask; dWo = merged^T da; dmerged = da Wo^T (into s.ds).
    const da = dy;
    scaleByMask(heap, dx, da, n, d, lt.outMask, tape);
    a.columnSums(da, n, d, G(lp.bo));
    a.gemm(lt.merged, 1, d, da, d, G(lp.wo), d, d, n, d);
    transpose(heap, lp.wo, d, d, s.wT, d);
    const dm = s.ds;
    a.gemm(da, d, 1, s.wT, d, dm, d, n, d, d);
    // Attention, per sequence and head: dP' = dctx V^T, dV = P'^T dctx, dS = c P (dP - rowsum(dP P)) (c: the
    // scores' scale), dQ = dS K, dK = dS^T Q, into [dq dk dv] (row stride 3d).
    const q3 = 3 * d;
    const c = Math.fround(1 / Math.sqrt(dh));
    forEachHead(tape, h, ({ r, hh, L, Lp, o, so, pt }) => {
      const p = lt.p + so;
      const pd = lt.pd + so;
      const col = o * d + hh * dh;
      a.gemm(dm + col, d, 1, lt.vT + d * pt + hh * dh * Lp, Lp, s.dp, Lp, L, dh, Lp);
      a.gemm(pd, 1, Lp, dm + col, d, s.dqkv + o * q3 + 2 * d + hh * dh, q3, L, L, dh);
      for (let i = 0; i < L; i++) {
        const row = s.dp + i * Lp;
        const prow = p + i * Lp;
        if (lt.attMask) {
          const mo = ((r * h + hh) * width + i) * width;
          for (let j = 0; j < L; j++) heap[row + j] = heap[row + j]! * lt.attMask[mo + j]!;
        }
        let dot = 0;
        for (let j = 0; j < L; j++) dot += heap[row + j]! * heap[prow + j]!;
        for (let j = 0; j < L; j++) heap[row + j] = c * heap[prow + j]! * (heap[row + j]! - dot);
      }
      a.gemm(s.dp, Lp, 1, lt.k + col, d, s.dqkv + o * q3 + hh * dh, q3, L, L, dh);
      a.gemm(s.dp, 1, Lp, lt.q + col, d, s.dqkv + o * q3 + d + hh * dh, q3, L, L, dh);
    });
    // The projections' gradients, and dx += [dq dk dv] [Wq^T; Wk^T; Wv^T] (one product over 3d).
    const proj = [[lp.wq, lp.bq], [lp.wk, lp.bk], [lp.wv, lp.bv]] as const;
    proj.forEach(([w, b], i) => {
      a.columnSums(s.dqkv + i * d, n, d, G(b), q3);
      a.gemm(lt.x, 1, d, s.dqkv + i * d, q3, G(w), d, d, n, d);
      transpose(heap, w, d, d, s.wT + i * d * d, d);
    });
    a.gemm(s.dqkv, q3, 1, s.wT, d, dx, d, n, q3, d, true);
  }
}

/** Where one sequence-head's attention lives: its sequence r and head hh, length L (padded: Lp), first token o, and
 * the floats of score rows (so) and padded tokens (pt) before it. */
interface HeadAt { r: number; hh: number; L: number; Lp: number; o: number; so: number; pt: number }

/** Calls `f` for every sequence of the batch and head, in the order the scores are laid out. */
function forEachHead(tape: Tape, heads: number, f: (at: HeadAt) => void): void {
  let so = 0;
  let pt = 0;
  for (let r = 0; r < tape.rows; r++) {
    const L = tape.lengths[r]!;
    const Lp = pad4(L);
    for (let hh = 0; hh < heads; hh++) {
      f({ r, hh, L, Lp, o: tape.starts[r]!, so, pt });
      so += L * Lp;
    }
    pt += Lp;
  }
}

/** dst[j][t] = src[t][j] for a [n, width] source, dst rows `stride` floats apart. */
function transpose(heap: Float32Array, src: number, n: number, width: number, dst: number, stride: number): void {
  for (let t = 0; t < n; t++) for (let j = 0; j < width; j++) heap[dst + j * stride + t] = heap[src + t * width + j]!;
}

/**
 * Each sequence's K (or V) per head, transposed: sequence r's block starts at d * (padded tokens before r), head hh's
 * [dh, Lp] rows at hh * dh * Lp within it (Lp = its length rounded up to 4; the padding columns zero), so a product
 * reads it along short contiguous rows.
 */
function headsTransposed(heap: Float32Array, src: number, tape: Tape, d: number, dh: number, dst: number): void {
  let pt = 0;
  for (let r = 0; r < tape.rows; r++) {
    const L = tape.lengths[r]!;
    const Lp = pad4(L);
    const o = tape.starts[r]!;
    const block = dst + d * pt;
    for (let hh = 0; hh < d / dh; hh++) {
      const hb = block + hh * dh * Lp;
      for (let c = 0; c < dh; c++) {
        const row = hb + c * Lp;
        for (let j = 0; j < L; j++) heap[row + j] = heap[src + (o + j) * d + hh * dh + c]!;
        for (let j = L; j < Lp; j++) heap[row + j] = 0;
      }
    }
    pt += Lp;
  }
}

/** The dropout mask's entry of packed token t, column j (masks are drawn at the padded [rows * width, d] shape). */
function maskIndex(tape: Tape): Int32Array {
  const idx = new Int32Array(tape.n);
  for (let r = 0; r < tape.rows; r++) for (let i = 0; i < tape.lengths[r]!; i++) idx[tape.starts[r]! + i] = r * tape.width + i;
  return idx;
}

/** y = x + y * mask (the residual around a dropout), in place in y. */
function residual(heap: Float32Array, x: number, y: number, n: number, d: number, mask: Float32Array, tape: Tape): void {
  const idx = maskIndex(tape);
  for (let t = 0; t < n; t++) {
    const m = idx[t]! * d;
    for (let j = 0; j < d; j++) heap[y + t * d + j] = heap[x + t * d + j]! + Math.fround(heap[y + t * d + j]! * mask[m + j]!);
  }
}

/** dst = src * mask (or a copy without dropout). */
function scaleByMask(heap: Float32Array, src: number, dst: number, n: number, d: number, mask: Float32Array | undefined, tape: Tape): void {
  if (!mask) {
    heap.copyWithin(dst, src, src + n * d);
    return;
  }
  const idx = maskIndex(tape);
  for (let t = 0; t < n; t++) {
    const m = idx[t]! * d;
    for (let j = 0; j < d; j++) heap[dst + t * d + j] = heap[src + t * d + j]! * mask[m + j]!;
  }
}

/**
 * Layer norm of each row of x ([n, d]) as models/module.ts computes it: xhat = (x - mean) / sqrt(var + eps) (kept,
 * with 1/sqrt(var + eps), for the backward pass), out = xhat * gamma + beta. `out` may be x. With `bias`, x + bias
 * is normalised (and written back into x).
 */
function layerNorm(heap: Float32Array, x: number, n: number, d: number, gamma: number, beta: number, eps: number,
  xhat: number, rstd: number, out: number, bias?: number): void {
  for (let t = 0; t < n; t++) {
    const row = x + t * d;
    let sum = 0;
    if (bias === undefined) for (let j = 0; j < d; j++) sum += heap[row + j]!;
    else {
      for (let j = 0; j < d; j++) {
        const v = (heap[row + j] = heap[row + j]! + heap[bias + j]!);
        sum += v;
      }
    }
    const mean = Math.fround(sum / d);
    let sq = 0;
    for (let j = 0; j < d; j++) {
      const c = Math.fround(heap[row + j]! - mean);
      sq += c * c;
    }
    const sd = Math.fround(Math.sqrt(Math.fround(Math.fround(sq / d) + eps)));
    heap[rstd + t] = 1 / sd;
    for (let j = 0; j < d; j++) {
      const xh = Math.fround(Math.fround(heap[row + j]! - mean) / sd);
      heap[xhat + t * d + j] = xh;
      heap[out + t * d + j] = Math.fround(xh * heap[gamma + j]!) + heap[beta + j]!;
    }
  }
}

/**
 * The gradient through layer norm: dgamma += dy xhat and dbeta += dy (summed over rows, written fresh), and
 * dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)) with dxhat = dy gamma.
 */
function layerNormBackward(heap: Float32Array, dy: number, xhat: number, rstd: number, n: number, d: number, gamma: number,
  dGamma: number, dBeta: number, dx: number): void {
  heap.fill(0, dGamma, dGamma + d);
  heap.fill(0, dBeta, dBeta + d);
  for (let t = 0; t < n; t++) {
    const row = t * d;
    let m1 = 0;
    let m2 = 0;
    for (let j = 0; j < d; j++) {
      const g = heap[dy + row + j]!;
      const xh = heap[xhat + row + j]!;
      heap[dGamma + j] = heap[dGamma + j]! + g * xh;
      heap[dBeta + j] = heap[dBeta + j]! + g;
      const dxh = g * heap[gamma + j]!;
      m1 += dxh;
      m2 += dxh * xh;
    }
    m1 /= d;
    m2 /= d;
    const rs = heap[rstd + t]!;
    for (let j = 0; j < d; j++) {
      const xh = heap[xhat + row + j]!;
      heap[dx + row + j] = rs * (heap[dy + row + j]! * heap[gamma + j]! - m1 - xh * m2);
    }
  }
}
