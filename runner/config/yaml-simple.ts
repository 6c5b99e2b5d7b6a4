// A fast reader for the plain subset of block YAML that config files are nearly always written in: block
// mappings and sequences, plain keys, single-line plain or quoted scalars, one-line flow sequences of plain
// scalars, and comments. It builds exactly the nodes and ranges that the full loader (the `yaml` package's
// Document layer plus our typing) would, about an order of magnitude faster, because the whole-tree work of the
// language server parses thousands of files cold.
//
// It never reports errors: on anything outside the subset, and on anything the full loader would flag (a
// duplicate key, a null key, `<<`, a bare `=`), it returns undefined and the caller uses the full loader, so
// every error keeps coming from one place with its exact range.

import { dict, list, scalar, type ConfigNode, type DictNode, type Origin, type Range, type ScalarNode } from './nodes.js';

// Every non-string plain scalar starts with one of these (digits, signs, `.inf`, `~`, `null`, `yes`, `no`,
// `true`, `false`, `on`, `off`, `???`); most keys and values do not, and need no resolver at all.
const TYPED_START = new Uint8Array(128);
for (const c of '0123456789+-.~nNyYtTfFoO?') TYPED_START[c.charCodeAt(0)] = 1;

/** Whether a plain scalar may be something other than a string (false: it is a string, whatever follows). */
export function mayBeTyped(text: string): boolean {
  const c = text.charCodeAt(0);
  return text.length === 0 || (c < 128 && TYPED_START[c] === 1);
}

/** Types a plain scalar; passed in so that this file shares the full loader's resolvers. */
export type PlainResolver = (text: string) => { type: ScalarNode['type']; value: ScalarNode['value'] };

class Unsupported {}
/** Escapes in double-quoted scalars that the fast path reads itself. */
const DOUBLE_QUOTE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', '\\': '\\', '"': '"', '/': '/' };

const UNSUPPORTED = new Unsupported();

// Characters the subset refuses anywhere: tabs, carriage returns, byte-order marks, other control characters,
// and the characters some YAML versions treat as line breaks.
const REFUSED_CHARS = /[\x00-\x09\x0b-\x1f\x7f\x85\u2028\u2029\ufeff]/;
// A plain key as configs write it (`lr`, `_target_`, `override /db@pkg`, `key-2.x`); the colon after it must
// be followed by a space or the end of the line.
const KEY_RE = /[A-Za-z0-9_$/](?:[A-Za-z0-9_$./@ -]*[A-Za-z0-9_$./@-])?/y;
// A flow-sequence item: a plain scalar without flow indicators, quotes, comments or a `: `.
const FLOW_ITEM_RE = /^(?:[^\s\-?:,[\]{}#&*!|>'"%@`]|-(?=[^\s,[\]{}#:]))[^,[\]{}#:]*$/;

interface Line {
  start: number;
  /** Offset of the first non-space character. */
  content: number;
  /** Offset of the line break, or the text's length on the last line. */
  end: number;
}

class Reader {
  private readonly lines: Line[] = [];
  private i = 0;
  private depth = 0;
  /**
   * Where the node just read ends with its trailing comment and line break (the `yaml` package's `range[2]`):
   * set by every reader below beside the node it returns, so that no result object is made per node.
   */
  private end = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly resolve: PlainResolver,
  ) {
    let start = 0;
    const n = text.length;
    // The deepest comment line since the last content line, or -1.
    let commentIndent = -1;
    let prevIndent = -1;
    while (start <= n) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = n;
      let c = start;
      while (c < end && text.charCodeAt(c) === 32) c++;
      // Blank and comment-only lines carry nothing in block context...
      if (c < end) {
        if (text.charCodeAt(c) === 35) commentIndent = Math.max(commentIndent, c - start);
        else {
          this.checkComments(commentIndent, prevIndent, c - start);
          commentIndent = -1;
          prevIndent = c - start;
          this.lines.push({ start, content: c, end });
        }
      }
      start = end + 1;
    }
    this.checkComments(commentIndent, Math.max(prevIndent, 0), 0);
  }

  /**
   * ...except that the `yaml` package extends the range of the block collection (or scalar) that a comment run
   * trails when it is indented past the line after it, and that range is part of the parent's value range.
   * Those rare layouts are left to the full loader.
   */
  private checkComments(commentIndent: number, prevIndent: number, nextIndent: number): void {
    if (commentIndent >= 0 && prevIndent >= nextIndent && commentIndent > nextIndent) throw UNSUPPORTED;
  }

  read(): ConfigNode | undefined {
    if (this.lines.length === 0) return undefined;
    const first = this.lines[0]!;
    if (first.content !== first.start) throw UNSUPPORTED;
    for (const l of this.lines) {
      // Document markers and directives belong to the full parser.
      if (l.content === l.start) {
        const c = this.text.charCodeAt(l.start);
        if (c === 37 /* % */ || (c === 45 && this.text.startsWith('---', l.start)) || (c === 46 && this.text.startsWith('...', l.start))) throw UNSUPPORTED;
      }
    }
    const node = this.block(0, first.content, undefined);
    if (this.i !== this.lines.length) throw UNSUPPORTED;
    return node;
  }

  private origin(valueRange: Range, keyRange?: Range): Origin {
    return keyRange ? { kind: 'file', file: this.file, valueRange, keyRange } : { kind: 'file', file: this.file, valueRange };
  }

  /** A block node whose first token is at `col` of the current line, indented `indent`. */
  private block(indent: number, col: number, keyRange: Range | undefined): ConfigNode {
    if (++this.depth > 400) throw UNSUPPORTED;
    try {
      const t = this.text;
      const c = t.charCodeAt(col);
      if (c === 45 /* - */ && (col + 1 === this.lines[this.i]!.end || t.charCodeAt(col + 1) === 32)) return this.sequence(indent, col, keyRange);
      return this.mapping(col - this.lines[this.i]!.start, col, keyRange);
    } finally {
      this.depth--;
    }
  }

  private isDash(line: Line): boolean {
    return this.text.charCodeAt(line.content) === 45 && (line.content + 1 === line.end || this.text.charCodeAt(line.content + 1) === 32);
  }

  /** Reads `key:` at `col`; returns the key's end or -1. */
  private keyAt(col: number, line: Line): number {
    KEY_RE.lastIndex = col;
    if (!KEY_RE.test(this.text)) return -1;
    const k = KEY_RE.lastIndex;
    if (this.text.charCodeAt(k) !== 58 /* : */) return -1;
    if (k + 1 !== line.end && this.text.charCodeAt(k + 1) !== 32) return -1;
    if (k - col > 1000) throw UNSUPPORTED;
    return k;
  }

  private mapping(indent: number, col: number, keyRange: Range | undefined): DictNode {
    const t = this.text;
    const out: DictNode = dict();
    const startCol = col;
    let end = col;
    for (;;) {
      const line = this.lines[this.i]!;
      const k = this.keyAt(col, line);
      if (k < 0) throw UNSUPPORTED;
      const keyText = t.slice(col, k);
      if (mayBeTyped(keyText)) {
        const type = this.resolve(keyText).type;
        if (type !== 'str' && type !== 'missing') throw UNSUPPORTED;
      }
      if (keyText === '<<' || out.entries.has(keyText)) throw UNSUPPORTED;
      const kr: Range = [col, k];
      let v = k + 1;
      while (v < line.end && t.charCodeAt(v) === 32) v++;
      let node: ConfigNode;
      if (v === line.end || t.charCodeAt(v) === 35 /* # */) {
        // The value is on the following lines, or null.
        const comment = v !== line.end;
        this.i++;
        const next = this.lines[this.i];
        const nextIndent = next ? next.content - next.start : -1;
        // A sequence may sit at its key's own indentation (`e:` then `- 1`), but not inside a compact mapping.
        if (next && (nextIndent > indent || (nextIndent === indent && line.content === col && this.isDash(next)))) {
          node = this.block(nextIndent, next.content, kr);
        } else {
          if (comment) throw UNSUPPORTED;
          node = scalar('null', null, this.origin([v, v], kr));
          this.end = v;
        }
      } else {
        node = this.inline(v, line, kr);
        this.i++;
        const next = this.lines[this.i];
        if (next && next.content - next.start > indent) throw UNSUPPORTED;
      }
      out.entries.set(keyText, { key: keyText, node, keyOrigin: this.origin(kr) });
      end = this.end;
      const next = this.lines[this.i];
      if (!next) break;
      const ni = next.content - next.start;
      if (ni < indent) break;
      if (ni > indent) throw UNSUPPORTED;
      col = next.content;
    }
    out.origin = this.origin([startCol, end], keyRange);
    this.end = end;
    return out;
  }

  private sequence(indent: number, col: number, keyRange: Range | undefined): ConfigNode {
    const t = this.text;
    const items: ConfigNode[] = [];
    const startCol = col;
    let end = col;
    for (;;) {
      const line = this.lines[this.i]!;
      let v = col + 1;
      while (v < line.end && t.charCodeAt(v) === 32) v++;
      // Empty items and a comment right after the dash are left to the full parser.
      if (v === line.end || t.charCodeAt(v) === 35) throw UNSUPPORTED;
      let node: ConfigNode;
      const line0 = this.i;
      if (this.keyAt(v, line) >= 0) {
        // A compact mapping (`- db: mysql`), indented at its first key.
        node = this.mapping(v - line.start, v, undefined);
      } else {
        if (t.charCodeAt(v) === 45 && (v + 1 === line.end || t.charCodeAt(v + 1) === 32)) throw UNSUPPORTED;
        node = this.inline(v, line, undefined);
        this.i++;
      }
      if (this.i === line0) throw UNSUPPORTED;
      items.push(node);
      end = this.end;
      const next = this.lines[this.i];
      if (!next) break;
      const ni = next.content - next.start;
      if (ni < indent) break;
      if (ni > indent) throw UNSUPPORTED;
      // A sequence that is a mapping's value at the key's own indentation ends at the next key.
      if (!this.isDash(next)) break;
      col = next.content;
    }
    this.end = end;
    return list(items, this.origin([startCol, end], keyRange));
  }

  /** Where a value that ends at `at` on `line` ends with its trailing spaces, comment and line break. */
  private lineTail(at: number, line: Line): number {
    const t = this.text;
    let p = at;
    while (p < line.end && t.charCodeAt(p) === 32) p++;
    if (p < line.end && (t.charCodeAt(p) !== 35 || p === at)) throw UNSUPPORTED;
    return line.end < t.length ? line.end + 1 : line.end;
  }

  /** A one-line value starting at `v`: a plain or quoted scalar, a flow sequence, or `{}`. */
  private inline(v: number, line: Line, keyRange: Range | undefined): ConfigNode {
    const t = this.text;
    const c = t.charCodeAt(v);
    if (c === 39 /* ' */ || c === 34 /* " */) {
      const q = this.quoted(v, line);
      this.end = this.lineTail(q.after, line);
      return scalar('str', q.value, this.origin([v, q.after], keyRange));
    }
    if (c === 91 /* [ */) return this.flowSequence(v, line, keyRange);
    if (c === 123 /* { */) {
      if (t.charCodeAt(v + 1) !== 125) throw UNSUPPORTED;
      this.end = this.lineTail(v + 2, line);
      return dict(this.origin([v, v + 2], keyRange));
    }
    // Indicators that start something other than a plain scalar (or a plain scalar rare enough to defer).
    // `-` and `?` may start a plain scalar when a non-space follows (`-1`, `???`).
    if ('-?:,]}#&*!|>%@`'.includes(t[v]!)) {
      if ((c !== 45 && c !== 63) || v + 1 === line.end || t.charCodeAt(v + 1) === 32) throw UNSUPPORTED;
    }
    let stop = line.end;
    for (let p = v + 1; p < line.end; p++) {
      if (t.charCodeAt(p) === 35 && t.charCodeAt(p - 1) === 32) {
        stop = p - 1;
        break;
      }
    }
    let e = stop;
    while (e > v && t.charCodeAt(e - 1) === 32) e--;
    const text = t.slice(v, e);
    if (text.includes(': ') || text.endsWith(':') || text === '=') throw UNSUPPORTED;
    this.end = this.lineTail(e, line);
    if (!mayBeTyped(text)) return scalar('str', text, this.origin([v, e], keyRange));
    const r = this.resolve(text);
    return scalar(r.type, r.value, this.origin([v, e], keyRange));
  }

  /** A quoted scalar starting at `v` and closing on `line`; returns its value and the offset after it. */
  private quoted(v: number, line: Line): { value: string; after: number } {
    const t = this.text;
    const single = t.charCodeAt(v) === 39;
    let p = v + 1;
    let value = '';
    if (!single) {
      // Double quotes: the common escapes are read here (exactly as YAML defines them); any other escape is left
      // to the full parser.
      for (;;) {
        if (p >= line.end) throw UNSUPPORTED;
        const c = t.charCodeAt(p);
        if (c === 34) return { value, after: p + 1 };
        if (c === 92) {
          const e = DOUBLE_QUOTE_ESCAPES[t[p + 1] ?? ''];
          if (e === undefined) throw UNSUPPORTED;
          value += e;
          p += 2;
          continue;
        }
        value += t[p];
        p++;
      }
    }
    for (;;) {
      const q = t.indexOf("'", p);
      if (q < 0 || q >= line.end) throw UNSUPPORTED;
      value += t.slice(p, q);
      if (t.charCodeAt(q + 1) === 39) {
        value += "'";
        p = q + 2;
        continue;
      }
      p = q + 1;
      break;
    }
    return { value, after: p };
  }

  /** A one-line flow sequence of plain or quoted scalars: `[1, 2]`, `['a', b]`, `[]`. */
  private flowSequence(v: number, line: Line, keyRange: Range | undefined): ConfigNode {
    const t = this.text;
    const items: ConfigNode[] = [];
    let p = v + 1;
    for (;;) {
      while (p < line.end && t.charCodeAt(p) === 32) p++;
      if (p >= line.end) throw UNSUPPORTED;
      const c = t.charCodeAt(p);
      if (c === 93 /* ] */) {
        if (items.length) throw UNSUPPORTED;
        break;
      }
      if (c === 39 || c === 34) {
        const q = this.quoted(p, line);
        items.push(scalar('str', q.value, this.origin([p, q.after])));
        p = q.after;
      } else {
        let e = p;
        while (e < line.end && t.charCodeAt(e) !== 44 && t.charCodeAt(e) !== 93) e++;
        const next = e;
        while (e > p && t.charCodeAt(e - 1) === 32) e--;
        const text = t.slice(p, e);
        if (!FLOW_ITEM_RE.test(text) || text === '=') throw UNSUPPORTED;
        if (mayBeTyped(text)) {
          const r = this.resolve(text);
          items.push(scalar(r.type, r.value, this.origin([p, e])));
        } else items.push(scalar('str', text, this.origin([p, e])));
        p = next;
      }
      while (p < line.end && t.charCodeAt(p) === 32) p++;
      if (t.charCodeAt(p) === 93) break;
      if (t.charCodeAt(p) !== 44 || p >= line.end) throw UNSUPPORTED;
      p++;
    }
    this.end = this.lineTail(p + 1, line);
    return list(items, this.origin([v, p + 1], keyRange));
  }
}

/**
 * The file's root node when the text is in the fast subset and the full loader would report no error;
 * `null` when the file holds no node; undefined to defer to the full loader.
 */
export function readSimpleYaml(text: string, file: string, resolve: PlainResolver): ConfigNode | null | undefined {
  if (REFUSED_CHARS.test(text)) return undefined;
  try {
    return new Reader(text, file, resolve).read() ?? null;
  } catch (e) {
    if (e === UNSUPPORTED) return undefined;
    throw e;
  }
}
