// The `_target_` a composed node names, for features that start from one of its keys.
import type { DictNode } from '../../runner/config/nodes.js';
import { nodeAtComposedPath } from '../service/composed.js';
import type { PathSegment } from '../service/yaml-syntax.js';

export function targetOfNode(root: DictNode, path: PathSegment[]): string | undefined {
  const node = path.length ? nodeAtComposedPath(root, path) : root;
  if (node?.kind !== 'dict') return undefined;
  const t = node.entries.get('_target_')?.node;
  return t?.kind === 'scalar' && typeof t.value === 'string' && !t.value.includes('${') ? t.value : undefined;
}
