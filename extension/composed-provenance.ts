// Where each value of a composed-config document came from: the YAML text is parsed back (the `yaml` package keeps
// every node's offsets) and each key or item is matched by its path to the composed config's provenance (the
// language server's bait/composedConfig result). Plain functions, no vscode: the hover and go-to-source of the
// composed view use them, and tests run them directly.
import { isMap, isPair, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import type { ComposedNode, ProvenanceOrigin } from '../language-server/protocol.js';

export interface Spot {
  path: (string | number)[];
  /** Offsets of the key (or the list item's dash-less value) and of the whole entry, in the text. */
  start: number;
  end: number;
}

/** Every key and list item of the YAML text with its path and span, outer entries before inner ones. */
export function spotsOf(text: string): Spot[] {
  const out: Spot[] = [];
  const doc = parseDocument(text);
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (isMap(node)) {
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const key = isScalar(item.key) ? String(item.key.value) : String(item.key);
        const keyNode = item.key as YamlNode | null;
        const valueNode = item.value as YamlNode | null;
        const start = keyNode?.range?.[0];
        const end = valueNode?.range?.[1] ?? keyNode?.range?.[1];
        if (start !== undefined && end !== undefined) out.push({ path: [...path, key], start, end });
        walk(item.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const r = (item as YamlNode | null)?.range;
        if (r) out.push({ path: [...path, i], start: r[0], end: r[1] });
        walk(item, [...path, i]);
      });
    }
  };
  walk(doc.contents, []);
  return out;
}

/** The composed node at a path, or undefined. */
export function nodeAt(root: ComposedNode | null, path: (string | number)[]): ComposedNode | undefined {
  let n: ComposedNode | undefined = root ?? undefined;
  for (const p of path) {
    if (!n) return undefined;
    if (n.kind === 'dict') n = n.entries.find((e) => e.key === String(p))?.node;
    else if (n.kind === 'list' && typeof p === 'number') n = n.items[p];
    else return undefined;
  }
  return n;
}

/** The innermost entry at an offset, with its provenance. */
export function provenanceAt(text: string, root: ComposedNode | null, offset: number, spots = spotsOf(text)):
    { spot: Spot; origin?: ProvenanceOrigin; history: ProvenanceOrigin[] } | undefined {
  let best: Spot | undefined;
  for (const s of spots) if (s.start <= offset && offset <= s.end && (!best || s.end - s.start <= best.end - best.start)) best = s;
  if (!best) return undefined;
  const node = nodeAt(root, best.path);
  if (!node) return { spot: best, history: [] };
  return { spot: best, origin: node.origin, history: node.history ?? [] };
}

/** One line naming an origin, for hovers: `configs/a.yaml:3:5`, `override #2 'lr=0.1'`, `built in (Hydra)`. */
export function describeOrigin(o: ProvenanceOrigin, shorten: (uri: string) => string = (u) => u): string {
  if (o.kind === 'file') return `${shorten(o.location.uri)}:${o.location.range.start.line + 1}:${o.location.range.start.character + 1}`;
  if (o.kind === 'override') return `override #${o.index + 1} \`${o.text}\``;
  return `built in (${o.what})`;
}

export function dottedPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('');
}
