// When each symbol entered the library, and what that says about a (goal, premise) pair. Label-free: it reads
// only the formulas. The library order is the order of the conjectures in the split files, train, then val, then
// test (the split is chronological by Mizar article). A symbol's first appearance is the index of the first
// conjecture whose goal, or one of whose candidate premises if it is a training conjecture, contains it. Held-out
// candidate lists are not read: they hold their conjectures' proofs' premises, and offline no pair may read a
// held-out proof, even blurred (on val this loses nothing: 0.805-0.806 against 0.803-0.805 over four seeds,
// LightGBM prototype).
//
// Why it helps: the hard negatives come from a kNN selector, which favours recent look-alikes of the goal (theorems
// about the goal's own new notions), while proofs lean on older, basic facts. On val the age of the premise's newest
// symbol alone has AUC 0.65, and whether the premise contains the goal's newest symbols 0.43-0.45 (below one half:
// such premises are more often unused).
//
// Earlier-only by construction: a pair of conjecture i reads the first appearances of its own goal's and premise's
// symbols, which are all at most i, so conjectures after i never change its columns (a test checks it), as long
// as every earlier split was observed first.
import type { PairSet } from './premise_pairs.js';

export const SYMBOL_CHRONOLOGY = [
  'chrono_new_goal_symbols', 'chrono_new_goal_symbol_fraction', 'chrono_has_newest_goal_symbol',
  'chrono_log1p_newest_symbol_age', 'chrono_newest_vs_goal', 'chrono_mean_symbol_age', 'chrono_mean_shared_symbol_age',
] as const;

export class SymbolChronology {
  /** symbol -> index of the conjecture where it first appears */
  private readonly firstSeen = new Map<string, number>();
  /** conjecture -> its index in library order */
  private readonly index = new Map<string, number>();
  /** article -> index of its first conjecture */
  private readonly articleStart = new Map<string, number>();
  private readonly observed = new WeakSet<PairSet>();

  constructor(private readonly symbolsOf: (text: string) => Set<string>, private readonly articleOf: (conj: string) => string) {}

  /**
   * Appends a split's conjectures, in file order, to the library. Splits must come in library order (train, val,
   * test); a split seen before, or a conjecture already indexed, adds nothing. `candidates`: whether the split's
   * candidate premises count too (the training split's), or only its goals (a held-out split's).
   */
  observe(set: PairSet, candidates: boolean): void {
    if (this.observed.has(set)) return;
    this.observed.add(set);
    const { goalTexts, premiseTexts } = set;
    if (!goalTexts || !premiseTexts) throw new Error('symbol chronology needs the pairs\' formula texts');
    for (let k = 0; k < set.conj.length; k++) {
      const conj = set.conj[k]!;
      let i = this.index.get(conj);
      if (i === undefined) {
        i = this.index.size;
        this.index.set(conj, i);
        const article = this.articleOf(conj);
        if (!this.articleStart.has(article)) this.articleStart.set(article, i);
      }
      for (const text of candidates ? [goalTexts[k]!, premiseTexts[k]!] : [goalTexts[k]!]) {
        for (const s of this.symbolsOf(text)) if (!this.firstSeen.has(s)) this.firstSeen.set(s, i);
      }
    }
  }

  /** The SYMBOL_CHRONOLOGY columns of a pair of an observed conjecture. */
  features(goal: Set<string>, premise: Set<string>, conj: string): number[] {
    const i = this.index.get(conj);
    if (i === undefined) throw new Error(`symbol chronology: conjecture ${conj} was not observed`);
    const start = this.articleStart.get(this.articleOf(conj))!;
    // A symbol no earlier goal or training list holds is dated i, even when a later goal (observed, as its split
    // was) holds it: a pair never reads what comes after it.
    const seen = (s: string): number => Math.min(this.firstSeen.get(s) ?? i, i);
    let goalNewest = 0;
    for (const s of goal) goalNewest = Math.max(goalNewest, seen(s));
    let newInGoal = 0, newShared = 0, hasNewest = 0, sharedAge = 0, shared = 0;
    for (const s of goal) if (seen(s) >= start) newInGoal++;
    // A premise without symbols counts as one of age i (first appearance 0), as in the prototype.
    let newest = 0, ageSum = 0;
    for (const s of premise) {
      const t = seen(s);
      newest = Math.max(newest, t);
      ageSum += i - t;
      if (goal.has(s)) {
        shared++;
        sharedAge += i - t;
        if (t >= start) newShared++;
        if (t === goalNewest) hasNewest = 1;
      }
    }
    return [
      newShared, newShared / Math.max(1, newInGoal), hasNewest,
      Math.log1p(Math.max(0, i - newest)), newest - goalNewest, premise.size ? ageSum / premise.size : i,
      shared ? sharedAge / shared : -1,
    ];
  }
}
