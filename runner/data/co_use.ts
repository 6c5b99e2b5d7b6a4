// Premise co-use within a candidate list, learned from the training labels: proofs use premises in families (the
// definition of a notion with its basic properties), and the kNN selector's candidates for one goal often contain
// several members of one family. For a candidate P of a list, over the list's other candidates Q:
//   co_use_log1p_both     log1p of the number of training lists where Q and P were both used
//   co_use_log1p_listed   log1p of the number where Q was used and P was a candidate
//   co_use_log_odds_sum   sum over Q of log((both + 0.5) / (listed - both + 0.5)): "P used, given Q used and P
//                         listed", over the Q with listed > 0
//   co_use_log_odds_max   the largest of those (-9 when there is none)
// A pair leaves out the training lists of its own group (its conjecture, or its whole article), as every
// label-derived column does (context_features.ts).
import { type PairSet, listsOf } from './premise_pairs.js';

export const CO_USE = ['co_use_log1p_both', 'co_use_log1p_listed', 'co_use_log_odds_sum', 'co_use_log_odds_max'] as const;

/** (Q, P) -> [lists where Q and P were both used, lists where Q was used and P was a candidate] */
type Counts = Map<number, [number, number]>;

export class CoUse {
  /** premise text -> id (keys of the count tables are qId * size + pId) */
  private readonly ids = new Map<string, number>();
  private readonly all: Counts = new Map();
  private readonly byGroup = new Map<string, Counts>();
  private readonly size: number;

  /** `group` maps a conjecture to what its pairs leave out (itself, or its article). */
  constructor(train: PairSet, premises: string[], private readonly group: (conj: string) => string) {
    for (const p of premises) if (!this.ids.has(p)) this.ids.set(p, this.ids.size);
    this.size = this.ids.size;
    for (const [conj, members] of listsOf(train.conj)) {
      const g = this.group(conj);
      const own = this.byGroup.get(g) ?? new Map();
      this.byGroup.set(g, own);
      const used = members.filter((i) => train.labels[i]! > 0.5);
      for (const u of used) {
        const q = this.ids.get(premises[u]!)!;
        for (const i of members) {
          const p = this.ids.get(premises[i]!)!;
          if (p === q) continue;
          // Per candidate position: a formula listed twice, used once and not once, counts once each way.
          const both = train.labels[i]! > 0.5 ? 1 : 0;
          for (const c of [this.all, own]) {
            const v = c.get(q * this.size + p);
            if (v) {
              v[0] += both;
              v[1]++;
            } else c.set(q * this.size + p, [both, 1]);
          }
        }
      }
    }
  }

  private counts(q: string, p: string, own: Counts | undefined): [number, number] {
    const qi = this.ids.get(q);
    const pi = this.ids.get(p);
    if (qi === undefined || pi === undefined) return [0, 0];
    const key = qi * this.size + pi;
    const [both, listed] = this.all.get(key) ?? [0, 0];
    const [ownBoth, ownListed] = own?.get(key) ?? [0, 0];
    return [both - ownBoth, listed - ownListed];
  }

  /** The CO_USE columns of every candidate of one conjecture's list (premise texts), in list order. */
  features(list: string[], conj: string): number[][] {
    const own = this.byGroup.get(this.group(conj));
    return list.map((p, k) => {
      let both = 0, listed = 0, sum = 0, max = -9;
      list.forEach((q, m) => {
        if (m === k) return;
        const [b, l] = this.counts(q, p, own);
        both += b;
        listed += l;
        if (l > 0) {
          const lo = Math.log((b + 0.5) / (l - b + 0.5));
          sum += lo;
          max = Math.max(max, lo);
        }
      });
      return [Math.log1p(both), Math.log1p(listed), sum, max];
    });
  }
}
