// Features of a (goal, premise) pair read against the training data and against the conjecture's other candidates,
// after Kaliszyk and Urban's learned premise selectors for Mizar (MaLARea, MizAR40): symbols weighted by IDF, a
// premise's usage history (how often it was useful to earlier conjectures), and a kNN vote (was it useful to train
// conjectures that look like this goal?). Each feature is also given relative to the conjecture's candidate list
// (centred on the list's mean, and as a rank in it): a premise is chosen among the candidates of one goal, and
// "shorter than the other candidates" says more than "short". These listwise columns use the candidates, never labels.
//
// Labels are read from the training split only. A training pair never sees its own conjecture's labels (the usage
// and kNN columns leave that conjecture out), or the model would learn to trust a history that held and test
// pairs do not have. The one exception is opt-in (labelHistory 'chronological', data/article_history.ts): every
// pair, of any split, also reads the labels of its own article's earlier conjectures in library order.
import { type PairSet, listsOf } from './premise_pairs.js';
import { UserError } from '../run/errors.js';
import { LABEL_STATISTICS, LabelStatistics } from './label_statistics.js';
import { ArticleHistory, LABEL_HISTORY, articleOf } from './article_history.js';
import { SYMBOL_CHRONOLOGY, SymbolChronology } from './symbol_chronology.js';
import { CO_USE, CoUse } from './co_use.js';
import { CO_CANDIDACY, CoCandidacy } from './co_candidacy.js';
import { CO_LISTING, CoListing } from './co_listing.js';

export { articleOf };

export const BASE_FEATURES = [
  'log_goal_len', 'log_premise_len', 'log1p_goal_symbols', 'log1p_premise_symbols',
  'log1p_shared_symbols', 'log1p_premise_only_symbols',
  'idf_shared', 'idf_premise_only', 'idf_goal_only', 'tfidf_cosine', 'premise_only_fraction', 'goal_only_fraction',
  'log1p_shared_subterms', 'idf_shared_subterms', 'shared_subterm_fraction',
  'log1p_shared_bigrams', 'premise_bigram_fraction', 'goal_bigram_fraction',
  'log1p_uses', 'log1p_non_uses', 'seen_in_train', 'use_rate',
  'knn_use_sum', 'knn_non_use_sum', 'knn_use_max', 'knn_non_use_max',
] as const;

/** Each base feature as is, centred within its conjecture, and as its rank among the conjecture's candidates. */
export const CONTEXT_WIDTH = 3 * BASE_FEATURES.length;

export interface ContextOptions {
  /**
   * Also the symbol- and sub-term-level label statistics of data/label_statistics.ts (after the base features,
   * each again as is, centred and ranked). Off by default: the neural classifiers' input width is CONTEXT_WIDTH.
   */
  labelStatistics?: boolean;
  /**
   * What a training pair's label-derived columns leave out: its own conjecture (default), or its whole article
   * (all conjectures of the same Mizar article, named after it: t12_xboole_0 is in xboole_0). Held-out conjectures
   * come from later articles, so training pairs that see their own article's labels learn to trust a closeness
   * that held-out pairs never have. The rule holds for a pair of any split (a validation pair of an article that
   * train also has reads none of that article's labels), so validation sees what test sees.
   */
  leaveOut?: 'conjecture' | 'article';
  /**
   * 'offline' (default): no pair reads a held-out label. 'chronological': every pair also gets the label history
   * of its own article's earlier conjectures in library order (data/article_history.ts), the MizAR40 / MaLARea
   * protocol; the context must then be given every split it scores, in library order (TrainingContext's `later`
   * and extendHistory).
   */
  labelHistory?: 'offline' | 'chronological';
  /**
   * Also the co-listing columns of data/co_listing.ts (label-free: was the premise a candidate of the most similar
   * earlier goals?), after the other base features. They read the candidate lists of the splits in library order,
   * as the label history does (TrainingContext's `later` and extendHistory); a split scored without being given
   * joins after those it has.
   */
  coListing?: boolean;
  /**
   * Also when the pair's symbols entered the library (data/symbol_chronology.ts; label-free, earlier-only). The
   * context must know the splits in library order (train, val, test: TrainingContext's `later` and
   * extendHistory); a split it does not know yet joins the library when first scored.
   */
  symbolChronology?: boolean;
  /** Also how often the premise was used together with the list's other candidates (data/co_use.ts). */
  coUse?: boolean;
  /**
   * Also whether the premise shared earlier candidate lists with the list's other candidates (data/co_candidacy.ts;
   * label-free, earlier lists only, read in library order like the symbol chronology).
   */
  coCandidacy?: boolean;
}

/** The base feature names of a context with these options (the width is three times as many). */
export function contextFeatureNames(opts: ContextOptions = {}): string[] {
  return [
    ...BASE_FEATURES, ...(opts.labelStatistics ? LABEL_STATISTICS : []),
    ...(opts.labelHistory === 'chronological' ? LABEL_HISTORY : []), ...(opts.coListing ? CO_LISTING : []),
    ...(opts.symbolChronology ? SYMBOL_CHRONOLOGY : []), ...(opts.coUse ? CO_USE : []),
    ...(opts.coCandidacy ? CO_CANDIDACY : []),
  ];
}

interface Formula {
  tokens: number;
  symbols: Set<string>;
  subterms: Set<string>;
  bigrams: Set<string>;
}

type Term = string | { app: [Term, Term] } | { lam: Term };

/** Prefix form: `*` applies its first argument to its second, `/ v body` binds v; anything else is an atom. */
function parse(toks: string[], at: { i: number }): Term {
  const t = toks[at.i++];
  if (t === undefined) return '?';
  if (t === '*') return { app: [parse(toks, at), parse(toks, at)] };
  if (t === '/') {
    at.i++;
    return { lam: parse(toks, at) };
  }
  return t;
}

const isVar = (t: string): boolean => t.startsWith('b');

function head(t: Term): string {
  while (typeof t !== 'string' && 'app' in t) t = t.app[0];
  return typeof t === 'string' ? (isVar(t) ? 'V' : t) : '/';
}

/** Symbols, sub-terms (variables anonymised) and (function, argument head) bigrams of one formula. */
export function analyse(text: string): Formula {
  const toks = text.split(/\s+/).filter((t) => t.length > 0);
  const f: Formula = { tokens: Math.max(1, toks.length), symbols: new Set(), subterms: new Set(), bigrams: new Set() };
  for (const t of toks) if (t.startsWith('c')) f.symbols.add(t);
  const canon = (t: Term): string => {
    if (typeof t === 'string') return isVar(t) ? 'V' : t;
    const s = 'app' in t ? `(${canon(t.app[0])} ${canon(t.app[1])})` : `(/ ${canon(t.lam)})`;
    if ('app' in t) f.bigrams.add(`${head(t.app[0])} ${head(t.app[1])}`);
    f.subterms.add(s);
    return s;
  };
  if (toks.length > 0) canon(parse(toks, { i: 0 }));
  return f;
}

function log1p(n: number): number {
  return Math.log1p(n);
}

/** What the training split knows: document frequencies, and which conjectures each premise was (not) useful to. */
export class TrainingContext {
  private readonly formulas = new Map<string, Formula>();
  private readonly symbolDf = new Map<string, number>();
  private readonly subtermDf = new Map<string, number>();
  private readonly docs: number;
  /** premise text -> conjecture -> [non-uses, uses] */
  private readonly usage = new Map<string, Map<string, [number, number]>>();
  private readonly goalVectors = new Map<string, Map<string, number>>();
  private readonly similarity = new Map<string, number>();
  private readonly trainSet: PairSet;
  private trainRaw: Float64Array | undefined;
  private readonly labelStats: LabelStatistics | undefined;
  private readonly history: ArticleHistory | undefined;
  /** Unit tf-idf vector of each goal the label history compared. */
  private readonly vectors = new Map<string, Map<string, number>>();
  private readonly coListing: CoListing | undefined;
  private readonly chronology: SymbolChronology | undefined;
  private readonly coUse: CoUse | undefined;
  private readonly coCandidacy: CoCandidacy | undefined;
  /** Columns per pair: 3 x the base features (and label statistics, when on). */
  readonly width: number;
  readonly mean: Float64Array;
  readonly scale: Float64Array;

  /**
   * `later`: the splits after train in library order (val, then test), whose own labels a chronological label
   * history reads and whose candidate lists co-listing reads; ignored when both are off. A split read later joins
   * through extendHistory.
   */
  constructor(train: PairSet, readonly options: ContextOptions = {}, later: PairSet[] = []) {
    this.trainSet = train;
    this.width = 3 * contextFeatureNames(options).length;
    this.mean = new Float64Array(this.width);
    this.scale = new Float64Array(this.width).fill(1);
    const { goals, premises } = requireTexts(train);
    const distinct = new Set([...goals, ...premises]);
    this.docs = distinct.size;
    for (const text of distinct) {
      const f = this.formula(text);
      for (const s of f.symbols) this.symbolDf.set(s, (this.symbolDf.get(s) ?? 0) + 1);
      for (const s of f.subterms) this.subtermDf.set(s, (this.subtermDf.get(s) ?? 0) + 1);
    }
    for (let i = 0; i < train.labels.length; i++) {
      const byConj = this.usage.get(premises[i]!) ?? new Map<string, [number, number]>();
      this.usage.set(premises[i]!, byConj);
      const counts = byConj.get(train.conj[i]!) ?? [0, 0];
      counts[train.labels[i]! > 0.5 ? 1 : 0]++;
      byConj.set(train.conj[i]!, counts);
      if (!this.goalVectors.has(train.conj[i]!)) this.goalVectors.set(train.conj[i]!, this.tfidf(this.formula(goals[i]!)));
    }
    if (options.labelStatistics) this.labelStats = new LabelStatistics(train, goals, premises, (t) => this.formula(t), (c) => this.heldOut(c));
    if (options.labelHistory === 'chronological') {
      this.history = new ArticleHistory((a, b) => this.goalsAlike(a, b));
      for (const set of [train, ...later]) this.history.add(set);
    }
    if (options.coListing) {
      this.coListing = new CoListing((t) => this.formula(t), (s) => this.idf(s));
      for (const set of [train, ...later]) this.coListing.add(set);
    }
    if (options.symbolChronology) {
      this.chronology = new SymbolChronology((t) => this.formula(t).symbols, articleOf);
      this.chronology.observe(train, true);
      for (const set of later) this.chronology.observe(set, false);
    }
    if (options.coUse) this.coUse = new CoUse(train, premises, (c) => this.heldOut(c));
    if (options.coCandidacy) {
      this.coCandidacy = new CoCandidacy();
      for (const set of [train, ...later]) this.coCandidacy.add(set);
    }
    // Standardise with the training pairs' own statistics, so every split is scaled alike.
    const x = (this.trainRaw = this.raw(train));
    const n = train.labels.length;
    const w = this.width;
    for (let j = 0; j < w; j++) {
      let m = 0;
      for (let i = 0; i < n; i++) m += x[i * w + j]!;
      m /= n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (x[i * w + j]! - m) ** 2;
      this.mean[j] = m;
      this.scale[j] = 1 / (Math.sqrt(v / n) + 1e-6);
    }
  }

  /** [pairs, width] standardised features of every pair of `set`. */
  features(set: PairSet): Float32Array {
    const x = set === this.trainSet && this.trainRaw ? this.trainRaw : this.raw(set);
    if (set === this.trainSet) this.trainRaw = undefined;
    const out = new Float32Array(x.length);
    const w = this.width;
    for (let i = 0; i < x.length; i++) out[i] = (x[i]! - this.mean[i % w]!) * this.scale[i % w]!;
    return out;
  }

  /**
   * Appends a split read later (the test split) to the label history, the co-listing library, the symbol
   * chronology and the co-candidacy lists, after those they have; a no-op when all are off.
   */
  extendHistory(set: PairSet): void {
    this.history?.add(set);
    if (this.coListing && !this.coListing.has(set)) this.coListing.add(set);
    this.chronology?.observe(set, false);
    if (this.coCandidacy && !this.coCandidacy.has(set)) this.coCandidacy.add(set);
  }

  /** How alike two goals are: cosine of their IDF-weighted symbol vectors (IDF from train's formulas), in [0, 1]. */
  goalsAlike(a: string, b: string): number {
    return cosine(this.goalVector(a), this.goalVector(b));
  }

  private goalVector(text: string): Map<string, number> {
    let v = this.vectors.get(text);
    if (!v) this.vectors.set(text, (v = this.tfidf(this.formula(text))));
    return v;
  }

  /** The group of conjectures a pair of `conj` must not learn from (itself, or its article). */
  private heldOut(conj: string): string {
    return this.options.leaveOut === 'article' ? articleOf(conj) : conj;
  }

  private formula(text: string): Formula {
    let f = this.formulas.get(text);
    if (!f) this.formulas.set(text, (f = analyse(text)));
    return f;
  }

  private idf(s: string): number {
    return Math.log((this.docs + 1) / ((this.symbolDf.get(s) ?? 0) + 1));
  }

  private subtermIdf(s: string): number {
    return Math.log((this.docs + 1) / ((this.subtermDf.get(s) ?? 0) + 1));
  }

  /** Binary IDF-weighted symbol vector, unit length. */
  private tfidf(f: Formula): Map<string, number> {
    const v = new Map<string, number>();
    let norm = 0;
    for (const s of f.symbols) {
      const w = this.idf(s);
      v.set(s, w);
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [s, w] of v) v.set(s, w / norm);
    return v;
  }

  private goalSimilarity(goal: string, conj: string): number {
    const key = `${conj}\u0000${goal}`;
    let s = this.similarity.get(key);
    if (s === undefined) {
      s = cosine(this.tfidf(this.formula(goal)), this.goalVectors.get(conj)!);
      this.similarity.set(key, s);
    }
    return s;
  }

  /** The base features of one pair; `conj`'s own labels are left out of the usage and kNN columns. */
  base(goal: string, premise: string, conj: string): number[] {
    const g = this.formula(goal);
    const p = this.formula(premise);
    let shared = 0, premiseOnly = 0, idfShared = 0, idfPremiseOnly = 0, idfGoalOnly = 0;
    for (const s of p.symbols) {
      if (g.symbols.has(s)) {
        shared++;
        idfShared += this.idf(s);
      } else {
        premiseOnly++;
        idfPremiseOnly += this.idf(s);
      }
    }
    for (const s of g.symbols) if (!p.symbols.has(s)) idfGoalOnly += this.idf(s);
    let sharedSub = 0, idfSharedSub = 0;
    for (const s of p.subterms) {
      if (g.subterms.has(s)) {
        sharedSub++;
        idfSharedSub += this.subtermIdf(s);
      }
    }
    let sharedBigrams = 0;
    for (const s of p.bigrams) if (g.bigrams.has(s)) sharedBigrams++;
    let uses = 0, nonUses = 0, knnUse = 0, knnNonUse = 0, knnUseMax = 0, knnNonUseMax = 0;
    for (const [c, [no, yes]] of this.usage.get(premise) ?? []) {
      if (this.heldOut(c) === this.heldOut(conj)) continue;
      uses += yes;
      nonUses += no;
      const sim = this.goalSimilarity(goal, c);
      if (yes) {
        knnUse += sim;
        knnUseMax = Math.max(knnUseMax, sim);
      }
      if (no) {
        knnNonUse += sim;
        knnNonUseMax = Math.max(knnNonUseMax, sim);
      }
    }
    const goalOnly = g.symbols.size - shared;
    const stats = this.labelStats ? this.labelStats.features(g, p, this.heldOut(conj), (s) => this.idf(s)) : [];
    const history = this.history ? this.history.features(conj, premise) : [];
    const coListed = this.coListing ? this.coListing.features(conj, premise) : [];
    return [
      Math.log(g.tokens), Math.log(p.tokens), log1p(g.symbols.size), log1p(p.symbols.size),
      log1p(shared), log1p(premiseOnly),
      idfShared, idfPremiseOnly, idfGoalOnly, cosine(this.tfidf(g), this.tfidf(p)),
      premiseOnly / Math.max(1, p.symbols.size), goalOnly / Math.max(1, g.symbols.size),
      log1p(sharedSub), idfSharedSub, sharedSub / Math.max(1, p.subterms.size),
      log1p(sharedBigrams), sharedBigrams / Math.max(1, p.bigrams.size), sharedBigrams / Math.max(1, g.bigrams.size),
      log1p(uses), log1p(nonUses), uses + nonUses > 0 ? 1 : 0, (uses + 0.5) / (uses + nonUses + 1),
      knnUse, knnNonUse, knnUseMax, knnNonUseMax,
      ...stats, ...history, ...coListed,
    ];
  }

  /** Unscaled [pairs, width]: base features, then centred within the conjecture, then rank within it. */
  private raw(set: PairSet): Float64Array {
    const { goals, premises } = requireTexts(set);
    if (this.coListing && !this.coListing.has(set)) this.coListing.add(set);
    // A split the context was not told of joins the libraries when first scored.
    this.chronology?.observe(set, false);
    if (this.coCandidacy && !this.coCandidacy.has(set)) this.coCandidacy.add(set);
    const W = this.width;
    const b = W / 3;
    const out = new Float64Array(set.labels.length * W);
    const groups = listsOf(set.conj);
    for (let i = 0; i < set.labels.length; i++) out.set(this.base(goals[i]!, premises[i]!, set.conj[i]!), i * W);
    for (const [conj, members] of groups) {
      // The list-level columns, after the pair's own: they read the conjecture's whole candidate list.
      let at = b - (this.chronology ? SYMBOL_CHRONOLOGY.length : 0) - (this.coUse ? CO_USE.length : 0) -
        (this.coCandidacy ? CO_CANDIDACY.length : 0);
      if (this.chronology) {
        for (const i of members) {
          out.set(this.chronology.features(this.formula(goals[i]!).symbols, this.formula(premises[i]!).symbols, conj), i * W + at);
        }
        at += SYMBOL_CHRONOLOGY.length;
      }
      if (this.coUse) {
        const rows = this.coUse.features(members.map((i) => premises[i]!), conj);
        members.forEach((i, k) => out.set(rows[k]!, i * W + at));
        at += CO_USE.length;
      }
      if (this.coCandidacy) for (const i of members) out.set(this.coCandidacy.features(conj, premises[i]!), i * W + at);
      for (let j = 0; j < b; j++) {
        const col = members.map((i) => out[i * W + j]!);
        const mean = col.reduce((a, v) => a + v, 0) / col.length;
        members.forEach((i, k) => {
          out[i * W + b + j] = col[k]! - mean;
          out[i * W + 2 * b + j] = rankFraction(col, k);
        });
      }
    }
    return out;
  }
}

/**
 * Where col[k] stands among col, in [0, 1]: the share of the others it exceeds, ties counting half, so the order
 * of the candidates never matters.
 */
export function rankFraction(col: number[], k: number): number {
  if (col.length < 2) return 0.5;
  let above = 0;
  for (let i = 0; i < col.length; i++) {
    if (i === k) continue;
    if (col[k]! > col[i]!) above += 1; else if (col[k] === col[i]) above += 0.5;
  }
  return above / (col.length - 1);
}

function cosine(a: Map<string, number>, b: Map<string, number>): number {
  if (a.size > b.size) [a, b] = [b, a];
  let s = 0;
  for (const [k, v] of a) s += v * (b.get(k) ?? 0);
  return s;
}

function requireTexts(set: PairSet): { goals: string[]; premises: string[] } {
  if (!set.goalTexts || !set.premiseTexts) throw new Error('context features need the pairs\' formula texts');
  return { goals: set.goalTexts, premises: set.premiseTexts };
}

/** Gives `set` its context features (in place) and returns it. */
export function withContext(set: PairSet, context: TrainingContext): PairSet {
  set.context = context.features(set);
  set.contextWidth = context.width;
  return set;
}

/** Before the first batch: computes the context features when the model reads them, or says why it cannot. */
export function provideContext(model: { usesContextFeatures?: boolean; contextOptions?: ContextOptions },
  data: { useContextFeatures?(opts?: ContextOptions): void }): void {
  if (!model.usesContextFeatures) return;
  if (typeof data.useContextFeatures !== 'function') {
    if (model.contextOptions) {
      throw new UserError('the model reads context features but this data module does not provide them; use ' +
        'bait.data.PremiseDataModule', 'data_module._target_');
    }
    throw new UserError('the classifier reads context features but this data module does not provide them; use ' +
      'bait.data.PremiseDataModule or set context_features: false', 'model.classifier.context_features');
  }
  data.useContextFeatures(model.contextOptions);
}
