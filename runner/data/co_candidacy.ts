// Co-candidacy: did this premise stand in earlier candidate lists beside the other candidates of this one? Label-free.
// A list is a proof's premises plus the kNN selector's first unused picks; premises that keep turning up together
// in lists are the ones proofs and the selector reach for together. For a candidate P of a list, over the list's
// other candidates Q (by position; a copy of P's own formula is skipped), counting only lists *earlier* in library
// order (train, then val, then test, each in file order):
//   cocand_partners      how many Q shared at least one earlier list with P
//   cocand_log1p_shared  log1p of the number of (Q, earlier list) with both in the list
//   cocand_max_share     the largest share, over Q, of Q's earlier lists that also held P
//   cocand_share_sum     the sum of those shares
// A list's columns are fixed when the list joins the library, from the lists before it, so adding a later split
// never changes them.
import { type PairSet, listsOf } from './premise_pairs.js';

export const CO_CANDIDACY = ['cocand_partners', 'cocand_log1p_shared', 'cocand_max_share', 'cocand_share_sum'] as const;

/** Pair keys are lo * ID_SPAN + hi over premise ids. */
const ID_SPAN = 2 ** 26;

export class CoCandidacy {
  private readonly ids = new Map<string, number>();
  /** premise id -> number of earlier lists holding it */
  private readonly lists = new Map<number, number>();
  /** unordered premise pair -> number of earlier lists holding both */
  private readonly pairs = new Map<number, number>();
  /** conjecture -> premise text -> its CO_CANDIDACY columns */
  private readonly columns = new Map<string, Map<string, number[]>>();

  /** Whether every conjecture of `set` is in the library already. */
  has(set: PairSet): boolean {
    return set.conj.every((c) => this.columns.has(c));
  }

  /** Appends the lists of `set` (the next split in library order); a conjecture already in the library is skipped. */
  add(set: PairSet): void {
    const premises = set.premiseTexts;
    if (!premises) throw new Error('co-candidacy needs the pairs\' formula texts');
    for (const [conj, members] of listsOf(set.conj)) {
      if (this.columns.has(conj)) continue;
      const list = members.map((i) => premises[i]!);
      const ids = list.map((p) => this.id(p));
      const own = new Map<string, number[]>();
      ids.forEach((p, k) => {
        let partners = 0, shared = 0, max = 0, sum = 0;
        ids.forEach((q, m) => {
          if (m === k || q === p) return;
          const both = this.pairs.get(key(p, q)) ?? 0;
          if (!both) return;
          partners++;
          shared += both;
          const share = both / this.lists.get(q)!;
          max = Math.max(max, share);
          sum += share;
        });
        own.set(list[k]!, [partners, Math.log1p(shared), max, sum]);
      });
      this.columns.set(conj, own);
      const distinct = [...new Set(ids)];
      distinct.forEach((p, a) => {
        this.lists.set(p, (this.lists.get(p) ?? 0) + 1);
        for (let b = a + 1; b < distinct.length; b++) {
          const k = key(p, distinct[b]!);
          this.pairs.set(k, (this.pairs.get(k) ?? 0) + 1);
        }
      });
    }
  }

  /** The CO_CANDIDACY columns of a premise of a conjecture in the library. */
  features(conj: string, premise: string): number[] {
    const row = this.columns.get(conj)?.get(premise);
    if (!row) throw new Error(`co-candidacy: ${conj} and this premise were not added`);
    return row;
  }

  private id(premise: string): number {
    let id = this.ids.get(premise);
    if (id === undefined) this.ids.set(premise, (id = this.ids.size));
    return id;
  }
}

function key(p: number, q: number): number {
  return p < q ? p * ID_SPAN + q : q * ID_SPAN + p;
}
