// The chronological label history of a pair's own Mizar article, as in the MizAR40 and MaLARea evaluations of
// premise selection: when a theorem is proved, the proofs of every theorem before it in the library are known. A
// pair (premise p, conjecture c of article a) reads the conjectures of a that come before c in library order (the
// order of the splits as added, train then val then test, and of the conjectures within each), never c itself or
// anything after it:
//   hist_uses             how many of them were proved with p
//   hist_listed_unused    how many listed p as a candidate and were proved without it
//   hist_use_rate         (uses + 0.5) / (listed + 1)
//   log1p_hist_conjectures how many earlier conjectures a has
//   hist_sim_*            the same votes weighted by how alike the goals are (sum and max over the earlier
//                         conjectures that used p, and over those that listed it unused)
// A conjecture's proof "used" p when any of its pairs with p is labelled 1, so the candidates' order never matters.
import type { PairSet } from './premise_pairs.js';
import { UserError } from '../run/errors.js';

export const LABEL_HISTORY = [
  'hist_uses', 'hist_listed_unused', 'hist_use_rate', 'log1p_hist_conjectures',
  'hist_sim_use_sum', 'hist_sim_unused_sum', 'hist_sim_use_max', 'hist_sim_unused_max',
] as const;

/** The Mizar article of a conjecture name (`t12_xboole_0` -> `xboole_0`); the name itself when it has none. */
export function articleOf(conj: string): string {
  const m = /^[a-z]+\d+_(.+)$/.exec(conj);
  return m ? m[1]! : conj;
}

interface Proved {
  conj: string;
  goal: string;
  /** premise text -> whether the proof used it */
  used: Map<string, boolean>;
}

export class ArticleHistory {
  /** Each article's conjectures in library order. */
  private readonly articles = new Map<string, Proved[]>();
  /** conjecture -> its place in its article's list */
  private readonly place = new Map<string, { article: Proved[]; index: number }>();
  private readonly added = new Set<PairSet>();
  /** The similarities of the conjecture asked about last to each earlier conjecture of its article. */
  private last: { conj: string; sims: number[] } | undefined;

  /** `similarity(goalA, goalB)` of two goal texts, in [0, 1]. */
  constructor(private readonly similarity: (a: string, b: string) => number) {}

  /** Appends a split after those added before (library order); adding the same set again does nothing. */
  add(set: PairSet): void {
    if (this.added.has(set)) return;
    if (!set.goalTexts || !set.premiseTexts) throw new Error('the label history needs the pairs\' formula texts');
    const ownedHere = new Map<string, Proved>();
    for (let i = 0; i < set.labels.length; i++) {
      const conj = set.conj[i]!;
      let proved = ownedHere.get(conj);
      if (!proved) {
        if (this.place.has(conj)) {
          throw new UserError(`conjecture ${conj} appears in two splits; a chronological history needs each conjecture in one place of the library order`);
        }
        proved = { conj, goal: set.goalTexts[i]!, used: new Map() };
        ownedHere.set(conj, proved);
        const article = this.articles.get(articleOf(conj)) ?? [];
        this.articles.set(articleOf(conj), article);
        this.place.set(conj, { article, index: article.length });
        article.push(proved);
      }
      const p = set.premiseTexts[i]!;
      proved.used.set(p, (proved.used.get(p) ?? false) || set.labels[i]! > 0.5);
    }
    this.added.add(set);
  }

  /** The LABEL_HISTORY columns of premise `premise` in the list of `conj`, which must have been added. */
  features(conj: string, premise: string): number[] {
    const at = this.place.get(conj);
    if (!at) throw new Error(`conjecture ${conj} is not in the label history: add its split (in library order) first`);
    const earlier = at.index;
    if (this.last?.conj !== conj) {
      const goal = at.article[earlier]!.goal;
      this.last = { conj, sims: at.article.slice(0, earlier).map((d) => this.similarity(goal, d.goal)) };
    }
    const sims = this.last.sims;
    let uses = 0, unused = 0, useSum = 0, unusedSum = 0, useMax = 0, unusedMax = 0;
    for (let j = 0; j < earlier; j++) {
      const used = at.article[j]!.used.get(premise);
      if (used === undefined) continue;
      const s = sims[j]!;
      if (used) {
        uses++;
        useSum += s;
        useMax = Math.max(useMax, s);
      } else {
        unused++;
        unusedSum += s;
        unusedMax = Math.max(unusedMax, s);
      }
    }
    return [uses, unused, (uses + 0.5) / (uses + unused + 1), Math.log1p(earlier), useSum, unusedSum, useMax, unusedMax];
  }
}
