// The premise-selection experiment (the analogue of BAIT's `PremiseSelection`): a goal embedding module and a
// premise embedding module map both formulas to vectors; a classifier scores the concatenated pair. Trained with
// binary cross-entropy on the logit; evaluated with loss, accuracy, AUC and per-conjecture ranking.
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data/premise_pairs.js';
import { UserError } from '../run/errors.js';
import { type Encoder, isEncoder } from './encoder.js';
import { type ForwardContext, Linear, Module } from './module.js';
import { positive, posInt } from './checks.js';
import { bceWithLogits } from './losses.js';
import { PAIR_FEATURES, pairFeatures } from './pair_features.js';
import { CONTEXT_WIDTH } from '../data/context_features.js';

export interface BinaryClassifierOptions {
  /** The embedding size of each side; the classifier reads the two embeddings concatenated. */
  input_shape?: number;
  /** Width of the hidden layer (default: input_shape). */
  hidden?: number;
  /** Also read the element-wise product and absolute difference of the two embeddings (goal-premise interaction). */
  interaction?: boolean;
  /** Also read the pair's lengths and shared-symbol counts (models/pair_features.ts). */
  pair_features?: boolean;
  /**
   * Also read the pair's features against the training data and the conjecture's other candidates (IDF-weighted
   * overlap, usage history, kNN vote, listwise ranks: data/context_features.ts), through the MLP and through a
   * linear path straight to the logit.
   */
  context_features?: boolean;
}

/**
 * Two-layer MLP -> one logit, on [goal; premise], optionally with [goal * premise; |goal - premise|] (the matching
 * features of sentence-pair models, which let a siamese encoder compare the two sides directly) and pair features.
 */
export class BinaryClassifier extends Module {
  readonly inputShape: number;
  readonly interaction: boolean;
  readonly pairFeatures: boolean;
  readonly contextFeatures: boolean;
  readonly fc1: Linear;
  readonly fc2: Linear;
  readonly wide: Linear | undefined;

  constructor(opts: BinaryClassifierOptions = {}) {
    super();
    this.inputShape = posInt(opts.input_shape, 'input_shape');
    const hidden = posInt(opts.hidden ?? this.inputShape, 'hidden');
    this.interaction = flag(opts.interaction, 'interaction');
    this.pairFeatures = flag(opts.pair_features, 'pair_features');
    this.contextFeatures = flag(opts.context_features, 'context_features');
    const width = (this.interaction ? 4 : 2) * this.inputShape + (this.pairFeatures ? PAIR_FEATURES.length : 0) +
      (this.contextFeatures ? CONTEXT_WIDTH : 0);
    this.fc1 = this.child('fc1', new Linear(width, hidden));
    this.fc2 = this.child('fc2', new Linear(hidden, 1));
    // A wide path (Cheng et al., wide & deep): the logistic regression on the context features is already a strong
    // ranker, and the MLP then only has to learn what it misses.
    this.wide = this.contextFeatures ? this.child('wide', new Linear(CONTEXT_WIDTH, 1)) : undefined;
  }

  apply(goal: tf.Tensor2D, premise: tf.Tensor2D, b: Batch): tf.Tensor1D {
    const parts: tf.Tensor2D[] = [goal, premise];
    if (this.interaction) parts.push(tf.mul(goal, premise) as tf.Tensor2D, tf.abs(tf.sub(goal, premise)) as tf.Tensor2D);
    if (this.pairFeatures) parts.push(tf.tensor2d(pairFeatures(b), [b.size, PAIR_FEATURES.length]));
    let context: tf.Tensor2D | undefined;
    if (this.contextFeatures) {
      if (!b.context || b.contextWidth !== CONTEXT_WIDTH) {
        throw new UserError('classifier.context_features is set but the batch has no context features; the data ' +
          'module must provide them (bait.data.PremiseDataModule does)', 'classifier.context_features');
      }
      parts.push((context = tf.tensor2d(b.context, [b.size, CONTEXT_WIDTH])));
    }
    const deep = this.fc2.apply(tf.relu(this.fc1.apply(tf.concat(parts, 1))));
    return tf.reshape(this.wide && context ? tf.add(deep, this.wide.apply(context)) : deep, [-1]);
  }
}

function flag(v: unknown, name: string): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new UserError(`${name} must be true or false, got ${JSON.stringify(v)}`, name);
  return v;
}

export interface PremiseSelectionOptions {
  goal_embedding_module?: unknown;
  premise_embedding_module?: unknown;
  classifier?: unknown;
  lr?: number;
  /** BAIT passes the batch size to the model too; the data module's batch_size is the one used. */
  batch_size?: number;
}

export class PremiseSelection extends Module {
  readonly goal: Encoder;
  readonly premise: Encoder;
  readonly classifier: BinaryClassifier;
  readonly lr: number;

  get usesContextFeatures(): boolean {
    return this.classifier.contextFeatures;
  }

  constructor(opts: PremiseSelectionOptions) {
    super();
    for (const k of ['goal_embedding_module', 'premise_embedding_module'] as const) {
      if (!isEncoder(opts[k])) {
        throw new UserError(`${k} must be an embedding module with a _target_ (for example ` +
          `bait.models.MeanPoolEncoder or bait.models.TransformerEncoder)`, k);
      }
    }
    if (!(opts.classifier instanceof BinaryClassifier)) {
      throw new UserError('classifier must be a bait.models.BinaryClassifier (_target_)', 'classifier');
    }
    this.goal = this.child('goal_embedding_module', opts.goal_embedding_module as Encoder);
    this.premise = this.child('premise_embedding_module', opts.premise_embedding_module as Encoder);
    this.classifier = this.child('classifier', opts.classifier);
    this.lr = positive(opts.lr ?? 1e-4, 'lr');
    if (opts.batch_size !== undefined) posInt(opts.batch_size, 'batch_size');
    for (const [k, e] of [['goal_embedding_module', this.goal], ['premise_embedding_module', this.premise]] as const) {
      if (e.dim !== this.classifier.inputShape) {
        throw new UserError(`classifier.input_shape (${this.classifier.inputShape}) must equal the embedding size of ` +
          `${k} (${e.dim})`, 'classifier.input_shape');
      }
    }
  }

  /** Checks that the encoders accept every token id of the data (ids are < vocabSize). */
  checkVocabulary(vocabSize: number): void {
    for (const [k, e] of [['goal_embedding_module', this.goal], ['premise_embedding_module', this.premise]] as const) {
      if (e.vocabSize < vocabSize) {
        throw new UserError(`the vocabulary of the data has ${vocabSize} tokens but ${k} accepts ${e.vocabSize}; ` +
          `set its ntoken to at least ${vocabSize} (e.g. \${data_config.vocab_size})`, `model.${k}.ntoken`);
      }
    }
  }

  logits(b: Batch, ctx: ForwardContext): tf.Tensor1D {
    const g = this.goal.encode(b.goalIds, b.goalLengths, b.size, b.goalLen, ctx);
    const p = this.premise.encode(b.premiseIds, b.premiseLengths, b.size, b.premiseLen, ctx);
    return this.classifier.apply(g, p, b);
  }

  loss(b: Batch, ctx: ForwardContext): tf.Scalar {
    return bceWithLogits(this.logits(b, ctx), b.labels);
  }
}

