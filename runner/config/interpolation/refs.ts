// What an interpolated string refers to, with offsets, for the language server: go to definition on `${a.b}`,
// diagnostics for keys that do not exist, completion of resolver names. Offsets are inside the string value
// (the scalar's text after YAML unquoting); the caller maps them to the file.

import { parseInterpolation, type Element, type Interpolation, type Text } from './grammar.js';
import { BUILTIN_RESOLVERS } from './resolvers.js';

export interface KeyRef {
  kind: 'key';
  /** The key as written, leading dots included: `a.b`, `.x`, `..a[0]`. Nested interpolations appear as text. */
  key: string;
  /** Leading dots: 0 for a key from the root, 1 for the holding node's parent, 2 for its grandparent... */
  dots: number;
  /** The key's parts (`a[0].b` -> ['a', '0', 'b']), or undefined when a nested interpolation computes one. */
  segments?: string[];
  /** Offsets [start, end) of the key text in the string (inside `${` and `}`, or the resolver's argument). */
  range: [number, number];
  /** Set when the key is an argument of a resolver that selects it (`${oc.select:a.b,1}`). */
  via?: string;
}

export interface ResolverRef {
  kind: 'resolver';
  name: string;
  /** Offsets [start, end) of the resolver's name. */
  range: [number, number];
  /** Whether the resolver exists (the built-in ones of OmegaConf and Hydra). */
  known: boolean;
}

export type InterpolationRef = KeyRef | ResolverRef;

/** Resolvers whose first argument is a config key. */
const KEY_RESOLVERS = new Set(['oc.select', 'oc.dict.keys', 'oc.dict.values']);

/**
 * Every key and resolver an interpolated string refers to, in text order (nested ones included). A string
 * with a syntax error gives no refs: use `parseInterpolation` for the error and its offset.
 */
export function findInterpolationRefs(text: string): InterpolationRef[] {
  if (!text.includes('${')) return [];
  const parsed = parseInterpolation(text);
  if (!parsed.ok) return [];
  const refs: InterpolationRef[] = [];
  visitText(parsed.value, text, refs);
  return refs.sort((a, b) => a.range[0] - b.range[0]);
}

function visitText(t: Text, source: string, refs: InterpolationRef[]): void {
  for (const part of t.parts) if (part.kind !== 'literal') visitInterpolation(part, source, refs);
}

function visitInterpolation(i: Interpolation, source: string, refs: InterpolationRef[]): void {
  if (i.kind === 'node') {
    const first = i.parts[0]!;
    const last = i.parts[i.parts.length - 1]!;
    // The key text starts at the first dot (which directly follows `${` and optional blanks).
    const start = first.start - i.dots;
    const segments: string[] = [];
    let dynamic = false;
    for (const p of i.parts) {
      if (p.key.kind === 'name') segments.push(p.key.name);
      else {
        dynamic = true;
        visitInterpolation(p.key, source, refs);
      }
    }
    refs.push({
      kind: 'key',
      key: source.slice(start, last.end),
      dots: i.dots,
      ...(dynamic ? {} : { segments }),
      range: [start, last.end],
    });
    return;
  }
  const name = i.name.map((p) => (p.kind === 'name' ? p.name : '?')).join('.');
  for (const p of i.name) if (p.kind !== 'name') visitInterpolation(p, source, refs);
  refs.push({ kind: 'resolver', name, range: [i.nameSpan.start, i.nameSpan.end], known: name in BUILTIN_RESOLVERS });
  i.args.forEach((arg, n) => {
    const literal = n === 0 && KEY_RESOLVERS.has(name) ? literalKey(arg) : undefined;
    if (literal !== undefined) {
      const dots = /^\.*/.exec(literal)![0].length;
      refs.push({ kind: 'key', key: literal, dots, segments: splitSegments(literal.slice(dots)), range: [arg.start, arg.end], via: name });
    } else visitElement(arg, source, refs);
  });
}

/** The text of an argument made only of plain tokens (`a.b`, `.x`), which is how keys are passed to resolvers. */
function literalKey(el: Element): string | undefined {
  if (el.kind !== 'primitive') return undefined;
  let s = '';
  for (const item of el.items) {
    if (item.kind !== 'token' || item.type === 'WS' || item.type === 'COLON') return undefined;
    s += item.text;
  }
  return s;
}

function splitSegments(key: string): string[] {
  return key.split(/\.|\[|\]/).filter((s) => s !== '');
}

function visitElement(el: Element, source: string, refs: InterpolationRef[]): void {
  switch (el.kind) {
    case 'primitive':
      for (const item of el.items) if (item.kind !== 'token') visitInterpolation(item, source, refs);
      return;
    case 'quoted':
      if (el.text) visitText(el.text, source, refs);
      return;
    case 'list':
      for (const item of el.items) visitElement(item, source, refs);
      return;
    case 'dict':
      for (const e of el.entries) visitElement(e.value, source, refs);
      return;
    case 'empty':
      return;
  }
}
