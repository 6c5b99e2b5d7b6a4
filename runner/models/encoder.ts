// The contract between the premise-selection model and its goal/premise embedding modules.
import type * as tf from '@tensorflow/tfjs';
import type { ForwardContext, Module } from './module.js';

export interface Encoder extends Module {
  /** Size of the embedding each sequence is mapped to. */
  readonly dim: number;
  /** The number of token ids the encoder accepts (ids must be < vocabSize). */
  readonly vocabSize: number;
  /** Maps padded ids [rows, width] (0 = padding) with their true lengths to embeddings [rows, dim]. */
  encode(ids: Int32Array, lengths: Int32Array, rows: number, width: number, ctx: ForwardContext): tf.Tensor2D;
}

export function isEncoder(x: unknown): x is Encoder {
  return typeof x === 'object' && x !== null && typeof (x as Encoder).encode === 'function' &&
    typeof (x as Encoder).dim === 'number';
}
