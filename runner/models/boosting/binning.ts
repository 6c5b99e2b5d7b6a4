// Histogram binning for gradient-boosted trees: each feature's values are cut at (at most maxBins - 1) quantile
// edges of the training data, once, and the trees split on bin numbers. A value goes to the first bin whose upper
// edge is >= it, so "bin <= k" and "value <= edges[k]" are the same test: trees grown on bins predict raw values.

/** Per feature, ascending upper edges of every bin but the last (which is open above). */
export type BinEdges = Float64Array[];

export const MAX_BINS_LIMIT = 256;

/** Quantile edges of each column of row-major `x` [n, d]; every distinct value gets its own bin when few enough. */
export function binEdges(x: ArrayLike<number>, n: number, d: number, maxBins: number): BinEdges {
  const edges: BinEdges = [];
  const col = new Float64Array(n);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) col[i] = x[i * d + j]!;
    col.sort();
    const distinct: number[] = [];
    for (let i = 0; i < n; i++) if (i === 0 || col[i] !== col[i - 1]) distinct.push(col[i]!);
    if (distinct.length <= maxBins) {
      edges.push(Float64Array.from(distinct.slice(0, -1)));
      continue;
    }
    // Upper edges at equal-count cut points; a value repeated across cut points yields one edge.
    const cuts: number[] = [];
    for (let k = 1; k < maxBins; k++) {
      const v = col[Math.min(n - 1, Math.floor((k * n) / maxBins))]!;
      if (v < col[n - 1]! && (cuts.length === 0 || v > cuts[cuts.length - 1]!)) cuts.push(v);
    }
    edges.push(Float64Array.from(cuts));
  }
  return edges;
}

/** The bin of `v` among `e`: the first k with v <= e[k], or e.length (binary search). */
export function binOf(v: number, e: Float64Array): number {
  let lo = 0;
  let hi = e.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= e[mid]!) hi = mid; else lo = mid + 1;
  }
  return lo;
}

/** Column-major [d, n] bin numbers of row-major `x` [n, d]: one feature's bins lie together for histogram passes. */
export function binColumns(x: ArrayLike<number>, n: number, d: number, edges: BinEdges): Uint8Array {
  const out = new Uint8Array(n * d);
  for (let j = 0; j < d; j++) {
    const e = edges[j]!;
    for (let i = 0; i < n; i++) out[j * n + i] = binOf(x[i * d + j]!, e);
  }
  return out;
}
