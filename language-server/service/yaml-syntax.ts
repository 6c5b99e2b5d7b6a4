// The syntax of one config file as the editor features need it: the YAML AST with offsets, the `# @package`
// header and the defaults list entries with the range of every part. It is parsed leniently (broken YAML still
// gives a tree) and never throws.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type Scalar } from 'yaml';
import type { Range } from '../../runner/config/nodes.js';

export type PathSegment = string | number;

export interface HeaderInfo {
  /** The package as written after `# @package`. */
  value: string;
  /** Range of the value text. */
  range: Range;
}

/** One defaults-list item, split into the parts a user can point at. */
export interface DefaultsItem {
  /** Range of the whole item (scalar or single-pair mapping). */
  range: Range;
  keyword?: 'override' | 'optional';
  /** The group or config path as written, without keyword and `@package` (`db`, `/base/data_config`, `_self_`). */
  name: string;
  nameRange: Range;
  package?: string;
  packageRange?: Range;
  /** True for `group: option` items; false for plain config items (`- hol4`, `- _self_`). */
  isGroup: boolean;
  /** Options of a group item: one for `db: mysql`, several for `db: [a, b]`; `null` text for `db: null`. */
  options: { text: string | null; range: Range }[];
  /** Range of the value (after the colon) of a group item, even when empty. */
  valueRange?: Range;
}

export interface FileSyntax {
  text: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  header?: HeaderInfo;
  defaults: DefaultsItem[];
  /** Range of the `defaults:` key, when present at the root. */
  defaultsKeyRange?: Range;
  /** Range of the defaults list value, when present. */
  defaultsValueRange?: Range;
}

export function parseSyntax(text: string): FileSyntax {
  const lineCounter = new LineCounter();
  // `uniqueKeys: false` so a duplicate key still gives a tree; the engine reports duplicates itself.
  const doc = parseDocument(text, { lineCounter, keepSourceTokens: false, uniqueKeys: false, prettyErrors: false });
  const syntax: FileSyntax = { text, doc, lineCounter, defaults: [] };
  const header = parseHeader(text);
  if (header) syntax.header = header;
  if (isMap(doc.contents)) {
    const pair = doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'defaults');
    if (pair) {
      const k = pair.key as Node;
      if (k.range) syntax.defaultsKeyRange = [k.range[0], k.range[1]];
      const v = pair.value as Node | null;
      if (v?.range) syntax.defaultsValueRange = [v.range[0], v.range[1]];
      if (isSeq(v)) {
        for (const item of v.items) {
          const d = defaultsItem(text, item as Node);
          if (d) syntax.defaults.push(d);
        }
      }
    }
  }
  return syntax;
}

/** `# @package X` counts only among the leading comment lines, and only before any plain comment. */
export function parseHeader(text: string): HeaderInfo | undefined {
  const re = /^[ \t]*#[ \t]*@package[ \t]+(\S*)[^\n]*$/;
  let offset = 0;
  while (offset < text.length) {
    const nl = text.indexOf('\n', offset);
    const end = nl < 0 ? text.length : nl;
    const line = text.slice(offset, end).replace(/\r$/, '');
    if (line.trim() === '') {
      offset = end + 1;
      continue;
    }
    if (!line.trimStart().startsWith('#')) return undefined;
    const m = re.exec(line);
    if (m) {
      const start = offset + line.indexOf(m[1]!, line.indexOf('@package') + 8);
      return { value: m[1]!, range: [start, start + m[1]!.length] };
    }
    return undefined;
  }
  return undefined;
}

function splitName(raw: string, start: number): Pick<DefaultsItem, 'keyword' | 'name' | 'nameRange' | 'package' | 'packageRange'> {
  let rest = raw;
  let at = start;
  let keyword: DefaultsItem['keyword'];
  const kw = /^(override|optional)\s+/.exec(rest);
  if (kw) {
    keyword = kw[1] as DefaultsItem['keyword'];
    at += kw[0].length;
    rest = rest.slice(kw[0].length);
  }
  const atSign = rest.indexOf('@');
  const name = (atSign < 0 ? rest : rest.slice(0, atSign)).trimEnd();
  const out: ReturnType<typeof splitName> = { name, nameRange: [at, at + name.length] };
  if (keyword) out.keyword = keyword;
  if (atSign >= 0) {
    const pkg = rest.slice(atSign + 1).trim();
    out.package = pkg;
    out.packageRange = [at + atSign + 1, at + atSign + 1 + pkg.length];
  }
  return out;
}

function defaultsItem(text: string, item: Node | null): DefaultsItem | undefined {
  if (!item?.range) return undefined;
  const range: Range = [item.range[0], item.range[1]];
  if (isScalar(item)) {
    const raw = text.slice(item.range[0], item.range[1]);
    // Quoted scalars are rare here; strip the quotes so the name is what Hydra sees.
    const unq = /^(['"])(.*)\1$/.exec(raw);
    const parts = splitName(unq ? unq[2]! : raw, item.range[0] + (unq ? 1 : 0));
    return { range, ...parts, isGroup: false, options: [] };
  }
  if (isMap(item) && item.items.length >= 1) {
    const pair = item.items[0] as Pair<Node | null, Node | null>;
    const key = pair.key;
    if (!key?.range) return undefined;
    const parts = splitName(text.slice(key.range[0], key.range[1]), key.range[0]);
    const value = pair.value;
    const options: DefaultsItem['options'] = [];
    let valueRange: Range | undefined;
    if (value?.range) {
      valueRange = [value.range[0], value.range[1]];
      if (isSeq(value)) {
        for (const o of value.items as (Node | null)[]) {
          if (isScalar(o) && o.range) options.push({ text: o.value === null ? null : String(o.value), range: [o.range[0], o.range[1]] });
        }
      } else if (isScalar(value)) {
        options.push({ text: value.value === null ? null : String(value.value), range: valueRange });
      }
    } else {
      const end = key.range[1] + 1;
      valueRange = [end, end];
    }
    const out: DefaultsItem = { range, ...parts, isGroup: true, options };
    if (valueRange) out.valueRange = valueRange;
    return out;
  }
  return undefined;
}

/** What the offset points at in the YAML tree: a key, or a scalar value, with its path from the root. */
export interface NodeAt {
  path: PathSegment[];
  part: 'key' | 'value';
  /** The pointed key's range (part 'key') or the scalar's range (part 'value'). */
  range: Range;
  /** The scalar value's source range when the path ends at a scalar. */
  valueRange?: Range;
}

export function nodeAt(syntax: FileSyntax, offset: number): NodeAt | undefined {
  return walk(syntax.doc.contents as Node | null, offset, []);
}

const inside = (r: readonly number[] | undefined | null, offset: number) => !!r && offset >= r[0]! && offset <= r[1]!;

function walk(node: Node | null, offset: number, path: PathSegment[]): NodeAt | undefined {
  if (!node) return undefined;
  if (isMap(node)) {
    const pairs = (node.items as Pair<Node | null, Node | null>[]).filter((p) => isScalar(p.key) && p.key.range);
    const name = (p: Pair<Node | null, Node | null>) => ((p.key as Scalar).value === null ? '' : String((p.key as Scalar).value));
    // Keys first: a block value's range runs to the start of the next key's line, so the first column of a
    // key is also the end of the value before it, and the cursor there means the key.
    for (const pair of pairs) {
      const key = pair.key as Scalar;
      if (!inside(key.range, offset)) continue;
      const out: NodeAt = { path: [...path, name(pair)], part: 'key', range: [key.range![0], key.range![1]] };
      if (isScalar(pair.value) && pair.value.range) out.valueRange = [pair.value.range[0], pair.value.range[1]];
      return out;
    }
    for (const pair of pairs) {
      if (pair.value && inside(pair.value.range, offset)) return walk(pair.value, offset, [...path, name(pair)]);
    }
    return undefined;
  }
  if (isSeq(node)) {
    const items = node.items as (Node | null)[];
    for (let i = 0; i < items.length; i++) {
      if (items[i] && inside(items[i]!.range, offset)) return walk(items[i]!, offset, [...path, i]);
    }
    return undefined;
  }
  if (isScalar(node) && node.range) {
    return { path, part: 'value', range: [node.range[0], node.range[1]], valueRange: [node.range[0], node.range[1]] };
  }
  return undefined;
}

/** The YAML node at a path in this file, if the file has one there. */
export function nodeAtPath(syntax: FileSyntax, path: readonly PathSegment[]): Node | null | undefined {
  let node = syntax.doc.contents as Node | null;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return undefined;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof seg === 'number') {
      if (seg >= node.items.length) return undefined;
      node = node.items[seg] as Node | null;
    } else return undefined;
  }
  return node;
}

/** Keys (as strings) this file sets in the mapping at a path. */
export function keysAtPath(syntax: FileSyntax, path: readonly PathSegment[]): Set<string> {
  const node = nodeAtPath(syntax, path);
  const out = new Set<string>();
  if (isMap(node)) for (const p of node.items) if (isScalar(p.key) && p.key.value !== null) out.add(String(p.key.value));
  return out;
}

/** Range of the key that sets a path in this file, for locating definitions. */
export function keyRangeAtPath(syntax: FileSyntax, path: readonly PathSegment[]): Range | undefined {
  if (!path.length) return undefined;
  const parent = nodeAtPath(syntax, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(last));
    const k = pair?.key as Node | undefined;
    if (k?.range) return [k.range[0], k.range[1]];
  }
  if (isSeq(parent) && typeof last === 'number') {
    const item = parent.items[last] as Node | undefined;
    if (item?.range) return [item.range[0], item.range[1]];
  }
  return undefined;
}
