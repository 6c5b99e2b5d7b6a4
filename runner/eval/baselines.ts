// Reference scorers for premise selection, computed on the same splits as the models: what a learned model must
// beat before its numbers mean anything.
//   constant        scores every pair the same (AUC 0.5; ranking metrics are those of a random order)
//   premise_length  logistic regression on log(premise length): "shorter premises are used more"
//   hand_features   logistic regression on log goal/premise lengths and goal-premise symbol overlap
//   hand_features_chronological
//                   hand_features plus the label history of the pair's own article's earlier conjectures
//                   (data/article_history.ts): the baseline that reads what the chronological protocol lets a
//                   model read, so a chronological model is compared with a baseline that knows as much
// Symbols are compared as written (OpenVocabulary), lengths are of the whole formula. The regressions are fitted
// on train only (Newton's method, float64, a small L2 penalty) and scored on val/test.
import type { PairSet } from '../data/premise_pairs.js';
import { ArticleHistory } from '../data/article_history.js';
import { TrainingContext } from '../data/context_features.js';
import type { Scored } from '../train/metrics.js';

export type Featurizer = (goal: Int32Array, premise: Int32Array) => number[];

const distinct = (ids: Int32Array) => new Set(ids);

export const FEATURES: Record<string, { names: string[]; of: Featurizer }> = {
  premise_length: { names: ['log_premise_len'], of: (_g, p) => [Math.log(p.length)] },
  // Chosen on val among a few sets of length and overlap features (val AUC 0.684 with the four of the issue,
  // 0.691 with these six).
  hand_features: {
    names: ['log_goal_len', 'log_premise_len', 'log_goal_symbols', 'log_premise_symbols', 'log1p_shared_symbols',
      'log1p_premise_symbols_not_in_goal'],
    of: (g, p) => {
      const gs = distinct(g);
      const ps = distinct(p);
      let shared = 0;
      for (const t of ps) if (gs.has(t)) shared++;
      return [Math.log(g.length), Math.log(p.length), Math.log(gs.size), Math.log(ps.size), Math.log1p(shared), Math.log1p(ps.size - shared)];
    },
  },
};

/**
 * A vocabulary that gives every new symbol its own id, so the baselines see symbols the models' vocabulary
 * (train only) maps to <unk>.
 */
export class OpenVocabulary extends Map<string, number> {
  override get(token: string): number {
    let id = super.get(token);
    if (id === undefined) super.set(token, (id = this.size + 2));
    return id;
  }
}

export interface LogisticModel { weights: Float64Array; mean: Float64Array; std: Float64Array }

function design(set: PairSet, of: Featurizer): Float64Array[] {
  return set.goals.map((g, i) => Float64Array.from(of(g, set.premises[i]!)));
}

/** Fits p(label) = sigmoid(w0 + w . standardized(x)) by Newton's method with an L2 penalty `l2` (not on w0). */
export function fitLogistic(x: Float64Array[], y: ArrayLike<number>, l2 = 1e-4, iterations = 50): LogisticModel {
  const d = x[0]!.length;
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (const row of x) row.forEach((v, j) => (mean[j]! += v / x.length));
  for (const row of x) row.forEach((v, j) => (std[j]! += (v - mean[j]!) ** 2 / x.length));
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]!) || 1;
  const z = x.map((row) => Float64Array.from([1, ...row.map((v, j) => (v - mean[j]!) / std[j]!)]));
  const w = new Float64Array(d + 1);
  for (let it = 0; it < iterations; it++) {
    const grad = new Float64Array(d + 1);
    const hess = Array.from({ length: d + 1 }, () => new Float64Array(d + 1));
    for (let i = 0; i < z.length; i++) {
      const row = z[i]!;
      let s = 0;
      for (let j = 0; j <= d; j++) s += w[j]! * row[j]!;
      const p = 1 / (1 + Math.exp(-s));
      const r = p - y[i]!;
      const c = p * (1 - p);
      for (let j = 0; j <= d; j++) {
        grad[j]! += r * row[j]!;
        for (let k = 0; k <= d; k++) hess[j]![k]! += c * row[j]! * row[k]!;
      }
    }
    for (let j = 1; j <= d; j++) {
      grad[j]! += l2 * z.length * w[j]!;
      hess[j]![j]! += l2 * z.length;
    }
    const step = solve(hess, grad);
    let change = 0;
    for (let j = 0; j <= d; j++) {
      w[j]! -= step[j]!;
      change = Math.max(change, Math.abs(step[j]!));
    }
    if (change < 1e-10) break;
  }
  return { weights: w, mean, std };
}

/** Gaussian elimination with partial pivoting (the systems here are at most 15x15 and positive definite). */
function solve(a: Float64Array[], b: Float64Array): Float64Array {
  const n = b.length;
  const m = a.map((row, i) => Float64Array.from([...row, b[i]!]));
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const out = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= m[r]![k]! * out[k]!;
    out[r] = s / m[r]![r]!;
  }
  return out;
}

export function logisticLogits(model: LogisticModel, x: Float64Array[]): Float64Array {
  const { weights: w, mean, std } = model;
  return Float64Array.from(x, (row) => row.reduce((s, v, j) => s + w[j + 1]! * ((v - mean[j]!) / std[j]!), w[0]!));
}

function scored(set: PairSet, logits: Float64Array): Scored {
  return { logits, labels: Float64Array.from(set.labels), conj: set.conj };
}

/** Every baseline's logits on each evaluation split, fitted on `train`. */
export function baselineScores(train: PairSet, splits: Record<string, PairSet>): Record<string, Record<string, Scored>> {
  const out: Record<string, Record<string, Scored>> = { constant: {} };
  for (const [split, set] of Object.entries(splits)) out.constant![split] = scored(set, new Float64Array(set.labels.length));
  for (const [name, f] of Object.entries(FEATURES)) {
    const model = fitLogistic(design(train, f.of), train.labels);
    out[name] = {};
    for (const [split, set] of Object.entries(splits)) out[name]![split] = scored(set, logisticLogits(model, design(set, f.of)));
  }
  return out;
}

/**
 * hand_features_chronological on each evaluation split: the hand features and the 8 label-history columns of
 * data/article_history.ts, fitted on train (whose pairs read their own article's earlier train conjectures) and
 * scored on `later`, the splits after train in library order (val, then test), each reading its article's
 * earlier conjectures in any split. Goals are compared as the boosted trees' history compares them.
 */
export function chronologicalBaselineScores(train: PairSet, later: Record<string, PairSet>): Record<string, Scored> {
  const context = new TrainingContext(train);
  const history = new ArticleHistory((a, b) => context.goalsAlike(a, b));
  for (const set of [train, ...Object.values(later)]) history.add(set);
  const hand = FEATURES.hand_features!.of;
  const design = (set: PairSet): Float64Array[] => set.goals.map((g, i) =>
    Float64Array.from([...hand(g, set.premises[i]!), ...history.features(set.conj[i]!, set.premiseTexts![i]!)]));
  const model = fitLogistic(design(train), train.labels);
  return Object.fromEntries(Object.entries(later).map(([split, set]) => [split, scored(set, logisticLogits(model, design(set)))]));
}
