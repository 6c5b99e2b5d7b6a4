// Gradient boosting of trees (tree.ts) on the logistic loss, one tree per round, with seeded row and feature
// subsampling. A round's draws are a pure function of (seed, round), and the training scores are the initial score
// plus each tree's output added in order, so a booster rebuilt from its trees (a checkpoint) continues exactly as
// the uninterrupted one would.
import { rngFor, permutation } from '../../train/rng.js';
import { type BinEdges, binColumns, binEdges } from './binning.js';
import { type Tree, type TreeParams, growTree, predictBinned, predictRow } from './tree.js';
import { listObjective, usedCounts } from './list_likelihood.js';

export interface BoostingParams extends TreeParams {
  /** Share of the training rows each tree is grown on (sampled without replacement per round). */
  rowFraction: number;
  /** Share of the features each tree may split on. */
  featureFraction: number;
  maxBins: number;
  seed: number;
  /**
   * `binary`: the logistic loss of each pair alone. `list`: the likelihood of which candidates of each list are
   * used given how many are (list_likelihood.ts); needs the rows' lists.
   */
  objective?: 'binary' | 'list';
}

/** The whole learned state: what a checkpoint stores, as JSON. */
export interface BoosterState {
  format: 'bait-gbdt-1';
  width: number;
  initScore: number;
  trees: Tree[];
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

export class Booster {
  trees: Tree[] = [];
  initScore = 0;
  private x!: ArrayLike<number>;
  private y!: ArrayLike<number>;
  private n = 0;
  private d = 0;
  private edges!: BinEdges;
  private bins!: Uint8Array;
  /** Current raw scores (logits) of the training rows. */
  private score!: Float64Array;
  private lists: number[][] = [];
  private counts: Int32Array = new Int32Array(0);

  constructor(readonly params: BoostingParams) {}

  get width(): number {
    return this.d;
  }

  /**
   * Takes the training rows (row-major `x` [n, d], labels 0/1; `lists`: row indices of each candidate list, for
   * the list objective) and starts from the log-odds of their mean label. Under the list objective that start
   * changes no list's likelihood, and it keeps the training share of used pairs in the state (positiveShare).
   */
  setTrainingData(x: ArrayLike<number>, y: ArrayLike<number>, n: number, d: number, lists?: number[][]): void {
    if (n === 0) throw new Error('gradient boosting needs at least one training row');
    if (this.params.objective === 'list') {
      if (!lists) throw new Error('the list objective needs the candidate list of every training row');
      this.lists = lists;
      this.counts = usedCounts(lists, y);
    }
    for (let i = 0; i < n * d; i++) {
      if (!Number.isFinite(x[i]!)) throw new Error(`training feature ${i % d} of row ${Math.floor(i / d)} is not finite (${x[i]})`);
    }
    Object.assign(this, { x, y, n, d });
    this.edges = binEdges(x, n, d, this.params.maxBins);
    this.bins = binColumns(x, n, d, this.edges);
    let pos = 0;
    for (let i = 0; i < n; i++) pos += y[i]!;
    const mean = Math.min(1 - 1e-6, Math.max(1e-6, pos / n));
    this.initScore = Math.log(mean / (1 - mean));
    this.trees = [];
    this.score = new Float64Array(n).fill(this.initScore);
  }

  /** Grows tree number `this.trees.length` and returns the mean training log-loss after adding it. */
  boostRound(): number {
    const { n, d, params: p } = this;
    const round = this.trees.length;
    const grad = new Float64Array(n);
    const hess = new Float64Array(n);
    if (p.objective === 'list') {
      listObjective(this.score, this.y, this.lists, this.counts, grad, hess);
    } else {
      for (let i = 0; i < n; i++) {
        const q = sigmoid(this.score[i]!);
        grad[i] = q - this.y[i]!;
        hess[i] = Math.max(q * (1 - q), 1e-16);
      }
    }
    const tree = growTree({
      bins: this.bins, n, d, edges: this.edges, grad, hess,
      rows: sample(n, p.rowFraction, p.seed, 'gbdt-rows', round),
      features: sample(d, p.featureFraction, p.seed, 'gbdt-features', round),
    }, p);
    this.trees.push(tree);
    for (let i = 0; i < n; i++) this.score[i]! += predictBinned(tree, this.bins, n, i);
    if (p.objective === 'list') return listObjective(this.score, this.y, this.lists, this.counts);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const s = this.score[i]!;
      // log(1 + e^-|s|) + max(s, 0) - y s: the logistic loss without overflow.
      loss += Math.log1p(Math.exp(-Math.abs(s))) + Math.max(s, 0) - this.y[i]! * s;
    }
    return loss / n;
  }

  /** The training split's share of used pairs: the log-odds every ensemble starts from, read back. */
  get positiveShare(): number {
    return sigmoid(this.initScore);
  }

  /** Logits of row-major `x` [rows, width]. */
  predict(x: ArrayLike<number>, rows: number): Float64Array {
    const out = new Float64Array(rows).fill(this.initScore);
    for (const t of this.trees) for (let i = 0; i < rows; i++) out[i]! += predictRow(t, x, i, this.d);
    return out;
  }

  state(): BoosterState {
    return { format: 'bait-gbdt-1', width: this.d, initScore: this.initScore, trees: this.trees };
  }

  /**
   * Continues from `s` (trained on the same training data): the training scores are replayed tree by tree in the
   * order they were added, so they equal the uninterrupted run's to the bit.
   */
  load(s: BoosterState): void {
    checkState(s, this.d);
    this.initScore = s.initScore;
    this.trees = s.trees;
    if (this.score) {
      this.score.fill(this.initScore);
      for (const t of this.trees) for (let i = 0; i < this.n; i++) this.score[i]! += predictBinned(t, this.bins, this.n, i);
    }
  }

  /** For scoring only (no training data): the width the trees read. */
  loadForScoring(s: BoosterState): void {
    checkState(s, s.width);
    this.d = s.width;
    this.initScore = s.initScore;
    this.trees = s.trees;
  }
}

/** `ceil(fraction * n)` distinct indices in ascending order, drawn from (seed, purpose, round); all when fraction is 1. */
function sample(n: number, fraction: number, seed: number, purpose: string, round: number): Int32Array {
  if (fraction >= 1) return Int32Array.from({ length: n }, (_, i) => i);
  const k = Math.max(1, Math.ceil(fraction * n));
  return permutation(n, rngFor(seed, purpose, round)).slice(0, k).sort();
}

function checkState(s: BoosterState, width: number): void {
  const ok = s && s.format === 'bait-gbdt-1' && Number.isFinite(s.initScore) && Array.isArray(s.trees) &&
    s.trees.every((t) => t && Array.isArray(t.left) && [t.feature, t.bin, t.threshold, t.right, t.value].every((a) => Array.isArray(a) && a.length === t.left.length) &&
      t.feature.every((f, i) => t.left[i]! < 0 || (Number.isInteger(f) && f >= 0 && f < width)));
  if (!ok) throw new Error(`not a saved tree ensemble of width ${width}`);
}
