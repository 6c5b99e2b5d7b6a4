// A small transformer encoder (the analogue of BAIT's `TransformerWrapper`): token embedding scaled by sqrt(d),
// fixed sinusoidal positions, `nlayers` post-norm encoder layers (multi-head self-attention with a padding mask,
// then a ReLU feed-forward of width `d_hid`), and a mean over the real tokens.
//
// Projections run as 2-D matMuls on [rows*width, d] (the fast path on wasm); only the attention scores and their
// weighted sum are batched 3-D products.
import * as tf from '@tensorflow/tfjs';
import type { Encoder } from './encoder.js';
import { type ForwardContext, LayerNorm, Linear, Module, dropout } from './module.js';
import { posInt, rate } from './checks.js';
import { UserError } from '../run/errors.js';

export interface TransformerOptions {
  ntoken?: number;
  input_shape?: number;
  d_model?: number;
  nhead?: number;
  nlayers?: number;
  d_hid?: number;
  dropout?: number;
  max_len?: number;
  /** Accepted for BAIT's configs; this encoder always uses the full inner width. */
  small_inner?: boolean;
}

export class EncoderLayer extends Module {
  readonly q: Linear;
  readonly k: Linear;
  readonly v: Linear;
  readonly out: Linear;
  readonly norm1: LayerNorm;
  readonly ff1: Linear;
  readonly ff2: Linear;
  readonly norm2: LayerNorm;

  constructor(readonly d: number, readonly heads: number, dHid: number, readonly rate: number) {
    super();
    // Three projections rather than one [d, 3d] and a slice: slicing columns is slow on the cpu backend.
    this.q = this.child('self_attn_q', new Linear(d, d));
    this.k = this.child('self_attn_k', new Linear(d, d));
    this.v = this.child('self_attn_v', new Linear(d, d));
    this.out = this.child('self_attn_out', new Linear(d, d));
    this.norm1 = this.child('norm1', new LayerNorm(d));
    this.ff1 = this.child('linear1', new Linear(d, dHid));
    this.ff2 = this.child('linear2', new Linear(dHid, d));
    this.norm2 = this.child('norm2', new LayerNorm(d));
  }

  /** x: [rows*width, d]; mask: additive [rows, 1, 1, width] (0 for tokens, -1e9 for padding). */
  apply(x: tf.Tensor2D, mask: tf.Tensor, rows: number, width: number, ctx: ForwardContext): tf.Tensor2D {
    const d = this.d;
    const h = this.heads;
    const dh = d / h;
    // [rows*width, d] -> [rows*h, width, dh]
    const heads = (t: tf.Tensor2D): tf.Tensor3D =>
      tf.reshape(tf.transpose(tf.reshape(t, [rows, width, h, dh]), [0, 2, 1, 3]), [rows * h, width, dh]);
    const q = heads(tf.mul(this.q.apply(x), 1 / Math.sqrt(dh)));
    const k = heads(this.k.apply(x));
    const v = heads(this.v.apply(x));
    let scores = tf.reshape(tf.matMul(q, k, false, true), [rows, h, width, width]);
    scores = tf.add(scores, mask);
    let att = tf.softmax(scores, -1);
    att = dropout(att, this.rate, ctx);
    const ctxv = tf.matMul(tf.reshape(att, [rows * h, width, width]) as tf.Tensor3D, v);
    const merged = tf.reshape(tf.transpose(tf.reshape(ctxv, [rows, h, width, dh]), [0, 2, 1, 3]), [rows * width, d]);
    const a = dropout(this.out.apply(merged as tf.Tensor2D), this.rate, ctx);
    const x1 = this.norm1.apply(tf.add(x, a));
    const f = dropout(this.ff2.apply(tf.relu(this.ff1.apply(x1))), this.rate, ctx);
    return this.norm2.apply(tf.add(x1, f));
  }
}

/** The fixed sinusoidal position table [maxLen, d], row-major (Vaswani et al.). */
export function sinusoidTable(maxLen: number, d: number): Float32Array {
  const pe = new Float32Array(maxLen * d);
  for (let p = 0; p < maxLen; p++) {
    for (let i = 0; i < d; i += 2) {
      const angle = p / Math.pow(10000, i / d);
      pe[p * d + i] = Math.sin(angle);
      if (i + 1 < d) pe[p * d + i + 1] = Math.cos(angle);
    }
  }
  return pe;
}

export class TransformerEncoder extends Module implements Encoder {
  readonly dim: number;
  readonly vocabSize: number;
  readonly maxLen: number;
  readonly rate: number;
  readonly embedding: tf.Variable;
  readonly layers: EncoderLayer[] = [];
  private positions: tf.Tensor2D | undefined;

  constructor(opts: TransformerOptions = {}) {
    super();
    this.vocabSize = posInt(opts.ntoken ?? opts.input_shape, 'ntoken');
    this.dim = posInt(opts.d_model ?? 128, 'd_model');
    const heads = posInt(opts.nhead ?? 2, 'nhead');
    if (this.dim % heads !== 0) {
      throw new UserError(`d_model (${this.dim}) must be divisible by nhead (${heads})`, 'nhead');
    }
    const layers = posInt(opts.nlayers ?? 2, 'nlayers');
    const dHid = posInt(opts.d_hid ?? 2 * this.dim, 'd_hid');
    this.rate = rate(opts.dropout ?? 0, 'dropout');
    this.maxLen = posInt(opts.max_len ?? 512, 'max_len');
    this.embedding = this.param('embedding', [this.vocabSize, this.dim], { kind: 'uniform', bound: 0.1 });
    for (let i = 0; i < layers; i++) this.layers.push(this.child(`layers.${i}`, new EncoderLayer(this.dim, heads, dHid, this.rate)));
  }

  private sinusoids(): tf.Tensor2D {
    if (!this.positions) this.positions = tf.keep(tf.tensor2d(sinusoidTable(this.maxLen, this.dim), [this.maxLen, this.dim]));
    return this.positions;
  }

  /** The position table covers `width` tokens, or a UserError saying how to fix it. */
  checkWidth(width: number): void {
    if (width > this.maxLen) {
      throw new UserError(`a sequence of ${width} tokens is longer than max_len (${this.maxLen}); raise max_len or ` +
        `lower data_config.attributes.max_len`, 'max_len');
    }
  }

  encode(ids: Int32Array, lengths: Int32Array, rows: number, width: number, ctx: ForwardContext): tf.Tensor2D {
    this.checkWidth(width);
    const d = this.dim;
    const maskValues = new Float32Array(rows * width);
    const keep = new Float32Array(rows * width);
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < width; i++) {
        const real = i < lengths[r]!;
        maskValues[r * width + i] = real ? 0 : -1e9;
        keep[r * width + i] = real ? 1 / lengths[r]! : 0;
      }
    }
    const mask = tf.tensor4d(maskValues, [rows, 1, 1, width]);
    const emb = tf.gather(this.embedding, tf.tensor1d(ids, 'int32'));
    const pos = tf.slice(this.sinusoids(), [0, 0], [width, d]);
    const scaled = tf.reshape(tf.mul(emb, Math.sqrt(d)), [rows, width, d]);
    let x = tf.reshape(tf.add(scaled, pos), [rows * width, d]) as tf.Tensor2D;
    x = dropout(x, this.rate, ctx);
    for (const layer of this.layers) x = layer.apply(x, mask, rows, width, ctx);
    // Mean over real tokens: weights 1/len on real positions, 0 on padding, as one [rows, 1, width] x [rows, width, d].
    const pooled = tf.matMul(tf.tensor3d(keep, [rows, 1, width]), tf.reshape(x, [rows, width, d]) as tf.Tensor3D);
    return tf.reshape(pooled, [rows, d]);
  }

  override dispose(): void {
    super.dispose();
    this.positions?.dispose();
  }
}
