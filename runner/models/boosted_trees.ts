// Gradient-boosted trees on the context features of each pair (data/context_features.ts): a first-class model of
// the runner beside the neural ones. A training "step" is one boosting round (one tree on all training pairs), an
// epoch is `rounds_per_epoch` rounds, validation runs after each epoch, and a checkpoint holds the trees as JSON,
// so EarlyStopping, ModelCheckpoint (best by val AUC), `bait test --ckpt best` and exact resume work as for the
// neural models.
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data/premise_pairs.js';
import { shownValue, UserError } from '../run/errors.js';
import { Booster, type BoosterState } from './boosting/booster.js';
import { MAX_BINS_LIMIT } from './boosting/binning.js';
import { conditionalMarginals, expectedCounts, toLogit } from './boosting/list_likelihood.js';
import { byConjecture } from '../train/metrics.js';
import { flag, fraction, nonNegative, posInt, positive } from './checks.js';
import type { ContextOptions } from '../data/context_features.js';

export interface BoostedTreesOptions {
  learning_rate?: number;
  num_leaves?: number;
  max_depth?: number;
  min_child_samples?: number;
  min_child_weight?: number;
  l2?: number;
  min_split_gain?: number;
  row_fraction?: number;
  feature_fraction?: number;
  max_bins?: number;
  rounds_per_epoch?: number;
  /** Also read the symbol- and sub-term-level label statistics (data/label_statistics.ts); default true. */
  label_statistics?: boolean;
  /** What a training pair's label-derived features leave out: `article` (default) or `conjecture` (context_features.ts). */
  leave_out?: string;
  /**
   * `offline` (default): no pair reads a held-out label. `chronological`: every pair also reads the labels of its
   * own article's earlier conjectures in library order (data/article_history.ts), as MizAR40 and MaLARea evaluate.
   */
  label_history?: string;
  /**
   * `binary` (default): each pair's logistic loss. `list`: the likelihood of which of a conjecture's candidates are
   * used given how many are (boosting/list_likelihood.ts).
   */
  objective?: string;
  /**
   * Score each held-out pair by the probability that it is used given that its conjecture's list has the training
   * share of used candidates (half, in Mizar40 M2k), instead of by the trees' logit alone; default false.
   */
  list_scores?: boolean;
  /** Also read the co-listing columns (data/co_listing.ts: label-free, earlier conjectures' candidate lists); default false. */
  co_listing?: boolean;
  /** Also read when the pair's symbols entered the library (data/symbol_chronology.ts); default false. */
  symbol_chronology?: boolean;
  /** Also read the premise's co-use with the list's other candidates (data/co_use.ts); default false. */
  co_use?: boolean;
  /** Also read whether the premise shared earlier candidate lists with the list's others (data/co_candidacy.ts); default false. */
  co_candidacy?: boolean;
}

/** The training split as one matrix: what a boosted model is fitted on. */
export interface TrainingMatrix {
  x: Float32Array;
  y: Float32Array;
  n: number;
  d: number;
  /** The conjecture of each row: its candidate list. */
  conj: string[];
}

/** A model the trainer fits round by round on the whole training split instead of by gradient steps on batches. */
export interface BoostedModel {
  readonly roundsPerEpoch: number;
  startBoosting(train: TrainingMatrix, seed: number): void;
  /** Adds one tree; returns the training log-loss after it. */
  boostRound(): number;
  readonly rounds: number;
  boostingState(): BoosterState;
  loadBoostingState(state: unknown): void;
}

export function isBoosted(m: unknown): m is BoostedModel {
  return typeof (m as BoostedModel | undefined)?.boostRound === 'function';
}

export class GradientBoostedTrees implements BoostedModel {
  readonly usesContextFeatures = true;
  readonly contextOptions: ContextOptions;
  readonly roundsPerEpoch: number;
  readonly listScores: boolean;
  private booster: Booster;
  private readonly opts: Omit<ConstructorParameters<typeof Booster>[0], 'seed'>;

  constructor(o: BoostedTreesOptions = {}) {
    const maxBins = posInt(o.max_bins ?? 255, 'max_bins');
    if (maxBins < 2 || maxBins > MAX_BINS_LIMIT) throw new UserError(`max_bins must be in [2, ${MAX_BINS_LIMIT}], got ${maxBins}`, 'max_bins');
    const numLeaves = posInt(o.num_leaves ?? 15, 'num_leaves');
    if (numLeaves < 2) throw new UserError('num_leaves must be at least 2 (a tree with one leaf learns nothing)', 'num_leaves');
    this.opts = {
      learningRate: positive(o.learning_rate ?? 0.05, 'learning_rate'),
      numLeaves,
      maxDepth: posInt(o.max_depth ?? 64, 'max_depth'),
      minChildSamples: posInt(o.min_child_samples ?? 20, 'min_child_samples'),
      minChildWeight: nonNegative(o.min_child_weight ?? 1e-3, 'min_child_weight'),
      l2: nonNegative(o.l2 ?? 1, 'l2'),
      minSplitGain: nonNegative(o.min_split_gain ?? 0, 'min_split_gain'),
      rowFraction: fraction(o.row_fraction ?? 1, 'row_fraction'),
      featureFraction: fraction(o.feature_fraction ?? 1, 'feature_fraction'),
      maxBins,
      objective: objectiveOf(o.objective ?? 'binary'),
    };
    this.listScores = flag(o.list_scores ?? false, 'list_scores');
    this.roundsPerEpoch = posInt(o.rounds_per_epoch ?? 25, 'rounds_per_epoch');
    const leaveOut = o.leave_out ?? 'article';
    if (leaveOut !== 'article' && leaveOut !== 'conjecture') {
      throw new UserError(`leave_out must be article or conjecture, got ${shownValue(leaveOut)}`, 'leave_out');
    }
    const labelHistory = o.label_history ?? 'offline';
    if (labelHistory !== 'offline' && labelHistory !== 'chronological') {
      throw new UserError(`label_history must be offline or chronological, got ${shownValue(labelHistory)}`, 'label_history');
    }
    // Candidate lists hold their conjecture's proof premises, so columns that read earlier held-out lists read (a
    // blurred view of) held-out proofs: only the protocol that may read those proofs may turn them on. co_candidacy
    // gains nothing from the training lists alone on val; its gain, like co_listing's, is the held-out lists'.
    const coListing = chronologicalOnly(flag(o.co_listing ?? false, 'co_listing'), 'co_listing', labelHistory);
    const coCandidacy = chronologicalOnly(flag(o.co_candidacy ?? false, 'co_candidacy'), 'co_candidacy', labelHistory);
    this.contextOptions = {
      labelStatistics: flag(o.label_statistics ?? true, 'label_statistics'),
      leaveOut,
      labelHistory,
      coListing,
      symbolChronology: flag(o.symbol_chronology ?? false, 'symbol_chronology'),
      coUse: flag(o.co_use ?? false, 'co_use'),
      coCandidacy,
    };
    this.booster = new Booster({ ...this.opts, seed: 0 });
  }

  /** The shrinkage, reported as the learning rate (LearningRateMonitor). */
  get lr(): number {
    return this.opts.learningRate;
  }

  get rounds(): number {
    return this.booster.trees.length;
  }

  startBoosting(train: TrainingMatrix, seed: number): void {
    this.booster = new Booster({ ...this.opts, seed });
    try {
      this.booster.setTrainingData(train.x, train.y, train.n, train.d, byConjecture(train.conj));
    } catch (e) {
      throw new UserError(`gradient boosting cannot start: ${(e as Error).message}`);
    }
  }

  boostRound(): number {
    return this.booster.boostRound();
  }

  boostingState(): BoosterState {
    return this.booster.state();
  }

  loadBoostingState(state: unknown): void {
    try {
      if (this.booster.width > 0) this.booster.load(state as BoosterState);
      else this.booster.loadForScoring(state as BoosterState);
    } catch (e) {
      throw new UserError(`the checkpoint's trees do not fit this model: ${(e as Error).message}; resume or test with the config the run was trained with`);
    }
  }

  /** No tensors to train: the trees are the state (boostingState). */
  namedParameters(): Array<[string, tf.Variable]> {
    return [];
  }

  private features(b: Batch): Float32Array {
    if (!b.context || !b.contextWidth) {
      throw new UserError('bait.models.GradientBoostedTrees reads the context features, but the batch has none; use ' +
        'bait.data.PremiseDataModule as the data module', 'model._target_');
    }
    const width = this.booster.width;
    if (width > 0 && b.contextWidth !== width) {
      throw new UserError(`the trees read ${width} features but the batch has ${b.contextWidth}; test with the code and config the run was trained with`);
    }
    return b.context;
  }

  logits(b: Batch): tf.Tensor1D {
    const x = this.features(b);
    return tf.tensor1d(Float32Array.from(this.booster.predict(x, b.size)));
  }

  /**
   * The held-out scores of whole lists (after every batch is scored): with list_scores, each pair's logit becomes the
   * log-odds of its being used given that its list has round(length x the training share) used candidates.
   */
  scoreLists(logits: Float64Array, conj: string[]): Float64Array {
    if (!this.listScores) return logits;
    const lists = byConjecture(conj);
    return conditionalMarginals(logits, lists, expectedCounts(lists, this.booster.positiveShare)).map(toLogit);
  }

  loss(b: Batch): tf.Scalar {
    const z = this.booster.predict(this.features(b), b.size);
    let total = 0;
    for (let i = 0; i < b.size; i++) total += Math.max(z[i]!, 0) - z[i]! * b.labels[i]! + Math.log1p(Math.exp(-Math.abs(z[i]!)));
    return tf.scalar(total / b.size);
  }
}

function chronologicalOnly(on: boolean, key: string, labelHistory: string): boolean {
  if (on && labelHistory !== 'chronological') {
    throw new UserError(`${key} reads the candidate lists of earlier held-out conjectures, which hold their proofs' ` +
      `premises, so it belongs to the chronological protocol: set model.label_history: chronological (on the ` +
      `command line ++model.label_history=chronological), use premise_selection/mizar40/boosted_trees_chronological, ` +
      `or drop ${key}`, key);
  }
  return on;
}

function objectiveOf(v: unknown): 'binary' | 'list' {
  if (v !== 'binary' && v !== 'list') throw new UserError(`objective must be binary or list, got ${shownValue(v)}`, 'objective');
  return v;
}
