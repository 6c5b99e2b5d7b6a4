// Sweep-table columns from the runs' override lists: one column per override key, in first-seen order.
export function overrideKey(o: string): { key: string; value: string } | undefined {
  if (o.startsWith('~')) return { key: o.slice(1).split('=')[0], value: '(deleted)' };
  const eq = o.indexOf('=');
  if (eq < 0) return undefined;
  return { key: o.slice(0, eq).replace(/^\+{1,2}/, ''), value: o.slice(eq + 1) };
}

export function overrideColumns(lists: string[][]): { columns: string[]; values: string[][] } {
  const columns: string[] = [];
  const parsed = lists.map((l) => {
    const m = new Map<string, string>();
    for (const o of l) {
      const kv = overrideKey(o);
      if (!kv) continue;
      if (!columns.includes(kv.key)) columns.push(kv.key);
      m.set(kv.key, kv.value);
    }
    return m;
  });
  return { columns, values: parsed.map((m) => columns.map((c) => m.get(c) ?? '')) };
}
