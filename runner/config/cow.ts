// Copy-on-write for composition. Parsed files are cached and shared by every composition, so composition never
// mutates a node it did not create: it takes ownership (a shallow copy) of a container just before changing
// it. A warm composition then copies only the containers that several files write into, not whole files.

import type { ConfigNode, DictNode, ListNode } from './nodes.js';

const owned = new WeakSet<ConfigNode>();

export function markOwned<T extends ConfigNode>(node: T): T {
  owned.add(node);
  return node;
}

/** This dict itself if composition created it, else a shallow copy (entries copied, child nodes shared). */
export function ownDict(node: DictNode): DictNode {
  if (owned.has(node)) return node;
  const entries = new Map<string, DictNode['entries'] extends Map<string, infer E> ? E : never>();
  for (const [k, e] of node.entries) entries.set(k, { ...e });
  const copy: DictNode = { ...node, entries, ...(node.history ? { history: node.history.slice() } : {}) };
  owned.add(copy);
  return copy;
}

export function ownList(node: ListNode): ListNode {
  if (owned.has(node)) return node;
  const copy: ListNode = { ...node, items: node.items.slice(), ...(node.history ? { history: node.history.slice() } : {}) };
  owned.add(copy);
  return copy;
}

/** A top-level copy whose own fields (origin, history) may be changed; children stay shared. */
export function shallowCopy<T extends ConfigNode>(node: T): T {
  if (node.kind === 'dict') return { ...node, ...(node.history ? { history: node.history.slice() } : {}) };
  if (node.kind === 'list') return { ...node, ...(node.history ? { history: node.history.slice() } : {}) };
  return markOwned({ ...node, ...(node.history ? { history: node.history.slice() } : {}) });
}
