// OmegaConf's merge, on our nodes: dicts merge key by key (new keys appended, existing keys keep their place),
// everything else replaces, and `???` never erases a value. A replaced node's origin moves into the new node's
// history, which is the provenance chain hover shows. Nodes from the parse cache are shared, never mutated
// (see cow.ts).

import { ownDict, shallowCopy } from './cow.js';
import type { ConfigNode, DictNode, Origin } from './nodes.js';

function withHistory(next: ConfigNode, prev: ConfigNode): ConfigNode {
  const chain: Origin[] = [...(prev.history ?? [])];
  if (prev.origin) chain.push(prev.origin);
  if (!chain.length) return next;
  const copy = shallowCopy(next);
  copy.history = [...chain, ...(next.history ?? [])];
  return copy;
}

/** Merges `src` into `dest`, which composition owns; `src` is not modified (its nodes are shared). */
export function mergeInto(dest: DictNode, src: DictNode): void {
  if (src.origin && src.origin !== dest.origin) {
    dest.history = [...(dest.history ?? []), ...(dest.origin ? [dest.origin] : [])];
    dest.origin = src.origin;
  }
  for (const [k, se] of src.entries) {
    const de = dest.entries.get(k);
    const s = se.node;
    if (!de) {
      dest.entries.set(k, { key: se.key, node: s, ...(se.keyOrigin ? { keyOrigin: se.keyOrigin } : {}) });
      continue;
    }
    const d = de.node;
    if (d.kind === 'dict' && s.kind === 'dict') {
      const od = ownDict(d);
      de.node = od;
      mergeInto(od, s);
    } else if (s.kind === 'scalar' && s.type === 'missing') {
      // `???` never erases an existing value (OmegaConf keeps the destination).
      continue;
    } else {
      de.node = withHistory(s, d);
    }
    if (se.keyOrigin) de.keyOrigin = se.keyOrigin;
  }
}

/** Replaces a node, keeping the chain of what it replaced. */
export function replaceNode(prev: ConfigNode, next: ConfigNode): ConfigNode {
  return withHistory(next, prev);
}
