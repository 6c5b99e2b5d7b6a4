// The bag-of-words encoder: the mean of a sequence's token embeddings.
//
// It is computed as (normalised token counts [rows, vocab]) x (embedding [vocab, dim]) instead of gather + mean:
// the same numbers up to float rounding, but one dense matMul forwards and one backwards, which is the fastest path
// on the wasm and cpu backends (a gather's gradient is a scatter-add that tfjs does slowly, see notes/tfjs.md).
import * as tf from '@tensorflow/tfjs';
import type { Encoder } from './encoder.js';
import { type ForwardContext, Module, dropout } from './module.js';
import { posInt, rate } from './checks.js';

export interface MeanPoolOptions {
  /** Vocabulary size (BAIT's configs call it `ntoken` or `input_shape`). */
  ntoken?: number;
  input_shape?: number;
  /** Embedding size (`d_model` or `embedding_dim`). */
  d_model?: number;
  embedding_dim?: number;
  dropout?: number;
}

export class MeanPoolEncoder extends Module implements Encoder {
  readonly dim: number;
  readonly vocabSize: number;
  readonly dropoutRate: number;
  readonly embedding: tf.Variable;

  constructor(opts: MeanPoolOptions = {}) {
    super();
    this.vocabSize = posInt(opts.ntoken ?? opts.input_shape, 'ntoken');
    this.dim = posInt(opts.d_model ?? opts.embedding_dim ?? 128, 'd_model');
    this.dropoutRate = rate(opts.dropout ?? 0, 'dropout');
    this.embedding = this.param('embedding', [this.vocabSize, this.dim], { kind: 'normal', std: 1 / Math.sqrt(this.dim) });
  }

  encode(ids: Int32Array, lengths: Int32Array, rows: number, width: number, ctx: ForwardContext): tf.Tensor2D {
    const v = this.vocabSize;
    const counts = new Float32Array(rows * v);
    for (let r = 0; r < rows; r++) {
      const len = lengths[r]!;
      const w = 1 / len;
      for (let i = 0; i < len; i++) counts[r * v + ids[r * width + i]!]! += w;
    }
    const pooled = tf.matMul(tf.tensor2d(counts, [rows, v]), this.embedding as tf.Tensor2D) as tf.Tensor2D;
    return dropout(pooled, this.dropoutRate, ctx);
  }
}
