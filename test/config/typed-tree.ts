// A typed, order-preserving view of a node tree for comparisons: `{int: 1}` and `{float: 1}` differ, key order
// counts. Expected results are read back from Hydra's YAML output with our own loader (PyYAML's resolvers),
// which keeps the int/float distinction that JSON loses.

import type { ConfigNode } from '../../runner/config/nodes.js';
import { loadYaml } from '../../runner/config/yaml-load.js';

export type Typed = string | [string, ...Typed[]] | { [k: string]: Typed };

export function typed(node: ConfigNode): unknown {
  if (node.kind === 'scalar') {
    if (node.type === 'float' && Number.isNaN(node.value)) return 'float:nan';
    return `${node.type}:${String(node.value)}`;
  }
  if (node.kind === 'list') return node.items.map(typed);
  return [...node.entries.entries()].map(([k, e]) => [k, typed(e.node)]);
}

export function typedFromYaml(text: string): unknown {
  const y = loadYaml(text, 'expected.yaml');
  if (y.errors.length) throw new Error(`expected YAML does not load: ${y.errors[0]!.message}`);
  if (!y.node) return [];
  return typed(y.node);
}
