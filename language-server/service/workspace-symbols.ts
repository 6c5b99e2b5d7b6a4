// Workspace symbols: every config file (by its config name, `model/mnist`) and every key a file sets (by its
// dotted path in that file, `optimizer.lr`), matched against the query as a case-insensitive subsequence,
// contiguous matches first. Keys come from the engine's load of each file (cached per file version).
import type { ConfigNode } from '../../runner/config/nodes.js';
import type { ConfigProject } from './project.js';
import type { Range } from './types.js';

export interface WorkspaceSymbol {
  name: string;
  kind: 'file' | 'key';
  /** The file (config name) a key is in; the folder of a file. */
  container: string;
  path: string;
  range: Range;
}

const MAX_RESULTS = 500;
/** Nesting levels of keys listed per file (deeper keys are found through their parents). */
const MAX_DEPTH = 6;

const perFile = new WeakMap<ConfigProject, Map<string, { version: unknown; symbols: WorkspaceSymbol[] }>>();

export function workspaceSymbols(projects: readonly ConfigProject[], query: string, limit = MAX_RESULTS): WorkspaceSymbol[] {
  const q = query.toLowerCase();
  const scored: { s: WorkspaceSymbol; score: number }[] = [];
  for (const project of projects) {
    for (const file of project.configFiles()) {
      for (const s of fileSymbols(project, file)) {
        const score = match(s.name.toLowerCase(), q);
        if (score >= 0) scored.push({ s, score });
      }
    }
  }
  scored.sort((a, b) => a.score - b.score || a.s.name.length - b.s.name.length || (a.s.path < b.s.path ? -1 : a.s.path > b.s.path ? 1 : a.s.range[0] - b.s.range[0]));
  return scored.slice(0, limit).map((x) => x.s);
}

/** -1: no match; 0: contiguous, 1: subsequence. An empty query matches everything. */
function match(name: string, q: string): number {
  if (!q || name.includes(q)) return 0;
  let i = 0;
  for (const c of name) if (c === q[i]) i++;
  return i === q.length ? 1 : -1;
}

function fileSymbols(project: ConfigProject, file: string): WorkspaceSymbol[] {
  let cache = perFile.get(project);
  if (!cache) perFile.set(project, (cache = new Map()));
  const version = project.source.version?.(file);
  const hit = cache.get(file);
  if (hit && hit.version === version && version !== undefined) return hit.symbols;
  const path = project.absolute(file);
  const name = file.replace(/\.ya?ml$/, '');
  const symbols: WorkspaceSymbol[] = [{ name, kind: 'file', container: file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '', path, range: [0, 0] }];
  if (!project.isSweepFile(file) && !project.limit(file)) {
    const node = project.loadFile(file)?.node;
    if (node) keys(node, [], symbols, name, path);
  }
  cache.set(file, { version, symbols });
  return symbols;
}

function keys(node: ConfigNode, prefix: string[], out: WorkspaceSymbol[], container: string, path: string): void {
  if (node.kind !== 'dict' || prefix.length >= MAX_DEPTH) return;
  for (const [k, e] of node.entries) {
    if (prefix.length === 0 && k === 'defaults') continue;
    const o = e.keyOrigin ?? e.node.origin;
    const at = [...prefix, k];
    if (o?.kind === 'file') out.push({ name: at.join('.'), kind: 'key', container, path, range: [...(o.keyRange ?? o.valueRange)] as Range });
    keys(e.node, at, out, container, path);
  }
}
