// Scores that know the candidate list. A premise is chosen among one conjecture's candidates, and in Mizar40 M2k
// every list is exactly half used (a proof's premises plus as many kNN negatives), so how many of a list are used is
// known before any score is read. Treating the pairs as independent coins with logits z, the probability that
// candidate i is used *given* that exactly k of its list are is
//   P(y_i = 1 | sum of the list = k) = p_i * P(the others sum to k - 1) / P(the list sums to k),
// (a conditional Bernoulli, or conditional Poisson, distribution). Read as a score it is the list-aware version of
// centring a score on its list's mean: a candidate that beats weak rivals counts more than one among strong rivals,
// and the scores of different lists become comparable. As a training objective, the log-likelihood of which
// candidates are used given how many are has the gradient m_i - y_i (m: these probabilities) and the diagonal
// Hessian m_i (1 - m_i), the variance of y_i under that distribution.
//
// The count distributions are built over probabilities (each step a convex mix, so never overflowing), after
// shifting the list's logits to mean zero, which leaves the conditional distribution unchanged.

/** Logits are clipped here before the shift, so that a diverging score cannot make a count impossible. */
const Z_LIMIT = 30;
const EPS = 1e-12;

/** The success probabilities of one list, its logits shifted to mean zero and clipped. */
function centredProbabilities(z: ArrayLike<number>, rows: number[]): Float64Array {
  let mean = 0;
  for (const i of rows) mean += Math.max(-Z_LIMIT, Math.min(Z_LIMIT, z[i]!));
  mean /= rows.length;
  return Float64Array.from(rows, (i) => 1 / (1 + Math.exp(mean - Math.max(-Z_LIMIT, Math.min(Z_LIMIT, z[i]!)))));
}

/**
 * prefix[j][a] = P(a of the first j candidates succeed), a <= k; suffix[j][a] = the same for candidates j..n-1.
 * Flat arrays of (n + 1) * (k + 1).
 */
function countDistributions(p: Float64Array, k: number): { prefix: Float64Array; suffix: Float64Array } {
  const n = p.length;
  const w = k + 1;
  const prefix = new Float64Array((n + 1) * w);
  const suffix = new Float64Array((n + 1) * w);
  prefix[0] = 1;
  suffix[n * w] = 1;
  for (let j = 0; j < n; j++) {
    const from = j * w, to = (j + 1) * w, q = p[j]!;
    for (let a = 0; a <= k; a++) prefix[to + a] = prefix[from + a]! * (1 - q) + (a > 0 ? prefix[from + a - 1]! * q : 0);
  }
  for (let j = n - 1; j >= 0; j--) {
    const from = (j + 1) * w, to = j * w, q = p[j]!;
    for (let a = 0; a <= k; a++) suffix[to + a] = suffix[from + a]! * (1 - q) + (a > 0 ? suffix[from + a - 1]! * q : 0);
  }
  return { prefix, suffix };
}

/**
 * For one list (`rows` of `z`), writes P(y_i = 1 | exactly k of the list are 1) into `out` at each row, and
 * returns log P(exactly k) under the independent coins (for the likelihood).
 */
function listMarginals(z: ArrayLike<number>, rows: number[], k: number, out: Float64Array): number {
  const n = rows.length;
  if (k <= 0 || k >= n) {
    for (const i of rows) out[i] = k <= 0 ? 0 : 1;
    return 0;
  }
  const p = centredProbabilities(z, rows);
  const { prefix, suffix } = countDistributions(p, k);
  const w = k + 1;
  const all = prefix[n * w + k]!;
  for (let j = 0; j < n; j++) {
    // P(the others sum to k - 1): a from the candidates before j, the rest from those after it.
    let others = 0;
    for (let a = 0; a <= k - 1; a++) others += prefix[j * w + a]! * suffix[(j + 1) * w + (k - 1 - a)]!;
    out[rows[j]!] = all > 0 ? Math.min(1, (p[j]! * others) / all) : 0.5;
  }
  return Math.log(Math.max(all, Number.MIN_VALUE));
}

/**
 * The used-given-count probability of every row: `lists` are row indices, `counts[g]` how many of list g are
 * used. Rows in no list keep 0.5.
 */
export function conditionalMarginals(z: ArrayLike<number>, lists: number[][], counts: ArrayLike<number>): Float64Array {
  const out = new Float64Array(z.length).fill(0.5);
  lists.forEach((rows, g) => listMarginals(z, rows, counts[g]!, out));
  return out;
}

/** How many of each list are used: its labels' sum (training), or its length times the expected share (scoring). */
export function usedCounts(lists: number[][], labels: ArrayLike<number>): Int32Array {
  return Int32Array.from(lists, (rows) => rows.reduce((a, i) => a + (labels[i]! > 0.5 ? 1 : 0), 0));
}

export function expectedCounts(lists: number[][], share: number): Int32Array {
  return Int32Array.from(lists, (rows) => Math.round(rows.length * share));
}

/**
 * The negative log-likelihood of the labels given each list's count, per row; with `grad` and `hess`, also its
 * derivatives there: gradient m_i - y_i and Hessian m_i (1 - m_i).
 */
export function listObjective(z: ArrayLike<number>, y: ArrayLike<number>, lists: number[][], counts: ArrayLike<number>,
  grad?: Float64Array, hess?: Float64Array): number {
  const m = new Float64Array(z.length);
  let nll = 0;
  let rowsSeen = 0;
  lists.forEach((rows, g) => {
    const logAll = listMarginals(z, rows, counts[g]!, m);
    if (counts[g]! > 0 && counts[g]! < rows.length) {
      // -log P(labels | count) = -log P(labels) + log P(count), both under the coins of the centred logits.
      const p = centredProbabilities(z, rows);
      rows.forEach((i, j) => (nll -= Math.log(Math.max(y[i]! > 0.5 ? p[j]! : 1 - p[j]!, EPS))));
      nll += logAll;
    }
    rowsSeen += rows.length;
  });
  for (let i = 0; grad && hess && i < z.length; i++) {
    grad[i] = m[i]! - y[i]!;
    hess[i] = Math.max(m[i]! * (1 - m[i]!), 1e-16);
  }
  return nll / Math.max(1, rowsSeen);
}

/** log(m / (1 - m)), bounded: a probability read back as a logit for the metrics. */
export function toLogit(m: number): number {
  const q = Math.min(1 - EPS, Math.max(EPS, m));
  return Math.log(q / (1 - q));
}
