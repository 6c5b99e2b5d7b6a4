// Validation metrics of premise selection, computed in float64 from the model's logits: loss (binary
// cross-entropy), accuracy, ROC AUC (Mann-Whitney with ties), and per-conjecture ranking of its candidate premises
// (recall@k: the share of a conjecture's true premises ranked in the top k; MAP: mean average precision).
//
// Tied scores never fall back on the order of the data. The shipped splits list each conjecture's positives first,
// so a tie broken "by position" handed a constant model MAP 1.0. Ranking metrics here are the expectation over all
// orderings of each block of tied scores (McSherry & Najork, "Computing information retrieval performance measures
// efficiently in the presence of tied scores", ECIR 2008): a constant model gets exactly what a random ranking gets.
import { listsOf } from '../data/premise_pairs.js';

export interface Scored {
  logits: Float64Array;
  labels: Float64Array;
  conj: string[];
}

export function bce(logit: number, label: number): number {
  return Math.max(logit, 0) - logit * label + Math.log1p(Math.exp(-Math.abs(logit)));
}

/** Blocks of equal scores, best first: each with how many items it holds and how many of them are positive. */
function tiedBlocks(scores: ArrayLike<number>, labels: ArrayLike<number>, members: number[]): Array<{ n: number; pos: number }> {
  const ranked = members.slice().sort((a, b) => scores[b]! - scores[a]!);
  const blocks: Array<{ n: number; pos: number }> = [];
  for (let i = 0; i < ranked.length;) {
    let j = i;
    let pos = 0;
    const s = scores[ranked[i]!]!;
    // NaN scores (a diverged model) tie with each other; with === alone the block would never advance.
    do pos += labels[ranked[j++]!] === 1 ? 1 : 0;
    while (j < ranked.length && (scores[ranked[j]!] === s || (Number.isNaN(s) && Number.isNaN(scores[ranked[j]!]))));
    blocks.push({ n: j - i, pos });
    i = j;
  }
  return blocks;
}

export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const members = Array.from({ length: scores.length }, (_, i) => i);
  // Ascending ranks; a tied block shares its average rank (Mann-Whitney's correction for ties).
  const blocks = tiedBlocks(scores, labels, members).reverse();
  let rankSum = 0;
  let pos = 0;
  let below = 0;
  for (const b of blocks) {
    rankSum += b.pos * (below + (b.n + 1) / 2);
    pos += b.pos;
    below += b.n;
  }
  const neg = below - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/**
 * Average precision of one candidate list, averaged over the orderings of tied scores. For a block of n tied items
 * after `above` items (`hits` of them positive) holding t positives: position q of the block is positive with
 * probability t/n, and then the positives before it in the block number (q-1)(t-1)/(n-1) on average, so the block
 * adds sum_q (t/n) (hits + 1 + (q-1)(t-1)/(n-1)) / (above + q) to the sum of precisions at each positive.
 */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>, members: number[]): number {
  let above = 0;
  let hits = 0;
  let sum = 0;
  for (const { n, pos: t } of tiedBlocks(scores, labels, members)) {
    if (t > 0) {
      const inBlock = n > 1 ? (t - 1) / (n - 1) : 0;
      for (let q = 1; q <= n; q++) sum += (t / n) * (hits + 1 + (q - 1) * inBlock) / (above + q);
    }
    above += n;
    hits += t;
  }
  return hits ? sum / hits : Number.NaN;
}

/** Expected number of positives among the first k, a block cut by the k-th place contributing pro rata. */
export function hitsAtK(scores: ArrayLike<number>, labels: ArrayLike<number>, members: number[], k: number): number {
  let above = 0;
  let hits = 0;
  for (const { n, pos } of tiedBlocks(scores, labels, members)) {
    if (above >= k) break;
    hits += above + n <= k ? pos : (pos * (k - above)) / n;
    above += n;
  }
  return hits;
}

/** Row indices of each conjecture's candidates, in order of first appearance. */
export function byConjecture(conj: ArrayLike<string>): number[][] {
  return [...listsOf(conj).values()];
}

/**
 * MAP and recall@k over the conjectures that have a true premise. `recall@k_ceiling` is the best recall@k any
 * ranking can reach (a conjecture with more than k true premises cannot have them all in its top k).
 */
export function rankingMetrics(s: Scored, ks: number[] = [1, 5], withCeiling = false): Record<string, number> {
  const recall = ks.map(() => 0);
  const ceiling = ks.map(() => 0);
  let ap = 0;
  let counted = 0;
  for (const members of byConjecture(s.conj)) {
    const positives = members.filter((i) => s.labels[i] === 1).length;
    if (positives === 0) continue;
    counted++;
    ap += averagePrecision(s.logits, s.labels, members);
    ks.forEach((k, j) => {
      recall[j]! += hitsAtK(s.logits, s.labels, members, k) / positives;
      ceiling[j]! += Math.min(k, positives) / positives;
    });
  }
  const mean = (x: number) => (counted ? x / counted : Number.NaN);
  const out: Record<string, number> = { map: mean(ap) };
  ks.forEach((k, j) => {
    out[`recall@${k}`] = mean(recall[j]!);
    if (withCeiling) out[`recall@${k}_ceiling`] = mean(ceiling[j]!);
  });
  return out;
}

export function validationMetrics(s: Scored): Record<string, number> {
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < s.logits.length; i++) {
    loss += bce(s.logits[i]!, s.labels[i]!);
    if ((s.logits[i]! > 0 ? 1 : 0) === s.labels[i]) correct++;
  }
  const n = s.logits.length;
  return { val_loss: loss / n, acc: correct / n, auc: auc(s.logits, s.labels), ...rankingMetrics(s) };
}
