// Co-listing: was this premise also a candidate of the goals most like this one, earlier in the library?
//
// Every conjecture's candidate list is its proof's premises plus as many premises that a kNN premise selector ranked
// highest among those the proof did not use (JUrban/deepmath, code/generate_nnhpdata.pl). The lists of similar
// goals are therefore samples of what that selector and those proofs picked for goals like this one: the closest
// the pairs come to reproducing the selector that chose the negatives. For each pair, and k in CO_LISTING_K:
//   colist_k         over the k earlier conjectures whose goals are most similar to this one (cosine of
//                    IDF-weighted symbol sets), the similarity-weighted share whose lists hold the premise
//   colist_k_longer  the same over those of the k whose lists are at least as long as this one's (a longer list
//                    reaches deeper into the selector's ranking, so it holds whatever this one's selector picks hold)
// Label-free: it reads candidate lists and goal texts, never labels. Chronological: a conjecture reads only the
// lists of conjectures before it in library order (train, then validation, then test, each in file order), so a
// split's columns never change when a later split is added.
import type { PairSet } from './premise_pairs.js';

export const CO_LISTING_K = [5, 20, 80] as const;
export const CO_LISTING = CO_LISTING_K.flatMap((k) => [`colist_${k}`, `colist_${k}_longer`]);

/**
 * What the similarity reads of a goal (data/context_features.ts analyse): its symbols. Sub-terms as well made the
 * neighbours worse (val AUC 0.816-0.820 against 0.822-0.828, LightGBM prototype, four seeds).
 */
export interface GoalFeatures {
  symbols: Set<string>;
}

interface Entry {
  /** Position in the library. */
  at: number;
  goal: string;
  candidates: Set<string>;
  /** Earlier conjectures by decreasing similarity (positive only), at most the largest k; computed when first asked. */
  neighbours?: Array<{ entry: Entry; sim: number }>;
}

export class CoListing {
  private readonly entries: Entry[] = [];
  private readonly byName = new Map<string, Entry>();
  /** Inverted index of the goals' weighted features: feature id -> [entry position, weight]. */
  private readonly postings: Array<Array<[number, number]>> = [];
  private readonly featureIds = new Map<string, number>();
  private readonly vectors: Array<Map<number, number>> = [];
  private readonly norms: number[] = [];

  /**
   * `analyse` reads a goal; `idf` weights its symbols (the training split's document frequencies, so that adding
   * a later split leaves earlier columns as they were).
   */
  constructor(
    private readonly analyse: (text: string) => GoalFeatures,
    private readonly idf: (symbol: string) => number,
  ) {}

  /** Whether every conjecture of `set` is in the library already. */
  has(set: PairSet): boolean {
    return set.conj.every((c) => this.byName.has(c));
  }

  /** Appends the conjectures of `set` (the next split in library order) with their goals and candidate lists. */
  add(set: PairSet): void {
    const goals = set.goalTexts;
    const premises = set.premiseTexts;
    if (!goals || !premises) throw new Error('co-listing needs the pairs\' formula texts');
    for (let i = 0; i < set.conj.length; i++) {
      let e = this.byName.get(set.conj[i]!);
      if (!e) {
        e = { at: this.entries.length, goal: goals[i]!, candidates: new Set() };
        this.byName.set(set.conj[i]!, e);
        this.entries.push(e);
        this.index(e);
      }
      e.candidates.add(premises[i]!);
    }
  }

  /** The CO_LISTING columns of one pair; `conj` must be in the library. */
  features(conj: string, premise: string): number[] {
    const e = this.byName.get(conj);
    if (!e) throw new Error(`co-listing: conjecture ${conj} is not in the library`);
    const nb = this.neighbours(e);
    const out: number[] = [];
    for (const k of CO_LISTING_K) {
      let hit = 0, total = 0, hitLonger = 0, totalLonger = 0;
      for (let j = 0; j < Math.min(k, nb.length); j++) {
        const { entry, sim } = nb[j]!;
        const listed = entry.candidates.has(premise) ? sim : 0;
        hit += listed;
        total += sim;
        if (entry.candidates.size >= e.candidates.size) {
          hitLonger += listed;
          totalLonger += sim;
        }
      }
      out.push(total > 0 ? hit / total : 0, totalLonger > 0 ? hitLonger / totalLonger : 0);
    }
    return out;
  }

  private index(e: Entry): void {
    const v = new Map<number, number>();
    for (const s of this.analyse(e.goal).symbols) {
      let id = this.featureIds.get(s);
      if (id === undefined) {
        this.featureIds.set(s, (id = this.featureIds.size));
        this.postings.push([]);
      }
      v.set(id, this.idf(s));
    }
    let norm = 0;
    for (const [id, w] of v) {
      norm += w * w;
      this.postings[id]!.push([e.at, w]);
    }
    this.vectors.push(v);
    this.norms.push(Math.sqrt(norm) || 1);
  }

  private neighbours(e: Entry): Array<{ entry: Entry; sim: number }> {
    if (e.neighbours) return e.neighbours;
    const dot = new Float64Array(e.at);
    for (const [id, w] of this.vectors[e.at]!) {
      for (const [at, w2] of this.postings[id]!) {
        if (at >= e.at) break; // postings are in library order
        dot[at]! += w * w2;
      }
    }
    const found: Array<{ entry: Entry; sim: number }> = [];
    for (let at = 0; at < e.at; at++) {
      if (dot[at]! > 0) found.push({ entry: this.entries[at]!, sim: dot[at]! / (this.norms[e.at]! * this.norms[at]!) });
    }
    // Ties keep library order, so the columns do not depend on how the sort breaks them.
    found.sort((a, b) => b.sim - a.sim || a.entry.at - b.entry.at);
    return (e.neighbours = found.slice(0, CO_LISTING_K[CO_LISTING_K.length - 1]));
  }
}
