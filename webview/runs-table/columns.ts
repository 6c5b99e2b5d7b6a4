// The runs table's columns and row texts, as plain functions (tested without a browser): the config values that
// differ between runs (from their overrides, Hydra's bookkeeping left out), the metrics any run has, and the
// text each cell shows and sorts by.
import type { TableRun } from '../contract.js';
import { formatDuration, formatNumber } from '../shared/format.js';
import { overrideColumns } from '../metrics/overrides.js';

export interface Column {
  id: string;
  title: string;
  kind: 'fixed' | 'config' | 'metric';
  numeric?: boolean;
  /** What the cell shows. */
  text(r: TableRun): string;
  /** What it sorts by: numbers as numbers, undefined last. */
  value(r: TableRun): number | string | undefined;
}

export function configColumns(runs: TableRun[]): Column[] {
  const { columns, values } = overrideColumns(runs.map((r) => r.overrides));
  const byKey = new Map(runs.map((r, i) => [r.key, i]));
  return columns
    .map((c, j) => ({ c, j }))
    .filter(({ j }) => new Set(values.map((v) => v[j])).size > 1)
    .map(({ c, j }) => ({
      id: `config:${c}`, title: c, kind: 'config' as const,
      text: (r: TableRun) => values[byKey.get(r.key)!]?.[j] ?? '',
      value: (r: TableRun) => {
        const v = values[byKey.get(r.key)!]?.[j] ?? '';
        return v === '' ? undefined : Number.isFinite(Number(v)) ? Number(v) : v;
      },
    }));
}

export function metricColumns(runs: TableRun[]): Column[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const r of runs) for (const k of Object.keys(r.metrics)) if (!seen.has(k)) { seen.add(k); names.push(k); }
  const cols: Column[] = names.map((m) => ({
    id: `metric:${m}`, title: m, kind: 'metric', numeric: true,
    text: (r) => (r.metrics[m] === undefined ? '' : formatNumber(r.metrics[m])),
    value: (r) => r.metrics[m],
  }));
  if (runs.some((r) => r.best)) {
    cols.push({ id: 'best', title: 'best', kind: 'metric', numeric: true,
      text: (r) => (r.best ? `${formatNumber(r.best.value)} ${r.best.metric}` : ''), value: (r) => r.best?.value });
  }
  return cols;
}

export const FIXED: Column[] = [
  { id: 'run', title: 'run', kind: 'fixed', text: (r) => r.label, value: (r) => r.startedAt ?? r.label },
  { id: 'status', title: 'status', kind: 'fixed', text: (r) => r.status, value: (r) => r.status },
  { id: 'experiment', title: 'experiment', kind: 'fixed', text: (r) => `${r.experiment}/${r.name}`, value: (r) => `${r.experiment}/${r.name}` },
  { id: 'duration', title: 'duration', kind: 'fixed', numeric: true, text: (r) => formatDuration(r.durationS), value: (r) => r.durationS },
  { id: 'host', title: 'host', kind: 'fixed', text: (r) => r.host ?? '', value: (r) => r.host },
  { id: 'tags', title: 'tags', kind: 'fixed', text: (r) => r.tags.join(', '), value: (r) => r.tags.join(',') || undefined },
  { id: 'notes', title: 'notes', kind: 'fixed', text: (r) => r.notes, value: (r) => r.notes || undefined },
];

// One collator for every comparison: `localeCompare` with options builds a new one per call, which made sorting
// 1,000 rows take most of the table's first render.
const collator = new Intl.Collator(undefined, { numeric: true });

export function compareValues(a: number | string | undefined, b: number | string | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return collator.compare(String(a), String(b));
}

/** Every word of the filter must appear in the row: its cells, `status:<s>`, `tag:<t>`, its overrides, its id. */
export function searchText(r: TableRun, columns: Column[]): string {
  return [r.id, r.key, `status:${r.status}`, ...r.tags.map((t) => `tag:${t}`), ...r.overrides, r.reason ?? '',
    ...columns.map((c) => c.text(r))].join(' ').toLowerCase();
}

export function matches(search: string, filter: string): boolean {
  return filter.toLowerCase().split(/\s+/).filter(Boolean).every((w) => search.includes(w));
}

export type GroupBy = 'none' | 'sweep' | 'experiment';

export function groupOf(r: TableRun, by: GroupBy): string {
  if (by === 'sweep') return r.sweep ? `${r.experiment}/${r.name} · ${r.sweep.label}` : 'single runs';
  if (by === 'experiment') return `${r.experiment}/${r.name}`;
  return '';
}
