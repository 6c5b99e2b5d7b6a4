// One regression tree of a gradient-boosted ensemble, grown leaf-wise (best-first, as LightGBM does) on histograms
// of first and second derivatives of the loss: each split maximises the second-order gain
//   G_L^2 / (H_L + l2) + G_R^2 / (H_R + l2) - G^2 / (H + l2)
// and each leaf predicts the Newton step -G / (H + l2), shrunk by the learning rate. A child's histogram is built
// from its rows only for the smaller child; the larger one's is the parent's minus it.

export interface TreeParams {
  numLeaves: number;
  maxDepth: number;
  minChildSamples: number;
  minChildWeight: number;
  l2: number;
  minSplitGain: number;
  learningRate: number;
}

/**
 * Nodes in arrays; node 0 is the root. Internal nodes send a row left when feature <= threshold (equivalently
 * bin <= bin[node]); leaves have left = -1 and a value. Plain arrays of numbers: the tree is its own JSON.
 */
export interface Tree {
  feature: number[];
  bin: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

/** What a tree is grown on: binned columns, the derivatives of the loss, and which rows and features it may use. */
export interface GrowInput {
  /** Column-major [d, n] bin numbers (binning.ts). */
  bins: Uint8Array;
  n: number;
  d: number;
  /** Upper edges per feature: a split at bin k of feature f has threshold edges[f][k]. */
  edges: Float64Array[];
  grad: Float64Array;
  hess: Float64Array;
  /** The rows of this round (ascending). */
  rows: Int32Array;
  /** The features of this round (ascending). */
  features: Int32Array;
}

const B = 256;

interface Split { gain: number; feature: number; bin: number }

interface Leaf {
  node: number;
  rows: Int32Array;
  depth: number;
  /** [d * B] sums of gradient, hessian and row count per (feature, bin). */
  g: Float64Array;
  h: Float64Array;
  c: Float64Array;
  sumG: number;
  sumH: number;
  split: Split | undefined;
}

function histogram(inp: GrowInput, rows: Int32Array): { g: Float64Array; h: Float64Array; c: Float64Array } {
  const { bins, n, d, grad, hess, features } = inp;
  const g = new Float64Array(d * B);
  const h = new Float64Array(d * B);
  const c = new Float64Array(d * B);
  for (const f of features) {
    const col = f * n;
    const off = f * B;
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k]!;
      const b = off + bins[col + r]!;
      g[b] += grad[r]!;
      h[b] += hess[r]!;
      c[b]++;
    }
  }
  return { g, h, c };
}

function bestSplit(inp: GrowInput, leaf: Leaf, p: TreeParams): Split | undefined {
  if (leaf.depth >= p.maxDepth || leaf.rows.length < 2 * p.minChildSamples) return undefined;
  const parent = (leaf.sumG * leaf.sumG) / (leaf.sumH + p.l2);
  let best: Split | undefined;
  for (const f of inp.features) {
    const bins = inp.edges[f]!.length + 1;
    const off = f * B;
    let gl = 0, hl = 0, cl = 0;
    for (let k = 0; k < bins - 1; k++) {
      gl += leaf.g[off + k]!;
      hl += leaf.h[off + k]!;
      cl += leaf.c[off + k]!;
      const cr = leaf.rows.length - cl;
      if (cl < p.minChildSamples) continue;
      if (cr < p.minChildSamples) break;
      const hr = leaf.sumH - hl;
      if (hl < p.minChildWeight || hr < p.minChildWeight) continue;
      const gr = leaf.sumG - gl;
      const gain = (gl * gl) / (hl + p.l2) + (gr * gr) / (hr + p.l2) - parent;
      if (gain > p.minSplitGain && (!best || gain > best.gain)) best = { gain, feature: f, bin: k };
    }
  }
  return best;
}

export function growTree(inp: GrowInput, p: TreeParams): Tree {
  const tree: Tree = { feature: [], bin: [], threshold: [], left: [], right: [], value: [] };
  const addNode = (): number => {
    tree.feature.push(-1);
    tree.bin.push(-1);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push(0);
    return tree.left.length - 1;
  };
  const makeLeaf = (node: number, rows: Int32Array, depth: number, hist: ReturnType<typeof histogram>): Leaf => {
    let sumG = 0, sumH = 0;
    for (let k = 0; k < rows.length; k++) {
      sumG += inp.grad[rows[k]!]!;
      sumH += inp.hess[rows[k]!]!;
    }
    const leaf: Leaf = { node, rows, depth, ...hist, sumG, sumH, split: undefined };
    leaf.split = bestSplit(inp, leaf, p);
    return leaf;
  };
  const leaves: Leaf[] = [makeLeaf(addNode(), inp.rows, 0, histogram(inp, inp.rows))];
  while (leaves.length < p.numLeaves) {
    // The open leaf with the largest gain splits next (the first such leaf on ties: deterministic).
    let at = -1;
    for (let i = 0; i < leaves.length; i++) {
      const s = leaves[i]!.split;
      if (s && (at < 0 || s.gain > leaves[at]!.split!.gain)) at = i;
    }
    if (at < 0) break;
    const leaf = leaves.splice(at, 1)[0]!;
    const { feature: f, bin } = leaf.split!;
    const col = f * inp.n;
    const left: number[] = [];
    const right: number[] = [];
    for (let k = 0; k < leaf.rows.length; k++) {
      const r = leaf.rows[k]!;
      (inp.bins[col + r]! <= bin ? left : right).push(r);
    }
    const lRows = Int32Array.from(left);
    const rRows = Int32Array.from(right);
    const smallIsLeft = lRows.length <= rRows.length;
    const small = histogram(inp, smallIsLeft ? lRows : rRows);
    const large = { g: leaf.g, h: leaf.h, c: leaf.c };
    for (let i = 0; i < large.g.length; i++) {
      large.g[i]! -= small.g[i]!;
      large.h[i]! -= small.h[i]!;
      large.c[i]! -= small.c[i]!;
    }
    const node = leaf.node;
    tree.feature[node] = f;
    tree.bin[node] = bin;
    tree.threshold[node] = inp.edges[f]![bin]!;
    const l = addNode();
    const r = addNode();
    tree.left[node] = l;
    tree.right[node] = r;
    leaves.push(makeLeaf(l, lRows, leaf.depth + 1, smallIsLeft ? small : large));
    leaves.push(makeLeaf(r, rRows, leaf.depth + 1, smallIsLeft ? large : small));
  }
  for (const leaf of leaves) tree.value[leaf.node] = (-leaf.sumG / (leaf.sumH + p.l2)) * p.learningRate;
  return tree;
}

/** The leaf value for one row of raw features (row-major `x`, row `i` of width `d`). */
export function predictRow(t: Tree, x: ArrayLike<number>, i: number, d: number): number {
  let node = 0;
  while (t.left[node]! >= 0) node = x[i * d + t.feature[node]!]! <= t.threshold[node]! ? t.left[node]! : t.right[node]!;
  return t.value[node]!;
}

/** The leaf value for row `i` of binned columns (the training rows). */
export function predictBinned(t: Tree, bins: Uint8Array, n: number, i: number): number {
  let node = 0;
  while (t.left[node]! >= 0) node = bins[t.feature[node]! * n + i]! <= t.bin[node]! ? t.left[node]! : t.right[node]!;
  return t.value[node]!;
}
