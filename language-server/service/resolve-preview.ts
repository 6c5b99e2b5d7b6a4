// A preview of what an interpolated value resolves to, for hovers: plain key references (`${a.b}`, `${.x}`)
// are followed through the composed tree; resolver calls (`${now:...}`, `${oc.env:...}`) stay as written,
// because their result depends on the moment and the machine the run happens on.
import type { ConfigNode } from '../../runner/config/nodes.js';
import { nodeAtComposedPath, shortValue } from './composed.js';
import { interpolationSpans, referencePath } from './interpolation-text.js';
import type { PathSegment } from './yaml-syntax.js';

export function previewResolved(root: ConfigNode, node: ConfigNode, path: readonly PathSegment[], depth = 0): string | undefined {
  if (node.kind !== 'scalar' || node.type !== 'str' || typeof node.value !== 'string' || !node.value.includes('${')) return undefined;
  if (depth > 16) return undefined;
  const text = node.value;
  const top = interpolationSpans(text).filter((s, _, all) => !all.some((o) => o !== s && o.range[0] < s.range[0] && o.range[1] >= s.range[1]));
  let out = '';
  let last = 0;
  const container = path.slice(0, -1);
  for (const span of top) {
    out += text.slice(last, span.range[0]);
    last = span.range[1];
    const ref = span.closed ? referencePath(span.inner, container) : undefined;
    const target = ref ? nodeAtComposedPath(root, ref) : undefined;
    if (!ref || !target) {
      out += text.slice(span.range[0], span.range[1]);
      continue;
    }
    const nested = previewResolved(root, target, ref, depth + 1);
    if (nested !== undefined) out += nested;
    else if (target.kind === 'scalar' && target.type === 'str') out += String(target.value);
    else out += shortValue(target, 200);
  }
  return out + text.slice(last);
}
