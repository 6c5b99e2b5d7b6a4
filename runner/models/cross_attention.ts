// A matching model for premise selection: goal and premise are read together, not encoded apart. Each token of one
// side is soft-aligned to the tokens of the other (attention over the other side's token embeddings), compared with
// what it aligned to ([x, a, x*a, x-a] through a shared layer), and the comparisons are pooled (mean and max over
// real tokens) into one vector per side; the classifier then scores the two vectors with the context features.
// This is the decomposable-attention / ESIM recipe of sentence-pair matching (Parikh et al. 2016, Chen et al. 2017),
// which beats siamese encoders on pair tasks because the comparison happens token by token. Every token also carries
// a learned mark saying whether its symbol occurs on the other side: the premise-selection literature's strongest
// cheap signal (shared symbols) given to the encoder, not only to the features.
//
// Stock tfjs ops only (gather, batched matMul, softmax, concat, a 2-D matMul, sum, max), so it trains on every
// backend. Trained through tfjs ops, never the fused mean-pool step.
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data/premise_pairs.js';
import { UserError } from '../run/errors.js';
import { type ForwardContext, Linear, Module, dropout } from './module.js';
import { positive, posInt, rate } from './checks.js';
import { bceWithLogits } from './losses.js';
import { BinaryClassifier } from './premise_selection.js';

export interface CrossAttentionOptions {
  ntoken?: number;
  d_model?: number;
  dropout?: number;
  classifier?: unknown;
  lr?: number;
  batch_size?: number;
}

/** One side's tokens as the model needs them: ids, shared marks and masks, row-major [rows, width]. */
interface Side {
  ids: Int32Array;
  lengths: Int32Array;
  width: number;
}

/**
 * 1 where the token's id (not padding) occurs among the real tokens of the same row of `other`, else 0.
 * Structural tokens (application, binders, variables) are nearly always shared; constants are what it tells apart.
 */
export function sharedMarks(side: Side, other: Side, rows: number): Int32Array {
  const out = new Int32Array(rows * side.width);
  for (let r = 0; r < rows; r++) {
    const seen = new Set<number>();
    for (let i = 0; i < other.lengths[r]!; i++) seen.add(other.ids[r * other.width + i]!);
    for (let i = 0; i < side.lengths[r]!; i++) out[r * side.width + i] = seen.has(side.ids[r * side.width + i]!) ? 1 : 0;
  }
  return out;
}

/** [rows, width] 1/0 for real/padding tokens, and the additive -1e4 bias that keeps padding out of max and softmax. */
function masks(side: Side, rows: number): { keep: Float32Array; bias: Float32Array } {
  const keep = new Float32Array(rows * side.width);
  const bias = new Float32Array(rows * side.width);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < side.width; i++) {
      const real = i < side.lengths[r]!;
      keep[r * side.width + i] = real ? 1 : 0;
      bias[r * side.width + i] = real ? 0 : -1e4;
    }
  }
  return { keep, bias };
}

export class CrossAttentionSelection extends Module {
  readonly dim: number;
  readonly vocabSize: number;
  readonly rate: number;
  readonly lr: number;
  readonly embedding: tf.Variable;
  /** Row 0: the token's symbol is not on the other side; row 1: it is. Added to the token embedding. */
  readonly marks: tf.Variable;
  readonly compare: Linear;
  readonly classifier: BinaryClassifier;

  get usesContextFeatures(): boolean {
    return this.classifier.contextFeatures;
  }

  constructor(opts: CrossAttentionOptions) {
    super();
    this.vocabSize = posInt(opts.ntoken, 'ntoken');
    this.dim = posInt(opts.d_model ?? 64, 'd_model');
    this.rate = rate(opts.dropout ?? 0, 'dropout');
    this.lr = positive(opts.lr ?? 1e-3, 'lr');
    if (opts.batch_size !== undefined) posInt(opts.batch_size, 'batch_size');
    if (!(opts.classifier instanceof BinaryClassifier)) {
      throw new UserError('classifier must be a bait.models.BinaryClassifier (_target_)', 'classifier');
    }
    if (opts.classifier.inputShape !== 2 * this.dim) {
      throw new UserError(`classifier.input_shape (${opts.classifier.inputShape}) must be 2 * d_model ` +
        `(${2 * this.dim}): each side is pooled to its mean and its max`, 'classifier.input_shape');
    }
    const std = 1 / Math.sqrt(this.dim);
    this.embedding = this.param('embedding', [this.vocabSize, this.dim], { kind: 'normal', std });
    this.marks = this.param('marks', [2, this.dim], { kind: 'normal', std });
    this.compare = this.child('compare', new Linear(4 * this.dim, this.dim));
    this.classifier = this.child('classifier', opts.classifier);
  }

  checkVocabulary(vocabSize: number): void {
    if (this.vocabSize < vocabSize) {
      throw new UserError(`the vocabulary of the data has ${vocabSize} tokens but the model accepts ${this.vocabSize}; ` +
        'set ntoken to at least that (e.g. ${data_config.vocab_size})', 'model.ntoken');
    }
  }

  private embed(side: Side, other: Side, rows: number): tf.Tensor3D {
    const tokens = tf.gather(this.embedding, tf.tensor1d(side.ids, 'int32'));
    const marked = tf.add(tokens, tf.gather(this.marks, tf.tensor1d(sharedMarks(side, other, rows), 'int32')));
    return tf.reshape(marked, [rows, side.width, this.dim]);
  }

  /** Aligns each token of x to y, compares, and pools to [rows, 2 * dim] (mean and max over x's real tokens). */
  private side(x: tf.Tensor3D, y: tf.Tensor3D, xSide: Side, ySide: Side, rows: number, ctx: ForwardContext): tf.Tensor2D {
    const d = this.dim;
    const yMask = masks(ySide, rows);
    const scores = tf.add(tf.mul(tf.matMul(x, y, false, true), 1 / Math.sqrt(d)), tf.tensor3d(yMask.bias, [rows, 1, ySide.width]));
    const aligned = tf.matMul(tf.softmax(scores), y) as tf.Tensor3D;
    const both = tf.concat([x, aligned, tf.mul(x, aligned), tf.sub(x, aligned)], 2);
    const n = rows * xSide.width;
    const h = tf.relu(this.compare.apply(tf.reshape(both, [n, 4 * d])));
    const xMask = masks(xSide, rows);
    const kept = tf.reshape(tf.mul(h, tf.tensor2d(xMask.keep, [n, 1])), [rows, xSide.width, d]);
    const mean = tf.div(tf.sum(kept, 1), tf.tensor2d(Float32Array.from(xSide.lengths, (l) => Math.max(1, l)), [rows, 1]));
    const max = tf.max(tf.reshape(tf.add(h, tf.tensor2d(xMask.bias, [n, 1])), [rows, xSide.width, d]), 1);
    return dropout(tf.concat([mean, max], 1) as tf.Tensor2D, this.rate, ctx);
  }

  logits(b: Batch, ctx: ForwardContext): tf.Tensor1D {
    const g: Side = { ids: b.goalIds, lengths: b.goalLengths, width: b.goalLen };
    const p: Side = { ids: b.premiseIds, lengths: b.premiseLengths, width: b.premiseLen };
    const ge = this.embed(g, p, b.size);
    const pe = this.embed(p, g, b.size);
    const goal = this.side(ge, pe, g, p, b.size, ctx);
    const premise = this.side(pe, ge, p, g, b.size, ctx);
    return this.classifier.apply(goal, premise, b);
  }

  loss(b: Batch, ctx: ForwardContext): tf.Scalar {
    return bceWithLogits(this.logits(b, ctx), b.labels);
  }
}
