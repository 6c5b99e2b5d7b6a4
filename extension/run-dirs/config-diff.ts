// "Compare runs": the keys whose composed values differ between runs, read from each run's saved config
// (.hydra/config.yaml, written by the runner as Hydra does). Values are shown as compact JSON; a key a run lacks
// shows as `(absent)`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { ConfigDiff } from '../../webview/contract.js';

const ABSENT = '(absent)';

/** Dotted keys to compact values; lists are one value (their JSON), so a changed list is one row. */
export function flattenConfig(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (!entries.length && prefix) out.set(prefix, '{}');
    for (const [k, v] of entries) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out.set(prefix, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return out;
}

export function readRunConfig(dir: string): Map<string, string> {
  try {
    return flattenConfig(parse(readFileSync(join(dir, '.hydra', 'config.yaml'), 'utf8')));
  } catch (e) {
    return new Map([['(config)', `unreadable: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`]]);
  }
}

/**
 * Rows for the keys whose values differ. With the runs' directories, keys whose every value is the run's own
 * directory (or a path inside it: `exp_config.directory`, `checkpoint_dir`) are left out: they always differ.
 */
export function configDiff(labels: string[], configs: Map<string, string>[], dirs?: string[]): ConfigDiff {
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const c of configs) for (const k of c.keys()) if (!seen.has(k)) { seen.add(k); keys.push(k); }
  const rows = keys.map((key) => ({ key, values: configs.map((c) => c.get(key) ?? ABSENT) }))
    .filter((r) => new Set(r.values).size > 1)
    .filter((r) => !dirs || !r.values.every((v, i) => v === dirs[i] || v.startsWith(`${dirs[i]}/`)));
  return { runs: labels, rows };
}
