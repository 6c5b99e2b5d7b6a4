// The bag-of-words encoder: the mean of a sequence's token embeddings, then dropout.
//
// Both are one op (embedding_bag.ts) that loops over the distinct token ids of each sequence on the raw buffers: at
// these sizes per-op dispatch and copies cost more than the arithmetic, and a dense (token counts [rows, vocab]) x
// (embedding [vocab, dim]) matMul each way was ~20% of a step on wasm.
import * as tf from '@tensorflow/tfjs';
import type { Encoder } from './encoder.js';
import { type ForwardContext, Module, dropoutMask } from './module.js';
import { embeddingBagMean } from './embedding_bag.js';
import { allowInPlaceUpdates } from '../backend/raw.js';
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
    // The table never enters a matMul (whose wasm kernel caches packed weights by tensor), so Adam may update it in place.
    allowInPlaceUpdates(this.embedding);
  }

  encode(ids: Int32Array, lengths: Int32Array, rows: number, width: number, ctx: ForwardContext): tf.Tensor2D {
    const mask = dropoutMask(rows * this.dim, this.dropoutRate, ctx);
    return embeddingBagMean(this.embedding as tf.Tensor2D, ids, lengths, rows, width, mask);
  }
}
