// Scalar features of a (goal, premise) pair that token-mean encoders cannot see: a mean forgets how long a formula
// is, and two separately encoded formulas do not say which symbols they share. Length is the strongest single
// signal in Mizar40 M2k (shorter premises are used more; runner/eval/baselines.ts) and shared symbols are what
// kNN and naive-Bayes premise selectors (Kaliszyk and Urban) score on. Computed from the batch's token ids, so
// they cost no tensor ops and run the same on every backend.
import type { Batch } from '../data/premise_pairs.js';

export const PAIR_FEATURES = ['log_goal_len', 'log_premise_len', 'log1p_shared_symbols', 'log1p_premise_only_symbols'] as const;

// Ids seen in the current goal, reused across calls (grown for a larger vocabulary), all zero between rows.
let inGoal = new Uint8Array(0);
let counted = new Uint8Array(0);

/** [size, 4] row-major, each feature roughly centred (the constants are about their means on the data). */
export function pairFeatures(b: Batch): Float32Array {
  const out = new Float32Array(b.size * PAIR_FEATURES.length);
  for (let r = 0; r < b.size; r++) {
    const gl = b.goalLengths[r]!;
    const pl = b.premiseLengths[r]!;
    const g = b.goalIds.subarray(r * b.goalLen, r * b.goalLen + gl);
    const p = b.premiseIds.subarray(r * b.premiseLen, r * b.premiseLen + pl);
    let max = 0;
    for (const t of g) max = Math.max(max, t);
    for (const t of p) max = Math.max(max, t);
    if (inGoal.length <= max) {
      inGoal = new Uint8Array(2 * max + 1);
      counted = new Uint8Array(2 * max + 1);
    }
    for (const t of g) inGoal[t] = 1;
    let shared = 0;
    let only = 0;
    for (const t of p) {
      if (counted[t]) continue;
      counted[t] = 1;
      if (inGoal[t]) shared++; else only++;
    }
    for (const t of g) inGoal[t] = 0;
    for (const t of p) counted[t] = 0;
    out.set([Math.log(gl) - 3.5, Math.log(pl) - 3.5, Math.log1p(shared) - 2, Math.log1p(only) - 1], r * PAIR_FEATURES.length);
  }
  return out;
}
