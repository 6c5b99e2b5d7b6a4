// Printing values back into override syntax, as Hydra does (Override.get_value_element_as_str and its helpers).
// Sweep jobs, `hydra.job.override_dirname` and `.hydra/overrides.yaml` all carry values in this form, so the
// output must parse back to the same value.

import type { ConfigNode, KeyValue, ScalarNode } from '../nodes.js';
import { tokenize, type TokenType } from './lexer.js';
import type { Override, Sweep } from './types.js';

export type Quote = "'" | '"';

// Quoted strings print back with their quotes (`a='x y'`), unquoted ones with escapes (`a=x\ y`). A node's
// quote is remembered here rather than in the node model, which has no room for it.
const quotes = new WeakMap<ScalarNode, Quote>();

export function markQuoted(node: ScalarNode, quote: Quote): ScalarNode {
  quotes.set(node, quote);
  return node;
}

/** The quote a string was written with on the command line, or undefined when it was not quoted. */
export function quoteOf(node: ScalarNode): Quote | undefined {
  return quotes.get(node);
}

/** The characters that must be escaped with a backslash in an unquoted value (Hydra's `_ESC`). */
const SPECIAL = /[\\()[\]{}:=, \t]/g;

/** Escapes the characters that would otherwise end or split an unquoted value (`x y` -> `x\ y`). */
export function escapeSpecialCharacters(s: string): string {
  return s.replace(SPECIAL, (c) => '\\' + c);
}

// Tokens that read back as one plain string when they follow each other.
const PLAIN_TOKENS = new Set<TokenType>(['ID', 'NULL', 'INT', 'FLOAT', 'BOOL', 'UNQUOTED_CHAR', 'COLON', 'ESC', 'WS']);

/**
 * An unquoted string as override text. Like Hydra we escape special characters (`x\ y`), so a string such as
 * `1` prints as `1` and reads back as an int, exactly as in Hydra. Where escaping cannot make the text readable
 * at all (quotes, `#`, `;`, newlines, non-ASCII letters), Hydra would print text that it cannot parse again; we
 * quote the string instead, so every job line parses back to the value it came from.
 */
export function strToString(s: string): string {
  const escaped = escapeSpecialCharacters(s);
  const tokens = tokenize('=' + escaped);
  const readable = tokens[tokens.length - 1]!.type === 'EOF' && tokens.slice(1, -1).every((t) => PLAIN_TOKENS.has(t.type));
  return readable ? escaped : withQuotes(s, "'");
}

/**
 * The text of a QUOTED_VALUE token without its quotes. Only backslashes that precede a quote are escapes: an odd
 * run before a quote inside the string stands for half as many backslashes and the quote, an even run before the
 * closing quote for half as many backslashes. All other backslashes are literal (`'c:\dir'`).
 */
export function unescapeQuoted(token: string): string {
  const q = token[0]!;
  const body = token.slice(1, -1);
  let out = '';
  let i = 0;
  while (i < body.length) {
    if (body[i] !== '\\') {
      out += body[i++];
      continue;
    }
    let j = i;
    while (body[j] === '\\') j++;
    const run = j - i;
    if (j === body.length) out += '\\'.repeat(run / 2);
    else if (body[j] === q) out += '\\'.repeat((run - 1) / 2) + q, j++;
    else out += '\\'.repeat(run);
    i = j;
  }
  return out;
}

/** The inverse of unescapeQuoted: `a'b` -> `'a\'b'`, `a\` -> `'a\\'`. */
export function withQuotes(text: string, q: Quote): string {
  const doubled = text.replace(new RegExp(`\\\\+(?=${q}|$)`, 'g'), (run) => run + run);
  return q + doubled.split(q).join('\\' + q) + q;
}

/** Python's repr of a float (`1.0`, `1e-05`, `1e+16`, `inf`, `nan`): shortest round-trip digits, Python layout. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expText] = x.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const sign = neg ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac || '0'}`;
}

/** Python's str of an int. */
export function pyIntStr(x: number): string {
  return Number.isFinite(x) ? BigInt(Math.trunc(x)).toString() : String(x);
}

/** Python's str() of a scalar as the override grammar reads it back (`True`, `1.0`, `null`). */
function scalarToString(node: ScalarNode): string {
  switch (node.type) {
    case 'null':
      return 'null';
    case 'missing':
      return '???';
    case 'bool':
      return node.value ? 'True' : 'False';
    case 'int':
      return pyIntStr(node.value as number);
    case 'float':
      return pyFloatRepr(node.value as number);
    case 'str': {
      const q = quoteOf(node);
      return q ? withQuotes(node.value as string, q) : strToString(node.value as string);
    }
  }
}

function keyToString(key: KeyValue): string {
  if (typeof key === 'boolean') return key ? 'True' : 'False';
  if (typeof key === 'number') return Number.isInteger(key) ? pyIntStr(key) : pyFloatRepr(key);
  return escapeSpecialCharacters(key);
}

/**
 * A value as it would be written after `=` (Hydra's get_value_element_as_str): `[1,2]`, `{a:1}`, `'x y'`,
 * `x\ y`, `True`, `1.0`. With spaceAfterSep, `, ` and `: ` separate items, as in `hydra.job.override_dirname`.
 */
export function elementToString(node: ConfigNode, spaceAfterSep = false): string {
  const comma = spaceAfterSep ? ', ' : ',';
  const colon = spaceAfterSep ? ': ' : ':';
  if (node.kind === 'scalar') return scalarToString(node);
  if (node.kind === 'list') return '[' + node.items.map((i) => elementToString(i, spaceAfterSep)).join(comma) + ']';
  const items: string[] = [];
  for (const e of node.entries.values()) items.push(keyToString(e.key) + colon + elementToString(e.node, spaceAfterSep));
  return '{' + items.join(comma) + '}';
}

/** The override's left-hand side with its prefix and package: `+db@backup`, `~a.b`, `a`. */
export function keyElement(o: Pick<Override, 'type' | 'key' | 'package'>): string {
  const prefix = o.type === 'DEL' ? '~' : o.type === 'ADD' ? '+' : o.type === 'FORCE_ADD' ? '++' : '';
  return prefix + o.key + (o.package === null ? '' : '@' + o.package);
}

function tagged(tags: string[], inner: string): string {
  return tags.length ? `tag(${tags.map(strToString).join(',')},${inner})` : inner;
}

/** A sweep in a canonical form that parses back to the same sweep: `choice(1,2)`, `range(1,5,1)`, `glob(*)`. */
export function sweepToString(s: Sweep): string {
  switch (s.kind) {
    case 'choice': {
      // A nested simple-form choice is written as choice(...), or its items would merge into the outer list.
      const inner = (i: Sweep) => (i.kind === 'choice' && i.simpleForm && !i.shuffle ? sweepToString({ ...i, simpleForm: false }) : sweepToString(i));
      const items = (s.nested ?? s.items).map((i) => (i.kind === 'scalar' || i.kind === 'list' || i.kind === 'dict' ? elementToString(i) : inner(i)));
      // shuffle(a,b) and sort(...) give simple-form choices; choice(...) gives the explicit form.
      if (s.shuffle) return tagged(s.tags, s.simpleForm ? `shuffle(${items.join(',')})` : `shuffle(choice(${items.join(',')}))`);
      if (s.simpleForm && !s.tags.length) return items.join(',');
      return tagged(s.tags, `choice(${items.join(',')})`);
    }
    case 'range': {
      const text = `range(${elementToString(s.start)},${elementToString(s.stop)},${elementToString(s.step)})`;
      return tagged(s.tags, s.shuffle ? `shuffle(${text})` : text);
    }
    case 'interval':
      return tagged(s.tags, `interval(${elementToString(s.start)},${elementToString(s.end)})`);
    case 'glob': {
      const list = (xs: string[]) => '[' + xs.map(strToString).join(',') + ']';
      return `glob(${list(s.include)}${s.exclude.length ? ',exclude=' + list(s.exclude) : ''})`;
    }
  }
}

/**
 * One override as text that parses back to the same override: `key=value`, `+key=value`, `~key`, `a=1,2`.
 * For an ELEMENT value it is exactly what Hydra prints for a sweep job.
 */
export function overrideToString(o: Override): string {
  const key = keyElement(o);
  if (o.value === null) return key;
  const v = o.value;
  if (v.kind === 'scalar' || v.kind === 'list' || v.kind === 'dict') {
    if (o.type === 'EXTEND_LIST' && v.kind === 'list') return `${key}=extend_list(${v.items.map((i) => elementToString(i)).join(',')})`;
    return `${key}=${elementToString(v)}`;
  }
  return `${key}=${sweepToString(v)}`;
}
