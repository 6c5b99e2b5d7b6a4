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

export interface BinaryClassifierOptions {
  /** The embedding size of each side; the classifier reads the two embeddings concatenated. */
  input_shape?: number;
  /** Width of the hidden layer (default: input_shape). */
  hidden?: number;
}

/** Two-layer MLP on [goal; premise] -> one logit. */
export class BinaryClassifier extends Module {
  readonly inputShape: number;
  readonly fc1: Linear;
  readonly fc2: Linear;

  constructor(opts: BinaryClassifierOptions = {}) {
    super();
    this.inputShape = posInt(opts.input_shape, 'input_shape');
    const hidden = posInt(opts.hidden ?? this.inputShape, 'hidden');
    this.fc1 = this.child('fc1', new Linear(2 * this.inputShape, hidden));
    this.fc2 = this.child('fc2', new Linear(hidden, 1));
  }

  apply(pair: tf.Tensor2D): tf.Tensor1D {
    return tf.reshape(this.fc2.apply(tf.relu(this.fc1.apply(pair))), [-1]);
  }
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
    return this.classifier.apply(tf.concat([g, p], 1));
  }

  loss(b: Batch, ctx: ForwardContext): tf.Scalar {
    return bceWithLogits(this.logits(b, ctx), b.labels);
  }
}
