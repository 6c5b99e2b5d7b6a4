// The parser of OmegaConf 2.2's interpolation grammar (OmegaConfGrammarParser.g4), as a recursive descent over
// the tokens of lexer.ts. It returns a syntax tree with offsets, or the first error with its offset (OmegaConf
// stops at the first one too). Escapes are undone here, because whether a backslash run is an escape depends
// only on its neighbours in the tree (grammar_visitor.py's `_unescape`).
//
//   configValue:   text EOF                      `x_${a}_y`, `\${not}`, `${a.b}`
//   singleElement: element EOF                   what `oc.decode` parses: `[1, ${x}]`, `{a: 1}`, `'str'`
//   interpolation: `${` DOT* key (DOT key | `[` key `]`)* `}`      `${..a[0].b}`, `${a.${k}}`
//                | `${` name (DOT name)* `:` sequence? `}`        `${oc.env:HOME,/tmp}`, `${now:}`

import { lex, type GrammarError, type LexerMode, type Token, type TokenType } from './lexer.js';

export type { GrammarError } from './lexer.js';

export interface Span {
  /** Offset of the first character in the parsed string. */
  start: number;
  /** Offset just after the last character. */
  end: number;
}

/** A piece of text with its escapes undone. */
export interface Literal extends Span {
  kind: 'literal';
  value: string;
}

/** A string with interpolations in it: a config value, or the inside of a quoted argument. */
export interface Text extends Span {
  kind: 'text';
  parts: (Literal | Interpolation)[];
}

/** One part of a node interpolation's key: a name, or a nested interpolation that gives the name. */
export interface KeyPart extends Span {
  /** Written as `[name]` rather than `.name`. */
  bracket: boolean;
  key: { kind: 'name'; name: string } | Interpolation;
}

export interface NodeInterpolation extends Span {
  kind: 'node';
  /** Leading dots: 0 is an absolute key, 1 the holding node's parent, 2 its grandparent... */
  dots: number;
  parts: KeyPart[];
}

export interface ResolverInterpolation extends Span {
  kind: 'resolver';
  /** Parts of the dotted name (`oc.env` has two); a part may itself be an interpolation. */
  name: ({ kind: 'name'; name: string; start: number; end: number } | Interpolation)[];
  nameSpan: Span;
  args: Element[];
  /** Source text of each argument, as OmegaConf passes it to cached resolvers. */
  argTexts: string[];
}

export type Interpolation = NodeInterpolation | ResolverInterpolation;

/** A token of a primitive: a typed constant, or a piece of string. */
export interface PrimitiveToken extends Span {
  kind: 'token';
  type: TokenType;
  text: string;
}

/** An unquoted value: one token keeps its type (`1`, `1.5`, `true`, `null`), several make a string. */
export interface Primitive extends Span {
  kind: 'primitive';
  items: (PrimitiveToken | Interpolation)[];
}

export interface Quoted extends Span {
  kind: 'quoted';
  text?: Text;
}

export interface ListElement extends Span {
  kind: 'list';
  items: Element[];
}

export interface DictElement extends Span {
  kind: 'dict';
  entries: { key: Primitive; value: Element }[];
}

/** An empty slot in a sequence (`a,,b`), which OmegaConf reads as the empty string. */
export interface Empty extends Span {
  kind: 'empty';
}

export type Element = Primitive | Quoted | ListElement | DictElement | Empty;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: GrammarError };

/** Nesting deeper than this is refused, so a hostile string cannot exhaust the stack. */
const MAX_DEPTH = 200;

class SyntaxFailure {
  constructor(readonly error: GrammarError) {}
}

const TEXT_TOKENS: ReadonlySet<TokenType> = new Set(['ANY_STR', 'ESC', 'ESC_INTER', 'TOP_ESC', 'QUOTED_ESC']);
const PRIMITIVE_TOKENS: ReadonlySet<TokenType> = new Set([
  'ID', 'NULL', 'INT', 'FLOAT', 'BOOL', 'UNQUOTED_CHAR', 'COLON', 'ESC', 'WS',
]);
const DICT_KEY_TOKENS: ReadonlySet<TokenType> = new Set(['ID', 'NULL', 'INT', 'FLOAT', 'BOOL', 'UNQUOTED_CHAR', 'ESC', 'WS']);

const DESCRIBE: Partial<Record<TokenType, string>> = {
  EOF: 'the end of the string',
  INTER_CLOSE: "'}'",
  BRACE_CLOSE: "'}'",
  COLON: "':'",
  COMMA: "','",
  DOT: "'.'",
  BRACKET_OPEN: "'['",
  BRACKET_CLOSE: "']'",
  MATCHING_QUOTE_CLOSE: 'the closing quote',
};

/** Every other character from the second on: how OmegaConf undoes `\\`, `\,`, `\'` and the like. */
function unescapeRun(text: string): string {
  let out = '';
  for (let i = 1; i < text.length; i += 2) out += text[i];
  return out;
}

class Parser {
  private pos = 0;
  private depth = 0;
  /** Interpolations already parsed, by first token index: the resolver-or-node choice backtracks at most once. */
  private readonly memo = new Map<number, { node: Interpolation; next: number } | SyntaxFailure>();

  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }

  private fail(token: Token, expected: string): never {
    const found = token.type === 'EOF' ? 'the end of the string' : `'${token.text}'`;
    throw new SyntaxFailure({ offset: token.start, message: `expected ${expected} but found ${found}` });
  }

  private expect(type: TokenType, what = DESCRIBE[type] ?? type): Token {
    const t = this.peek();
    if (t.type !== type) this.fail(t, what);
    this.pos++;
    return t;
  }

  private enter(token: Token): void {
    if (++this.depth > MAX_DEPTH) {
      throw new SyntaxFailure({ offset: token.start, message: `nested more than ${MAX_DEPTH} levels deep` });
    }
  }

  configValue(): Text {
    const text = this.text(new Set(['EOF']));
    this.expect('EOF');
    return text;
  }

  singleElement(): Element {
    const element = this.element();
    this.expect('EOF', "the end of the string after one value (use a list '[a, b]' for several)");
    return element;
  }

  /** text: (interpolation | ANY_STR | ESC | ESC_INTER | TOP_ESC | QUOTED_ESC)+ */
  private text(stops: Set<TokenType>): Text {
    const start = this.peek().start;
    const raw: (Token | Interpolation)[] = [];
    for (;;) {
      const t = this.peek();
      if (t.type === 'INTER_OPEN') raw.push(this.interpolation());
      else if (TEXT_TOKENS.has(t.type)) {
        raw.push(t);
        this.pos++;
      } else break;
    }
    if (raw.length === 0) this.fail(this.peek(), 'some text or an interpolation');
    if (!stops.has(this.peek().type)) this.fail(this.peek(), [...stops].map((s) => DESCRIBE[s] ?? s).join(' or '));
    const parts: (Literal | Interpolation)[] = [];
    raw.forEach((item, i) => {
      if (!('type' in item)) {
        parts.push(item);
        return;
      }
      const next = raw[i + 1];
      const nextIsInterpolation = next !== undefined && !('type' in next);
      let value = item.text;
      if (item.type === 'ESC_INTER') value = item.text.slice(-(Math.floor(item.text.length / 2) + 1));
      else if (
        item.type === 'ESC' ||
        (item.type === 'TOP_ESC' && nextIsInterpolation) ||
        (item.type === 'QUOTED_ESC' && (next === undefined || nextIsInterpolation))
      ) {
        value = unescapeRun(item.text);
      }
      const last = parts[parts.length - 1];
      if (last && last.kind === 'literal') {
        last.value += value;
        last.end = item.end;
      } else parts.push({ kind: 'literal', value, start: item.start, end: item.end });
    });
    return { kind: 'text', parts, start, end: this.peek().start };
  }

  /** Both kinds start with `${`; which one it is shows only at the `:` or `}` after the name. */
  private interpolation(): Interpolation {
    const startIndex = this.pos;
    const memo = this.memo.get(startIndex);
    if (memo instanceof SyntaxFailure) throw memo;
    if (memo) {
      this.pos = memo.next;
      return memo.node;
    }
    const open = this.peek();
    this.enter(open);
    try {
      let node: Interpolation;
      const afterOpen = this.peek(1).type;
      if (afterOpen === 'ID' || afterOpen === 'INTER_OPEN') {
        try {
          node = this.resolverInterpolation();
        } catch (e) {
          if (!(e instanceof SyntaxFailure) || this.looksLikeResolver(startIndex)) throw e;
          this.pos = startIndex;
          node = this.nodeInterpolation();
        }
      } else node = this.nodeInterpolation();
      this.memo.set(startIndex, { node, next: this.pos });
      return node;
    } catch (e) {
      if (e instanceof SyntaxFailure) this.memo.set(startIndex, e);
      throw e;
    } finally {
      this.depth--;
    }
  }

  /** True when the tokens after `${` are a resolver name followed by `:`, so resolver errors are the real ones. */
  private looksLikeResolver(startIndex: number): boolean {
    let i = startIndex + 1;
    let level = 0;
    for (; i < this.tokens.length; i++) {
      const t = this.tokens[i]!;
      if (t.type === 'INTER_OPEN') level++;
      else if (t.type === 'INTER_CLOSE' || t.type === 'BRACE_CLOSE') {
        if (level === 0) return false;
        level--;
      } else if (level === 0 && t.type === 'COLON') return true;
      else if (level === 0 && t.type !== 'ID' && t.type !== 'DOT') return false;
      if (t.type === 'EOF') return false;
    }
    return false;
  }

  private nodeInterpolation(): NodeInterpolation {
    const open = this.expect('INTER_OPEN');
    let dots = 0;
    while (this.peek().type === 'DOT') {
      dots++;
      this.pos++;
    }
    const parts: KeyPart[] = [];
    for (;;) {
      const t = this.peek();
      if (t.type === 'INTER_CLOSE' && parts.length > 0) break;
      if (parts.length > 0) {
        if (t.type === 'DOT') this.pos++;
        else if (t.type !== 'BRACKET_OPEN') this.fail(t, "'.', '[' or '}'");
      }
      const at = this.peek();
      if (at.type === 'BRACKET_OPEN') {
        this.pos++;
        const key = this.configKey();
        const close = this.expect('BRACKET_CLOSE');
        parts.push({ bracket: true, key, start: at.start, end: close.end });
      } else {
        const before = this.peek();
        const key = this.configKey();
        parts.push({ bracket: false, key, start: before.start, end: this.tokens[this.pos - 1]!.end });
      }
    }
    const close = this.expect('INTER_CLOSE');
    return { kind: 'node', dots, parts, start: open.start, end: close.end };
  }

  /** configKey: interpolation | ID | INTER_KEY */
  private configKey(): KeyPart['key'] {
    const t = this.peek();
    if (t.type === 'INTER_OPEN') return this.interpolation();
    if (t.type === 'ID' || t.type === 'INTER_KEY') {
      this.pos++;
      return { kind: 'name', name: t.text };
    }
    return this.fail(t, 'a key name or an interpolation');
  }

  /** interpolationResolver: INTER_OPEN resolverName COLON sequence? BRACE_CLOSE */
  private resolverInterpolation(): ResolverInterpolation {
    const open = this.expect('INTER_OPEN');
    const name: ResolverInterpolation['name'] = [];
    const nameStart = this.peek().start;
    for (;;) {
      const t = this.peek();
      if (t.type === 'INTER_OPEN') name.push(this.interpolation());
      else if (t.type === 'ID') {
        name.push({ kind: 'name', name: t.text, start: t.start, end: t.end });
        this.pos++;
      } else this.fail(t, 'a resolver name');
      if (this.peek().type !== 'DOT') break;
      this.pos++;
    }
    const nameEnd = this.tokens[this.pos - 1]!.end;
    this.expect('COLON', "':' after the resolver name");
    const args: Element[] = [];
    const argTexts: string[] = [];
    if (this.peek().type !== 'BRACE_CLOSE') this.sequence(args, argTexts, 'BRACE_CLOSE');
    const close = this.expect('BRACE_CLOSE', "',' or '}'");
    return {
      kind: 'resolver',
      name,
      nameSpan: { start: nameStart, end: nameEnd },
      args,
      argTexts,
      start: open.start,
      end: close.end,
    };
  }

  /** sequence: (element (COMMA element?)*) | (COMMA element?)+ ; an empty slot is the empty string. */
  private sequence(out: Element[], texts: string[], close: TokenType): void {
    let expectElement = true;
    for (;;) {
      const t = this.peek();
      if (t.type === 'COMMA') {
        if (expectElement) {
          out.push({ kind: 'empty', start: t.start, end: t.start });
          texts.push('');
        }
        this.pos++;
        expectElement = true;
        continue;
      }
      if (t.type === close || t.type === 'EOF') {
        if (expectElement) {
          out.push({ kind: 'empty', start: t.start, end: t.start });
          texts.push('');
        }
        return;
      }
      if (!expectElement) this.fail(t, `',' or ${DESCRIBE[close] ?? close}`);
      const element = this.element();
      out.push(element);
      texts.push(this.source.slice(element.start, element.end));
      expectElement = false;
    }
  }

  /** element: primitive | quotedValue | listContainer | dictContainer */
  private element(): Element {
    const t = this.peek();
    switch (t.type) {
      case 'QUOTE_OPEN_SINGLE':
      case 'QUOTE_OPEN_DOUBLE': {
        this.pos++;
        const text = this.peek().type === 'MATCHING_QUOTE_CLOSE' ? undefined : this.text(new Set(['MATCHING_QUOTE_CLOSE']));
        const close = this.expect('MATCHING_QUOTE_CLOSE');
        return text ? { kind: 'quoted', text, start: t.start, end: close.end } : { kind: 'quoted', start: t.start, end: close.end };
      }
      case 'BRACKET_OPEN': {
        this.enter(t);
        this.pos++;
        const items: Element[] = [];
        if (this.peek().type !== 'BRACKET_CLOSE') this.sequence(items, [], 'BRACKET_CLOSE');
        const close = this.expect('BRACKET_CLOSE', "',' or ']'");
        this.depth--;
        return { kind: 'list', items, start: t.start, end: close.end };
      }
      case 'BRACE_OPEN': {
        this.enter(t);
        this.pos++;
        const entries: DictElement['entries'] = [];
        if (this.peek().type !== 'BRACE_CLOSE') {
          for (;;) {
            const key = this.primitive(DICT_KEY_TOKENS, false);
            this.expect('COLON', "':' after a dict key");
            entries.push({ key, value: this.element() });
            if (this.peek().type !== 'COMMA') break;
            this.pos++;
          }
        }
        const close = this.expect('BRACE_CLOSE', "',' or '}'");
        this.depth--;
        return { kind: 'dict', entries, start: t.start, end: close.end };
      }
      default:
        return this.primitive(PRIMITIVE_TOKENS, true);
    }
  }

  private primitive(allowed: ReadonlySet<TokenType>, interpolations: boolean): Primitive {
    const start = this.peek().start;
    const items: Primitive['items'] = [];
    for (;;) {
      const t = this.peek();
      if (interpolations && t.type === 'INTER_OPEN') items.push(this.interpolation());
      else if (allowed.has(t.type)) {
        items.push({ kind: 'token', type: t.type, text: t.text, start: t.start, end: t.end });
        this.pos++;
      } else break;
    }
    if (items.length === 0) this.fail(this.peek(), interpolations ? 'a value' : 'a dict key');
    return { kind: 'primitive', items, start, end: items[items.length - 1]!.end };
  }
}

function run<T>(text: string, mode: LexerMode, rule: (p: Parser) => T): ParseResult<T> {
  const lexed = lex(text, mode);
  if ('error' in lexed) return { ok: false, error: lexed.error };
  try {
    return { ok: true, value: rule(new Parser(lexed.tokens, text)) };
  } catch (e) {
    if (e instanceof SyntaxFailure) return { ok: false, error: e.error };
    throw e;
  }
}

const parseCache = new Map<string, ParseResult<Text>>();
const PARSE_CACHE_LIMIT = 10_000;

/**
 * Parses a config value that contains `${` (OmegaConf's `configValue` rule). Results are cached by text, since
 * the same strings are parsed again and again while a tree resolves.
 */
export function parseInterpolation(text: string): ParseResult<Text> {
  const cached = parseCache.get(text);
  if (cached) return cached;
  const result = run(text, 'top', (p) => p.configValue());
  if (parseCache.size >= PARSE_CACHE_LIMIT) parseCache.clear();
  parseCache.set(text, result);
  return result;
}

// Text without backslashes in which every `${` opens a plain node reference (`${a.b}`, `${..x}`, no spaces).
// Such text is always valid in the grammar; a big file is mostly made of it, and this one linear scan replaces
// the lexer and parser when only validity is asked.
const PLAIN_REFERENCES_ONLY = /^(?:[^$\\]|\$(?!\{)|\$\{\.*[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\})*$/;

/** True when `text` is certainly a valid config value (a false answer means only: ask parseInterpolation). */
export function hasOnlyPlainReferences(text: string): boolean {
  return PLAIN_REFERENCES_ONLY.test(text);
}

/** Parses one grammar element (OmegaConf's `singleElement` rule in value mode), as `oc.decode` does. */
export function parseElement(text: string): ParseResult<Element> {
  return run(text, 'value', (p) => p.singleElement());
}
