// Scoring held-out batches with a model in inference mode (no dropout): shared by validation during training and
// by `bait test` on a saved checkpoint, so both report exactly the same metrics.
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data/premise_pairs.js';
import { forwardContext, type ForwardContext } from '../models/module.js';
import type { Scored } from './metrics.js';

export interface Scorer {
  logits(b: Batch, ctx: ForwardContext): tf.Tensor1D;
  /** A last step over all the scores, for a model whose score of a pair depends on the other candidates of its list. */
  scoreLists?(logits: Float64Array, conj: string[]): Float64Array;
}

/** Async because a GPU backend's results are read back with `data()` (its `dataSync()` throws in Node). */
export async function scoreBatches(model: Scorer, count: number, batch: (i: number) => Batch, seed: number, step: number): Promise<Scored> {
  const logits: number[] = [];
  const labels: number[] = [];
  const conj: string[] = [];
  for (let i = 0; i < count; i++) {
    const b = batch(i);
    const out = tf.tidy(() => model.logits(b, forwardContext(false, seed, step)));
    const values = await out.data();
    out.dispose();
    for (let j = 0; j < b.size; j++) {
      logits.push(values[j]!);
      labels.push(b.labels[j]!);
      conj.push(b.conj[j]!);
    }
  }
  const raw = Float64Array.from(logits);
  return { logits: model.scoreLists ? model.scoreLists(raw, conj) : raw, labels: Float64Array.from(labels), conj };
}
