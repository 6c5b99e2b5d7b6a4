// Quick fixes: a diagnostic that carries options (an unknown group option) offers one edit per option that
// replaces the wrong name in the defaults item.
import type { ConfigProject } from './project.js';
import type { CodeAction, Diagnostic, Range } from './types.js';

const overlaps = (a: Range, b: Range) => a[0] <= b[1] && b[0] <= a[1];

export function quickFixes(project: ConfigProject, rel: string, diagnostics: Diagnostic[]): CodeAction[] {
  const out: CodeAction[] = [];
  const syntax = project.syntax(rel);
  for (const d of diagnostics) {
    const options = d.data?.options;
    if (!options?.length) continue;
    // Replace exactly the option text the diagnostic is about, not the whole item.
    let target: Range = d.data?.replace ?? d.range;
    const item = d.data?.replace ? undefined : syntax?.defaults.find((i) => overlaps(i.range, d.range));
    if (item?.isGroup) {
      const opt = item.options.find((o) => overlaps(o.range, d.range) && o.range[0] >= d.range[0]) ?? (item.options.length === 1 ? item.options[0] : undefined);
      if (opt) target = opt.range;
    } else if (item) {
      // A config path: only its last segment is the name the options replace.
      const slash = item.name.lastIndexOf('/');
      target = [item.nameRange[0] + slash + 1, item.nameRange[1]];
    }
    const written = syntax?.text.slice(target[0], target[1]) ?? '';
    const ranked = [...options].sort((a, b) => similarity(written, b) - similarity(written, a));
    ranked.forEach((option, i) => {
      out.push({ title: `Change to '${option}'`, kind: 'quickfix', edits: [{ path: project.absolute(rel), range: target, newText: option }],
        diagnostic: d, ...(i === 0 ? { isPreferred: true } : {}) });
    });
  }
  return out;
}

/** Shared-bigram similarity, so the likeliest fix comes first (a typo's intended name). */
function similarity(a: string, b: string): number {
  const grams = (s: string) => {
    const m = new Map<string, number>();
    for (let i = 0; i < s.length - 1; i++) m.set(s.slice(i, i + 2), (m.get(s.slice(i, i + 2)) ?? 0) + 1);
    return m;
  };
  const ga = grams(a.toLowerCase());
  const gb = grams(b.toLowerCase());
  let shared = 0;
  for (const [g, n] of ga) shared += Math.min(n, gb.get(g) ?? 0);
  return (2 * shared) / Math.max(1, a.length + b.length - 2);
}
