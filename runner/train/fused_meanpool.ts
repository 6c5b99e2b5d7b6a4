// The mean-pool encoder inside the fused training step (fused_step.ts): the embedding bag with its dropout
// forwards, and the gradient scattered back into the embedding table, as the SIMD kernels of
// models/embedding_bag_simd.ts (the same kernels the tfjs path runs, so the pooled values are the same bits).
import * as tf from '@tensorflow/tfjs';
import { type Bags, bags } from '../models/embedding_bag.js';
import { MeanPoolEncoder } from '../models/mean_pool.js';
import { type ForwardContext, dropoutMask } from '../models/module.js';
import { BinaryClassifier, PremiseSelection } from '../models/premise_selection.js';
import { Arena, type FusedEncoder, FusedStep } from './fused_step.js';

/** A fused step when `model` is exactly the mean-pool premise-selection model on the wasm backend, else undefined. */
export function fusedMeanPool(model: unknown, params: Array<[string, tf.Variable]>, lr: number): FusedStep | undefined {
  const parts = fusedParts(model, params, MeanPoolEncoder);
  if (!parts) return undefined;
  const { goal, premise, classifier, arena } = parts;
  if (goal.dim % 4 !== 0 || classifier.fc1.outFeatures % 4 !== 0) return undefined;
  return new FusedStep('fused mean-pool step', arena, { goal: new MeanPoolSide(arena, goal), premise: new MeanPoolSide(arena, premise) }, classifier, lr);
}

/**
 * The parts of `model` when it is exactly a PremiseSelection of two `Enc` encoders (distinct, same width) and a
 * BinaryClassifier with one output and no context features, on the wasm backend, and `params` are exactly their
 * parameters; with the arena holding them.
 */
export function fusedParts<E extends { dim: number }>(model: unknown, params: Array<[string, tf.Variable]>,
  Enc: abstract new (...args: never[]) => E): { goal: E; premise: E; classifier: BinaryClassifier; arena: Arena } | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  // Exact classes only: a subclass may change what a forward pass computes.
  if (!(model instanceof PremiseSelection) || model.constructor !== PremiseSelection) return undefined;
  const { goal, premise, classifier } = model;
  if (goal.constructor !== Enc || premise.constructor !== Enc || classifier.constructor !== BinaryClassifier) return undefined;
  // The context features' wide path is not part of the fused step.
  if (classifier.contextFeatures || classifier.fc2.outFeatures !== 1 || goal === premise || goal.dim !== premise.dim) return undefined;
  const vars = params.map(([, v]) => v);
  const mine = model.namedParameters().map(([, v]) => v);
  if (vars.length !== mine.length || !mine.every((v) => vars.includes(v))) return undefined;
  return { goal: goal as unknown as E, premise: premise as unknown as E, classifier, arena: new Arena(vars) };
}

/** Byte offsets of one side's embedding-bag inputs and output in the scratch area. */
interface Side {
  bags: Bags;
  ids: number;
  w: number;
  start: number;
  mask: number;
  out: number;
  rows: number;
}

class MeanPoolSide implements FusedEncoder {
  private readonly emb: number;
  private pending: Side | undefined;

  constructor(private readonly a: Arena, private readonly enc: MeanPoolEncoder) {
    this.emb = a.at(enc.embedding);
  }

  forward(ids: Int32Array, lengths: Int32Array, rows: number, width: number, ctx: ForwardContext): number {
    const { a, enc } = this;
    const d = enc.dim;
    const mask = dropoutMask(rows * d, enc.dropoutRate, ctx);
    const bg = bags(ids, lengths, rows, width, enc.vocabSize);
    const s: Side = { bags: bg, ids: a.alloc(bg.ids.length), w: a.alloc(bg.ids.length), start: a.alloc(rows + 1),
      mask: a.alloc(rows * d), out: a.alloc(rows * d), rows };
    a.reserve();
    const heap = a.heap;
    a.ints.set(bg.ids, s.ids);
    for (let i = 0; i < bg.weights.length; i++) heap[s.w + i] = bg.weights[i]!;
    a.ints.set(bg.start, s.start);
    if (mask) heap.set(mask, s.mask);
    else heap.fill(1, s.mask, s.mask + rows * d);
    a.k.pool(4 * this.emb, 4 * s.ids, 4 * s.w, 4 * s.start, rows, 4 * d, 4 * s.mask, 4 * s.out);
    this.pending = s;
    return s.out;
  }

  /** The embedding table's gradient: every row the batch used, scattered back through the mask. */
  backward(dPooled: number): void {
    const s = this.pending!;
    const { a, enc } = this;
    const d = enc.dim;
    const g = a.grad(this.emb);
    a.heap.fill(0, g, g + enc.vocabSize * d);
    a.k.unpool(4 * dPooled, 4 * s.ids, 4 * s.w, 4 * s.start, s.rows, 4 * d, 4 * s.mask, 4 * g);
  }
}
