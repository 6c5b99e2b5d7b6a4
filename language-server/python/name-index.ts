// The workspace's classes and functions by name, for `_target_` completion before the first dot (`Enc` ->
// `lab.models.Encoder`). Kept sorted by lower-cased name, so a request is a binary search plus the matches,
// never a scan of every module. Built once when the crawl ends; afterwards each changed file moves only its
// own entries.
import type { PyModuleSummary } from './model.js';

export interface NamedSymbol {
  lower: string;
  name: string;
  kind: 'class' | 'function';
  file: string;
}

const compare = (a: NamedSymbol, b: NamedSymbol): number =>
  a.lower < b.lower ? -1 : a.lower > b.lower ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : a.file < b.file ? -1 : a.file > b.file ? 1 : 0;

function entriesOf(file: string, s: PyModuleSummary | undefined): NamedSymbol[] {
  const out: NamedSymbol[] = [];
  for (const [name, sym] of s?.symbols ?? []) {
    if ((sym.kind === 'class' || sym.kind === 'function') && !name.startsWith('_')) out.push({ lower: name.toLowerCase(), name, kind: sym.kind, file });
  }
  return out;
}

export class NameIndex {
  private readonly byFile = new Map<string, NamedSymbol[]>();
  /** Every entry in `compare` order; undefined until `seal()` (the crawl appends without sorting). */
  private sorted?: NamedSymbol[];

  /** Replaces a file's entries (no summary: the file is gone or unreadable). */
  set(file: string, summary: PyModuleSummary | undefined): void {
    const old = this.byFile.get(file);
    const next = entriesOf(file, summary);
    if (next.length) this.byFile.set(file, next);
    else this.byFile.delete(file);
    if (!this.sorted) return;
    for (const e of old ?? []) {
      const at = this.lowerBound(e);
      if (this.sorted[at] && compare(this.sorted[at]!, e) === 0) this.sorted.splice(at, 1);
    }
    for (const e of next) this.sorted.splice(this.lowerBound(e), 0, e);
  }

  /** Sorts what the crawl collected; from here on `set` keeps the order. */
  seal(): void {
    this.sorted = [...this.byFile.values()].flat().sort(compare);
  }

  get sealed(): boolean {
    return this.sorted !== undefined;
  }

  /** Entries whose name starts with `prefix` (case-insensitive), in name order, at most `limit`. */
  startingWith(prefix: string, limit: number, accept: (e: NamedSymbol) => boolean): NamedSymbol[] {
    const out: NamedSymbol[] = [];
    if (!this.sorted) return out;
    const lower = prefix.toLowerCase();
    for (let i = this.lowerBound({ lower, name: '', kind: 'class', file: '' }); i < this.sorted.length && out.length < limit; i++) {
      const e = this.sorted[i]!;
      if (!e.lower.startsWith(lower)) break;
      if (accept(e)) out.push(e);
    }
    return out;
  }

  private lowerBound(e: NamedSymbol): number {
    const xs = this.sorted!;
    let lo = 0;
    let hi = xs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(xs[mid]!, e) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
