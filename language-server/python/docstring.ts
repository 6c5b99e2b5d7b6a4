// The line a docstring gives each parameter, in the three styles research code uses: Google (`Args:` then
// `name (type): text`), NumPy (`Parameters` / `----------` then `name : type` and an indented text) and
// Sphinx (`:param name: text`).

export function paramDocs(doc: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!doc) return out;
  const lines = doc.split('\n');
  for (const l of lines) {
    const m = /^\s*:param\s+(?:[^:\s]+\s+)?\*{0,2}(\w+)\s*:\s*(.*)$/.exec(l);
    if (m && m[2] && !out.has(m[1]!)) out.set(m[1]!, m[2].trim());
  }
  for (let i = 0; i < lines.length; i++) {
    const head = lines[i]!.trim();
    const google = /^(Args|Arguments|Parameters|Params|Keyword Args|Keyword Arguments|Attributes):$/.test(head);
    const numpy = /^(Parameters|Other Parameters|Attributes)$/.test(head) && /^\s*-{3,}\s*$/.test(lines[i + 1] ?? '');
    if (!google && !numpy) continue;
    const indentOf = (s: string) => s.length - s.trimStart().length;
    const sectionIndent = indentOf(lines[i]!);
    let j = numpy ? i + 2 : i + 1;
    let itemIndent: number | undefined;
    for (; j < lines.length; j++) {
      const l = lines[j]!;
      if (!l.trim()) continue;
      const ind = indentOf(l);
      if (google ? ind <= sectionIndent : ind < sectionIndent || /^\s*-{3,}\s*$/.test(lines[j + 1] ?? '')) break;
      itemIndent ??= ind;
      if (ind !== itemIndent) continue;
      const g = google ? /^\s*\*{0,2}(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$/.exec(l) : /^\s*\*{0,2}(\w+)\s*(?::.*)?$/.exec(l);
      if (!g) continue;
      let text = google ? g[2]!.trim() : '';
      if (!text) {
        const next = lines[j + 1];
        if (next && indentOf(next) > ind) text = next.trim();
      }
      if (text && !out.has(g[1]!)) out.set(g[1]!, text);
    }
  }
  return out;
}

/** The docstring's summary: its first paragraph, without the sections. */
export function summaryOf(doc: string | undefined): string | undefined {
  if (!doc) return undefined;
  const para = doc.split(/\n\s*\n/)[0]!.trim();
  return para || undefined;
}
