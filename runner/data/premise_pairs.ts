// Reading the shipped premise-selection pairs (data/mizar40-m2k: gzipped JSON lines and a vocab.json) into token-id
// arrays, and cutting them into padded batches. Pure data work on typed arrays; tensors are made by the models.
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { UserError } from '../run/errors.js';
import { permutation, rngFor } from '../train/rng.js';

export interface PairSet {
  /** Token ids of each pair's goal and premise, truncated to max_len. Goals are shared between pairs. */
  goals: Int32Array[];
  premises: Int32Array[];
  labels: Float32Array;
  /** The conjecture each pair belongs to (for per-conjecture ranking metrics). */
  conj: string[];
  /** The formulas as written (whitespace-tokenised prefix form), for features beyond the token ids. */
  goalTexts?: string[];
  premiseTexts?: string[];
  /** Row-major [pairs, contextWidth] features of each pair among the training data (data/context_features.ts). */
  context?: Float32Array;
  contextWidth?: number;
}

export interface Batch {
  size: number;
  /** Padded width of this batch (the longest sequence in it, at most max_len). */
  goalLen: number;
  premiseLen: number;
  /** Row-major [size, goalLen] ids, 0 = padding. */
  goalIds: Int32Array;
  goalLengths: Int32Array;
  premiseIds: Int32Array;
  premiseLengths: Int32Array;
  labels: Float32Array;
  conj: string[];
  /** Row-major [size, contextWidth] context features, when the set has them. */
  context?: Float32Array;
  contextWidth?: number;
}

export const PAD = 0;
export const UNK = 1;

export function loadVocab(file: string, key: string): Map<string, number> {
  if (!existsSync(file)) {
    throw new UserError(`the vocabulary file ${file} does not exist; point ${key} at a folder with vocab.json`, key);
  }
  let tokens: unknown;
  try {
    tokens = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`${file} is not valid JSON (${(e as Error).message})`, key);
  }
  if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'string')) {
    throw new UserError(`${file} must be a JSON list of token strings (index 0 <pad>, 1 <unk>)`, key);
  }
  return new Map(tokens.map((t, i) => [t as string, i]));
}

function encode(text: string, vocab: Map<string, number>, maxLen: number): Int32Array {
  const toks = text.split(/\s+/).filter((t) => t.length > 0);
  const n = Math.max(1, Math.min(maxLen, toks.length));
  const out = new Int32Array(n);
  // An empty formula becomes one <unk> so that mean-pooling never divides by zero.
  if (toks.length === 0) out[0] = UNK;
  for (let i = 0; i < Math.min(n, toks.length); i++) out[i] = vocab.get(toks[i]!) ?? UNK;
  return out;
}

/**
 * Reads one split file (`train.jsonl.gz`); `limit` keeps only the first pairs (for tiny test runs). The candidates
 * of each conjecture are put in a seeded random order: the files list every conjecture's positives first, and no
 * result (a tie, a truncated validation) may depend on that.
 */
export function loadPairs(file: string, vocab: Map<string, number>, maxLen: number, key: string, limit?: number, orderSeed = 0): PairSet {
  return shuffleWithinConjectures(readPairs(file, vocab, maxLen, key, limit), orderSeed);
}

/** The same pairs, each conjecture's block permuted by (seed, conjecture name); conjectures keep their order. */
export function shuffleWithinConjectures(set: PairSet, seed: number): PairSet {
  const groups = new Map<string, number[]>();
  set.conj.forEach((c, i) => {
    const g = groups.get(c);
    if (g) g.push(i); else groups.set(c, [i]);
  });
  const order: number[] = [];
  for (const [c, members] of groups) {
    for (const j of permutation(members.length, rngFor(seed, 'candidate-order', c))) order.push(members[j]!);
  }
  return {
    goals: order.map((i) => set.goals[i]!), premises: order.map((i) => set.premises[i]!),
    labels: Float32Array.from(order, (i) => set.labels[i]!), conj: order.map((i) => set.conj[i]!),
    ...(set.goalTexts && set.premiseTexts
      ? { goalTexts: order.map((i) => set.goalTexts![i]!), premiseTexts: order.map((i) => set.premiseTexts![i]!) }
      : {}),
  };
}

function readPairs(file: string, vocab: Map<string, number>, maxLen: number, key: string, limit?: number): PairSet {
  if (!existsSync(file)) {
    throw new UserError(`the data file ${file} does not exist; set ${key} to the folder that holds it`, key);
  }
  let text: string;
  try {
    const raw = readFileSync(file);
    text = file.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  } catch (e) {
    throw new UserError(`cannot read ${file}: ${(e as Error).message}`, key);
  }
  const goals: Int32Array[] = [];
  const premises: Int32Array[] = [];
  const labels: number[] = [];
  const conj: string[] = [];
  const goalTexts: string[] = [];
  const premiseTexts: string[] = [];
  const goalCache = new Map<string, Int32Array>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    if (limit !== undefined && labels.length >= limit) break;
    let row: { conj?: unknown; goal?: unknown; premise?: unknown; label?: unknown };
    try {
      row = JSON.parse(line);
    } catch {
      throw new UserError(`${file}:${i + 1}: not a JSON object; each line must be {"conj","goal","premise","label"}`, key);
    }
    if (typeof row.goal !== 'string' || typeof row.premise !== 'string' || (row.label !== 0 && row.label !== 1)) {
      throw new UserError(`${file}:${i + 1}: expected string "goal" and "premise" and a 0/1 "label"`, key);
    }
    let g = goalCache.get(row.goal);
    if (!g) goalCache.set(row.goal, (g = encode(row.goal, vocab, maxLen)));
    goals.push(g);
    premises.push(encode(row.premise, vocab, maxLen));
    labels.push(row.label);
    goalTexts.push(row.goal);
    premiseTexts.push(row.premise);
    conj.push(typeof row.conj === 'string' ? row.conj : row.goal);
  }
  if (labels.length === 0) throw new UserError(`${file} holds no pairs`, key);
  return { goals, premises, labels: Float32Array.from(labels), conj, goalTexts, premiseTexts };
}

function pad(seqs: Int32Array[], idx: ArrayLike<number>): { ids: Int32Array; lengths: Int32Array; width: number } {
  let width = 1;
  for (let i = 0; i < idx.length; i++) width = Math.max(width, seqs[idx[i]!]!.length);
  const ids = new Int32Array(idx.length * width);
  const lengths = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const s = seqs[idx[i]!]!;
    ids.set(s, i * width);
    lengths[i] = s.length;
  }
  return { ids, lengths, width };
}

/** The pair indices of each conjecture's candidate list, in order of first appearance. */
export function listsOf(conj: ArrayLike<string>): Map<string, number[]> {
  const lists = new Map<string, number[]>();
  for (let i = 0; i < conj.length; i++) {
    const l = lists.get(conj[i]!);
    if (l) l.push(i); else lists.set(conj[i]!, [i]);
  }
  return lists;
}

/** The batch made of the pairs at positions `idx` of `set`. */
export function makeBatch(set: PairSet, idx: ArrayLike<number>): Batch {
  const g = pad(set.goals, idx);
  const p = pad(set.premises, idx);
  const labels = new Float32Array(idx.length);
  const conj: string[] = [];
  for (let i = 0; i < idx.length; i++) {
    labels[i] = set.labels[idx[i]!]!;
    conj.push(set.conj[idx[i]!]!);
  }
  const batch: Batch = {
    size: idx.length, goalLen: g.width, premiseLen: p.width, goalIds: g.ids, goalLengths: g.lengths,
    premiseIds: p.ids, premiseLengths: p.lengths, labels, conj,
  };
  if (set.context && set.contextWidth) {
    const w = set.contextWidth;
    batch.context = new Float32Array(idx.length * w);
    batch.contextWidth = w;
    for (let i = 0; i < idx.length; i++) batch.context.set(set.context.subarray(idx[i]! * w, (idx[i]! + 1) * w), i * w);
  }
  return batch;
}
