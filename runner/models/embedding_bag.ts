// The mean of each sequence's token embeddings (torch's EmbeddingBag(mode="mean")), with optional dropout on the
// result, as ONE differentiable op whose forward and backward are plain loops over the token ids.
//
// A step of the bag-of-words model is dominated by per-op dispatch and copies, not arithmetic: a formula has ~60
// tokens but only ~13 distinct ones, so the forward pass is ~13 scaled row additions per sequence and the gradient
// is the same rows scattered back. Doing that on the raw buffers replaces a dense [rows, vocab] x [vocab, dim]
// matMul each way (and the [rows, vocab] count matrix upload) plus the dropout multiply, and it keeps the table out
// of every matMul, so its storage may be updated in place by the optimizer (see backend/raw.ts).
import * as tf from '@tensorflow/tfjs';
import { hostBacked, readValues } from '../backend/raw.js';
import { type BagCall, simdPool, simdUnpool } from './embedding_bag_simd.js';

/** Distinct ids of each row in first-appearance order with their weights count/length (row r: start[r]..start[r+1]). */
export interface Bags {
  ids: Int32Array;
  weights: Float64Array;
  start: Int32Array;
}

// Scratch for counting ids, reused across calls (grown when a larger vocabulary appears); all zero between calls.
let slot = new Int32Array(0);

export function bags(ids: Int32Array, lengths: Int32Array, rows: number, width: number, vocab: number): Bags {
  if (slot.length < vocab) slot = new Int32Array(vocab);
  let total = 0;
  for (let r = 0; r < rows; r++) total += lengths[r]!;
  const out = new Int32Array(total);
  const counts = new Float64Array(total);
  const start = new Int32Array(rows + 1);
  let n = 0;
  for (let r = 0; r < rows; r++) {
    const len = lengths[r]!;
    if (!(len > 0 && len <= width)) throw new Error(`embedding bag: row ${r} has length ${len} (width ${width})`);
    const first = n;
    for (let i = 0; i < len; i++) {
      const id = ids[r * width + i]!;
      if (!(id >= 0 && id < vocab)) throw new Error(`embedding bag: token id ${id} is outside the vocabulary of ${vocab}`);
      // slot[id] holds 1 + the position of id within this row's list, or 0 when not seen yet in this row.
      const s = slot[id]!;
      if (s === 0) {
        out[n] = id;
        counts[n] = 1;
        slot[id] = n - first + 1;
        n++;
      } else counts[first + s - 1]! += 1;
    }
    for (let k = first; k < n; k++) {
      slot[out[k]!] = 0;
      counts[k] = counts[k]! / len;
    }
    start[r + 1] = n;
  }
  return { ids: out.subarray(0, n), weights: counts.subarray(0, n), start };
}

// Hot loops as top-level functions with fixed argument types, so V8 compiles each once.

function poolForward(table: Float32Array, b: Bags, rows: number, dim: number, mask: Float32Array | undefined,
  acc: Float64Array, out: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    acc.fill(0);
    for (let k = b.start[r]!; k < b.start[r + 1]!; k++) {
      const w = b.weights[k]!;
      const src = b.ids[k]! * dim;
      for (let j = 0; j < dim; j++) acc[j]! += w * table[src + j]!;
    }
    const o = r * dim;
    if (mask) for (let j = 0; j < dim; j++) out[o + j] = acc[j]! * mask[o + j]!;
    else for (let j = 0; j < dim; j++) out[o + j] = acc[j]!;
  }
}

function poolBackward(dy: Float32Array, b: Bags, rows: number, dim: number, mask: Float32Array | undefined,
  g: Float64Array, grad: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    if (mask) for (let j = 0; j < dim; j++) g[j] = dy[o + j]! * mask[o + j]!;
    else for (let j = 0; j < dim; j++) g[j] = dy[o + j]!;
    for (let k = b.start[r]!; k < b.start[r + 1]!; k++) {
      const w = b.weights[k]!;
      const dst = b.ids[k]! * dim;
      for (let j = 0; j < dim; j++) grad[dst + j] = grad[dst + j]! + w * g[j]!;
    }
  }
}

/**
 * Mean of the embeddings of each row's first `lengths[r]` ids of `ids` ([rows, width], row-major), times `mask`
 * ([rows, dim] inverted-dropout scales) when given. Differentiable with respect to `table` only.
 */
export function embeddingBagMean(table: tf.Tensor2D, ids: Int32Array, lengths: Int32Array, rows: number, width: number,
  mask?: Float32Array): tf.Tensor2D {
  const [vocab, dim] = table.shape;
  const b = bags(ids, lengths, rows, width, vocab);
  if (!hostBacked()) return embeddingBagMeanOps(table, ids, lengths, rows, width, mask);
  // Four lanes at a time when the width allows (the usual case); the plain loops otherwise.
  const simd = dim % 4 === 0;
  const call = (data: Float32Array, outSize: number): BagCall =>
    ({ data, ids: b.ids, weights: Float32Array.from(b.weights), start: b.start, rows, dim, mask, outSize });
  // The SIMD results are views of its memory: the wasm backend copies a new tensor's values into its own heap at
  // once; other backends may keep the array, so they get a copy.
  const own = (view: Float32Array) => (tf.getBackend() === 'wasm' ? view : view.slice());
  const f = tf.customGrad(((t: tf.Tensor) => {
    let out: Float32Array;
    if (simd) out = own(simdPool(call(readValues(t), rows * dim)));
    else poolForward(readValues(t), b, rows, dim, mask, new Float64Array(dim), (out = new Float32Array(rows * dim)));
    return {
      value: tf.tensor2d(out, [rows, dim]),
      gradFunc: (dy: tf.Tensor) => {
        let grad: Float32Array;
        if (simd) grad = own(simdUnpool(call(readValues(dy), vocab * dim)));
        else poolBackward(readValues(dy), b, rows, dim, mask, new Float64Array(dim), (grad = new Float32Array(vocab * dim)));
        return tf.tensor2d(grad, [vocab, dim]);
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(table) as tf.Tensor2D;
}

/**
 * The same mean as tfjs ops, for backends whose tensors are not in this process's memory (webgpu): a gather of every
 * position, weighted by 1/length (0 past the end), summed per row. Summation is in float32 on the device, so it
 * agrees with the loops above to rounding, not bit for bit. Ids were checked by bags() first.
 */
function embeddingBagMeanOps(table: tf.Tensor2D, ids: Int32Array, lengths: Int32Array, rows: number, width: number,
  mask?: Float32Array): tf.Tensor2D {
  const dim = table.shape[1];
  const idx = new Int32Array(rows * width);
  const weights = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const len = lengths[r]!;
    for (let i = 0; i < len; i++) {
      idx[r * width + i] = ids[r * width + i]!;
      weights[r * width + i] = 1 / len;
    }
  }
  return tf.tidy(() => {
    const rowsOf = tf.reshape(tf.gather(table, tf.tensor1d(idx, 'int32')), [rows, width, dim]);
    const pooled = tf.sum(tf.mul(rowsOf, tf.tensor3d(weights, [rows, width, 1])), 1) as tf.Tensor2D;
    return mask ? tf.mul(pooled, tf.tensor2d(mask, [rows, dim])) : pooled;
  });
}
