// Nodes of the config model have no parent pointers, but OmegaConf's semantics need them: `${.x}` is relative
// to the parent of the node that holds it, and `${a}` starts at the root of the tree the node lives in. A Loc
// is a node together with where it sits. Locs of one tree are created once per (parent, key), so they can key
// caches by identity. Values that resolvers and the grammar create are "detached" Locs: they have a parent
// (the container of the interpolation, as OmegaConf gives them) but are not in the tree.

import type { ConfigNode } from '../nodes.js';

export interface Loc {
  readonly node: ConfigNode;
  readonly parent: Loc | null;
  /** Key in the parent: the canonical key string in a dict, the index in a list, null at a root. */
  readonly key: string | number | null;
  /**
   * A value that is already resolved (a resolver's result, a literal of the grammar): strings in it are never
   * read as interpolations again, as OmegaConf never resolves an interpolation's result a second time.
   */
  readonly final: boolean;
  /** Child Locs created so far (and, for values built by the grammar, the Locs of their elements). */
  children?: Map<string | number, Loc>;
}

export function rootLoc(node: ConfigNode): Loc {
  return { node, parent: null, key: null, final: false };
}

export function detached(node: ConfigNode, parent: Loc | null, key: string | number | null, final: boolean): Loc {
  return { node, parent, key, final };
}

/** The Loc of a container's child, or null when there is no such child. */
export function childLoc(parent: Loc, key: string | number): Loc | null {
  const known = parent.children?.get(key);
  if (known) return known;
  const node = parent.node;
  let child: ConfigNode | undefined;
  if (node.kind === 'dict' && typeof key === 'string') child = node.entries.get(key)?.node;
  else if (node.kind === 'list' && typeof key === 'number') child = node.items[key];
  if (!child) return null;
  const loc: Loc = { node: child, parent, key, final: parent.final };
  (parent.children ??= new Map()).set(key, loc);
  return loc;
}

/** The keys of a container, as `childLoc` takes them. */
export function childKeys(loc: Loc): (string | number)[] {
  const node = loc.node;
  if (node.kind === 'dict') return [...node.entries.keys()];
  if (node.kind === 'list') return node.items.map((_, i) => i);
  return [];
}

export function topOf(loc: Loc): Loc {
  let l = loc;
  while (l.parent) l = l.parent;
  return l;
}

/** OmegaConf's full key: `a.b`, `a.list[0].c`; '' for a root. */
export function fullKey(loc: Loc): string {
  const segments: { text: string; index: boolean }[] = [];
  for (let l: Loc | null = loc; l && l.parent; l = l.parent) {
    segments.push(typeof l.key === 'number' ? { text: `[${l.key}]`, index: true } : { text: String(l.key), index: false });
  }
  let out = '';
  for (let i = segments.length - 1; i >= 0; i--) {
    const s = segments[i]!;
    out += s.index || out === '' ? s.text : '.' + s.text;
  }
  return out;
}

/** The nearest origin on the way to the root: detached values report where their interpolation is. */
export function originOf(loc: Loc): ConfigNode['origin'] {
  for (let l: Loc | null = loc; l; l = l.parent) if (l.node.origin) return l.node.origin;
  return undefined;
}

