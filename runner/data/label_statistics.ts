// Features learned from the training labels at the level of symbols and sub-terms, after the naive-Bayes premise
// selectors of Kaliszyk and Urban (MaLARea, MizAR40): not "was this premise useful before" (usage history, which
// most held-out premises lack) but "were premises with these symbols useful to goals with those symbols". Every
// statistic is a smoothed log-odds log((uses + 0.5) / (non-uses + 0.5)) counted over the training pairs:
//   nb_pair_*    for each premise symbol, the best log-odds over the goal's symbols of the (goal symbol, premise
//                symbol) pair; then mean, min, max and sum over the premise's symbols
//   sym_*        each premise symbol's log-odds given whether the goal has it too (shared or own), aggregated
//   subterm_*    the same for the premise's sub-terms (variables anonymised), over those seen in training
// A training pair's own conjecture is left out of every count, as for the usage history, so the columns mean the
// same on training pairs as on held-out ones.
import type { PairSet } from './premise_pairs.js';

export const LABEL_STATISTICS = [
  'nb_pair_mean', 'nb_pair_min', 'nb_pair_max', 'nb_pair_sum',
  'sym_mean', 'sym_min', 'sym_sum', 'sym_idf_mean', 'sym_shared_mean', 'sym_shared_min', 'sym_own_mean', 'sym_own_min',
  'subterm_mean', 'subterm_min', 'subterm_max', 'log1p_subterms_known',
] as const;

export interface Analysed {
  symbols: Set<string>;
  subterms: Set<string>;
}

/** [non-uses, uses] per key; keys are symbol pairs, or a symbol or sub-term with its shared/own flag. */
type Counts = Map<string, [number, number]>;

function add(c: Counts, key: string, label: number): void {
  const v = c.get(key);
  if (v) v[label]++; else c.set(key, label ? [0, 1] : [1, 0]);
}

/** The three count tables of a list of labelled pairs. */
function count(rows: Array<{ g: Analysed; p: Analysed; label: number }>): { pairs: Counts; symbols: Counts; subterms: Counts } {
  const pairs: Counts = new Map();
  const symbols: Counts = new Map();
  const subterms: Counts = new Map();
  for (const { g, p, label } of rows) {
    for (const t of p.symbols) {
      add(symbols, `${g.symbols.has(t) ? 's' : 'o'}${t}`, label);
      for (const a of g.symbols) add(pairs, `${a}\u0000${t}`, label);
    }
    for (const t of p.subterms) add(subterms, `${g.subterms.has(t) ? 's' : 'o'}${t}`, label);
  }
  return { pairs, symbols, subterms };
}

const mean = (v: number[]): number => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0);
const min = (v: number[]): number => (v.length ? Math.min(...v) : 0);
const max = (v: number[]): number => (v.length ? Math.max(...v) : 0);

export class LabelStatistics {
  private readonly all: ReturnType<typeof count>;
  private readonly rowsByGroup = new Map<string, Array<{ g: Analysed; p: Analysed; label: number }>>();
  /** The counts of one group (the one asked about last), to leave out. */
  private own: { group: string; counts: ReturnType<typeof count> } | undefined;

  /** `group` maps a conjecture to what its pairs leave out (itself, or its article). */
  constructor(train: PairSet, goals: string[], premises: string[], analyse: (text: string) => Analysed, group: (conj: string) => string) {
    const rows = train.conj.map((conj, i) => {
      const c = group(conj);
      const row = { g: analyse(goals[i]!), p: analyse(premises[i]!), label: train.labels[i]! > 0.5 ? 1 : 0 };
      const list = this.rowsByGroup.get(c);
      if (list) list.push(row); else this.rowsByGroup.set(c, [row]);
      return row;
    });
    this.all = count(rows);
  }

  private logOdds(table: 'pairs' | 'symbols' | 'subterms', key: string, own: ReturnType<typeof count> | undefined): { lo: number; seen: boolean } {
    const [no, yes] = this.all[table].get(key) ?? [0, 0];
    const [ownNo, ownYes] = own?.[table].get(key) ?? [0, 0];
    const n = no - ownNo;
    const y = yes - ownYes;
    return { lo: Math.log((y + 0.5) / (n + 0.5)), seen: n + y > 0 };
  }

  /** The LABEL_STATISTICS of one pair; the training pairs of `group` (if any) are left out. */
  features(g: Analysed, p: Analysed, group: string, idf: (symbol: string) => number): number[] {
    if (this.own?.group !== group) {
      const rows = this.rowsByGroup.get(group);
      this.own = { group, counts: rows ? count(rows) : count([]) };
    }
    const own = this.own.counts;
    const nb: number[] = [];
    const sym: number[] = [];
    const shared: number[] = [];
    const ownSym: number[] = [];
    let idfWeighted = 0, idfTotal = 0;
    for (const t of p.symbols) {
      let best = -Infinity;
      for (const a of g.symbols) best = Math.max(best, this.logOdds('pairs', `${a}\u0000${t}`, own).lo);
      nb.push(g.symbols.size ? best : 0);
      const isShared = g.symbols.has(t);
      const lo = this.logOdds('symbols', `${isShared ? 's' : 'o'}${t}`, own).lo;
      sym.push(lo);
      (isShared ? shared : ownSym).push(lo);
      idfWeighted += lo * idf(t);
      idfTotal += idf(t);
    }
    const sub: number[] = [];
    for (const t of p.subterms) {
      const s = this.logOdds('subterms', `${g.subterms.has(t) ? 's' : 'o'}${t}`, own);
      if (s.seen) sub.push(s.lo);
    }
    return [
      mean(nb), min(nb), max(nb), nb.reduce((a, b) => a + b, 0),
      mean(sym), min(sym), sym.reduce((a, b) => a + b, 0), idfTotal > 0 ? idfWeighted / idfTotal : 0,
      mean(shared), min(shared), mean(ownSym), min(ownSym),
      mean(sub), min(sub), max(sub), Math.log1p(sub.length),
    ];
  }
}
