// Sweep-table columns from the runs' override lists: one column per override key, in first-seen order. Hydra's
// own bookkeeping (`hydra/launcher=...`, `hydra.job.num`, `hydra.launcher.hosts`) says how a job ran, not what
// was tried, so it never becomes a column or a legend entry.
export function overrideKey(o: string): { key: string; value: string } | undefined {
  if (o.startsWith('~')) return { key: o.slice(1).split('=')[0], value: '(deleted)' };
  const eq = o.indexOf('=');
  if (eq < 0) return undefined;
  return { key: o.slice(0, eq).replace(/^\+{1,2}/, ''), value: o.slice(eq + 1) };
}

export function isBookkeeping(key: string): boolean {
  return key === 'hydra' || /^hydra[./]/.test(key);
}

export function overrideColumns(lists: string[][]): { columns: string[]; values: string[][] } {
  const columns: string[] = [];
  const parsed = lists.map((l) => {
    const m = new Map<string, string>();
    for (const o of l) {
      const kv = overrideKey(o);
      if (!kv || isBookkeeping(kv.key)) continue;
      if (!columns.includes(kv.key)) columns.push(kv.key);
      m.set(kv.key, kv.value);
    }
    return m;
  });
  return { columns, values: parsed.map((m) => columns.map((c) => m.get(c) ?? '')) };
}

/**
 * Legend names: the run's label and the values swept across the runs shown (keys whose value differs), with the
 * key's last part when that is unambiguous: `#2 lr=0.01 seed=3`.
 */
export function legendLabels(runs: { label: string; overrides: string[] }[]): string[] {
  const { columns, values } = overrideColumns(runs.map((r) => r.overrides));
  const swept = columns.map((_, j) => j).filter((j) => new Set(values.map((v) => v[j])).size > 1);
  const short = swept.map((j) => columns[j].split('.').pop()!);
  const names = swept.map((j, i) => (short.filter((s) => s === short[i]).length > 1 ? columns[j] : short[i]));
  return runs.map((r, i) => [r.label, ...swept.map((j, k) => (values[i][j] ? `${names[k]}=${values[i][j]}` : ''))]
    .filter(Boolean).join(' '));
}
