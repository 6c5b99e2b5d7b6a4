// A convolutional encoder over the formula's tokens (DeepMath's best word-level encoder family, Irving et al.
// 2016): token embeddings, one convolution of width `kernel` over neighbouring tokens (in Mizar's prefix form, a
// symbol with its first arguments: a sub-term pattern that a bag of words misses), ReLU, then max-pooling over the
// real tokens and dropout.
//
// Built from stock tfjs ops (gather, pad, slice, concat, a 2-D matMul, max), so it trains on every backend: the
// convolution is one [rows*width, kernel*e] x [kernel*e, d] product over shifted copies of the sequence, the fast
// path on wasm where batched 3-D and conv kernels are slow or missing gradients.
import * as tf from '@tensorflow/tfjs';
import type { Encoder } from './encoder.js';
import { type ForwardContext, Linear, Module, dropout } from './module.js';
import { posInt, rate } from './checks.js';
import { UserError } from '../run/errors.js';

export interface ConvOptions {
  ntoken?: number;
  input_shape?: number;
  /** Output size (the convolution's channels). */
  d_model?: number;
  /** Token embedding size (default d_model). */
  embedding_dim?: number;
  /** Tokens each filter sees (odd, default 3). */
  kernel_size?: number;
  dropout?: number;
}

export class ConvEncoder extends Module implements Encoder {
  readonly dim: number;
  readonly vocabSize: number;
  readonly embeddingDim: number;
  readonly kernel: number;
  readonly rate: number;
  readonly embedding: tf.Variable;
  readonly conv: Linear;

  constructor(opts: ConvOptions = {}) {
    super();
    this.vocabSize = posInt(opts.ntoken ?? opts.input_shape, 'ntoken');
    this.dim = posInt(opts.d_model ?? 128, 'd_model');
    this.embeddingDim = posInt(opts.embedding_dim ?? this.dim, 'embedding_dim');
    this.kernel = posInt(opts.kernel_size ?? 3, 'kernel_size');
    if (this.kernel % 2 === 0) throw new UserError(`kernel_size must be odd (centred on a token), got ${this.kernel}`, 'kernel_size');
    this.rate = rate(opts.dropout ?? 0, 'dropout');
    this.embedding = this.param('embedding', [this.vocabSize, this.embeddingDim], { kind: 'normal', std: 1 / Math.sqrt(this.embeddingDim) });
    this.conv = this.child('conv', new Linear(this.kernel * this.embeddingDim, this.dim));
  }

  encode(ids: Int32Array, lengths: Int32Array, rows: number, width: number, ctx: ForwardContext): tf.Tensor2D {
    const e = this.embeddingDim;
    const half = (this.kernel - 1) / 2;
    const keep = new Float32Array(rows * width);
    const padding = new Float32Array(rows * width);
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < width; i++) {
        const real = i < lengths[r]!;
        keep[r * width + i] = real ? 1 : 0;
        padding[r * width + i] = real ? 0 : -1e4;
      }
    }
    // Padding positions embed to zero, so a window at the end of a formula sees zeros past it.
    const emb = tf.mul(tf.gather(this.embedding, tf.tensor1d(ids, 'int32')), tf.tensor2d(keep, [rows * width, 1]));
    const x = tf.pad(tf.reshape(emb, [rows, width, e]), [[0, 0], [half, half], [0, 0]]);
    const windows: tf.Tensor3D[] = [];
    for (let o = 0; o < this.kernel; o++) windows.push(tf.slice(x, [0, o, 0], [rows, width, e]) as tf.Tensor3D);
    const patches = tf.reshape(this.kernel === 1 ? windows[0]! : tf.concat(windows, 2), [rows * width, this.kernel * e]) as tf.Tensor2D;
    const h = tf.add(tf.relu(this.conv.apply(patches)), tf.tensor2d(padding, [rows * width, 1]));
    const pooled = tf.max(tf.reshape(h, [rows, width, this.dim]), 1) as tf.Tensor2D;
    return dropout(pooled, this.rate, ctx);
  }
}
