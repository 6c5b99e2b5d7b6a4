// Reading the composed tree: walking to a path, printing values briefly, and locating origins in files.
import { keyString, toPlain, type ConfigNode, type DictEntry, type DictNode, type Origin } from '../../runner/config/nodes.js';
import type { ResolvedDefault } from './engine.js';
import type { PathSegment } from './yaml-syntax.js';

/** The composed node at a path ('' segments are ignored), or undefined. */
export function nodeAtComposedPath(root: ConfigNode | undefined, path: readonly PathSegment[]): ConfigNode | undefined {
  let node: ConfigNode | undefined = root;
  for (const seg of path) {
    if (!node) return undefined;
    if (node.kind === 'dict') node = node.entries.get(typeof seg === 'number' ? String(seg) : seg)?.node;
    else if (node.kind === 'list') {
      const i = typeof seg === 'number' ? seg : /^\d+$/.test(seg) ? Number(seg) : NaN;
      node = Number.isNaN(i) ? undefined : node.items[i];
    } else return undefined;
  }
  return node;
}

/** The dict entry (with its key origin) that holds the node at a path. */
export function entryAtComposedPath(root: ConfigNode | undefined, path: readonly PathSegment[]) {
  if (!path.length) return undefined;
  const parent = nodeAtComposedPath(root, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (parent?.kind === 'dict') return parent.entries.get(String(last));
  return undefined;
}

/** A package (`a.b`, '' = root) as path segments. */
export function packagePath(pkg: string): string[] {
  return pkg ? pkg.split('.') : [];
}

/** A one-line rendering of a value for completion details and hovers. */
export function shortValue(node: ConfigNode, max = 80): string {
  let s: string;
  if (node.kind === 'scalar') {
    if (node.type === 'missing') s = '???';
    else if (node.type === 'null') s = 'null';
    else if (node.type === 'str') s = JSON.stringify(node.value);
    else if (node.type === 'bool') s = node.value ? 'true' : 'false';
    else s = String(node.value);
  } else if (node.kind === 'list') s = node.items.length ? JSON.stringify(toPlain(node)) : '[]';
  else s = node.entries.size ? `{${[...node.entries.keys()].join(', ')}}` : '{}';
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

/** The dotted path of a list of segments, as a user writes it in an override. */
export function dotted(path: readonly PathSegment[]): string {
  return path.map(String).join('.');
}

export function isDict(n: ConfigNode | undefined): n is DictNode {
  return n?.kind === 'dict';
}

/** Every definition of a node, oldest first: its history and then the origin that won. */
export function definitionChain(node: ConfigNode, keyOrigin?: Origin): Origin[] {
  const chain = [...(node.history ?? [])];
  const last = node.origin ?? keyOrigin;
  if (last) chain.push(last);
  return chain;
}

export { keyString };

/**
 * The keys that files merged before `rel` put at a composed path, later files winning, as the engine loaded
 * them (with origins). Used where the composed value is not a mapping because this file's own text replaced
 * it, e.g. a key just typed with no value yet (`encoder:` is null, and null replaces the inherited mapping).
 */
export function inheritedEntries(
  defaults: readonly ResolvedDefault[],
  fileOf: (d: ResolvedDefault) => string | undefined,
  load: (file: string) => DictNode | undefined,
  rel: string,
  composedPath: readonly PathSegment[],
): Map<string, DictEntry> {
  const out = new Map<string, DictEntry>();
  let stop = defaults.findIndex((d) => fileOf(d) === rel && d.isSelf);
  if (stop < 0) stop = defaults.findIndex((d) => fileOf(d) === rel);
  for (let i = 0; i < stop; i++) {
    const d = defaults[i]!;
    const file = fileOf(d);
    if (!file || file === rel) continue;
    const pkg = packagePath(d.package);
    if (pkg.length > composedPath.length || pkg.some((p, j) => composedPath[j] !== p)) continue;
    const node = nodeAtComposedPath(load(file), composedPath.slice(pkg.length));
    if (node?.kind !== 'dict') continue;
    for (const [k, e] of node.entries) {
      out.delete(k);
      out.set(k, e);
    }
  }
  return out;
}
