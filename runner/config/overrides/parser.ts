// The command-line override parser: Hydra 1.3's OverrideParser.g4 as a recursive-descent parser over the tokens
// of lexer.ts, with the typing rules of Hydra's visitor (overrides_visitor.py). It never throws to callers: bad
// input comes back as an `override-syntax` error whose range points at the offending characters.

import type { ConfigError } from '../errors.js';
import { dict, list, scalar, type ConfigNode, type Origin, type Range, type ScalarNode } from '../nodes.js';
import { markQuoted, pyFloatRepr, unescapeQuoted, type Quote } from './format.js';
import { evalFunction, type FunctionArgs } from './functions.js';
import { tokenize, type Token, type TokenType } from './lexer.js';
import type { Override, OverrideType, Sweep, ValueType } from './types.js';
import { EvalError, isNode, pyParseFloat, type Val } from './values.js';

export interface ParseOptions {
  /** Random numbers in [0, 1) for shuffle() of a plain list (Hydra shuffles those while parsing). */
  random?: () => number;
}

export interface ParseResult {
  override?: Override;
  error?: ConfigError;
}

const PRIMITIVE_TOKENS = new Set<TokenType>(['ID', 'NULL', 'INT', 'FLOAT', 'BOOL', 'INTERPOLATION', 'UNQUOTED_CHAR', 'COLON', 'ESC', 'WS']);
// A dict key is a primitive without ':' and interpolations.
const DICT_KEY_TOKENS = new Set<TokenType>(['ID', 'NULL', 'INT', 'FLOAT', 'BOOL', 'UNQUOTED_CHAR', 'ESC', 'WS']);
const KEY_NAME_TOKENS = new Set<TokenType>(['ID', 'KEY_SPECIAL', 'DOT_PATH']);

const SYNTAX_HELP = 'See the override grammar: key=value, +key=value, ++key=value, ~key, group@pkg=option.';

/** Parses one command-line override (`key=value`, `+a.b=1`, `~db`, `db=mysql,pg` ...). Never throws. */
export function parseOverride(text: string, index = 0, options: ParseOptions = {}): ParseResult {
  try {
    return { override: new OverrideReader(text, index, options.random ?? Math.random).read() };
  } catch (e) {
    if (e instanceof SyntaxFailure) return { error: e.error };
    const origin: Origin = { kind: 'override', index, text, range: [0, text.length] };
    if (e instanceof RangeError) {
      return { error: { code: 'override-syntax', message: `The value of '${text.slice(0, 40)}…' is nested too deeply; flatten it or load it from a config file.`, origin } };
    }
    // Anything else is a bug in this parser; report it as data (marked internal, so tests notice) rather than crash.
    const message = `Could not parse override '${text}' (${e instanceof Error ? e.message : String(e)}). ${SYNTAX_HELP}`;
    return { error: { code: 'override-syntax', message, origin, data: { internal: true } } };
  }
}

/** Parses a list of overrides; each error names its override by index. */
export function parseOverrides(texts: string[], options: ParseOptions = {}): { overrides: Override[]; errors: ConfigError[] } {
  const overrides: Override[] = [];
  const errors: ConfigError[] = [];
  texts.forEach((t, i) => {
    const r = parseOverride(t, i, options);
    if (r.override) overrides.push(r.override);
    if (r.error) errors.push(r.error);
  });
  return { overrides, errors };
}

class SyntaxFailure extends Error {
  constructor(readonly error: ConfigError) {
    super(error.message);
  }
}

class OverrideReader {
  private readonly tokens: Token[];
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly index: number,
    private readonly random: () => number,
  ) {
    this.tokens = tokenize(text);
  }

  read(): Override {
    let type: OverrideType = 'CHANGE';
    if (this.peek().type === 'TILDE') {
      this.next();
      type = 'DEL';
    } else if (this.peek().type === 'PLUS') {
      this.next();
      type = 'ADD';
      if (this.peek().type === 'PLUS') {
        this.next();
        type = 'FORCE_ADD';
      }
    }
    const keyStart = this.peek().start;
    const key = this.readKeyPath();
    let pkg: string | null = null;
    if (this.peek().type === 'AT') {
      this.next();
      pkg = KEY_NAME_TOKENS.has(this.peek().type) ? this.next().text : '';
    }
    const keyEnd = this.pos > 0 ? Math.max(keyStart, this.tokens[this.pos - 1]!.end) : keyStart;
    const base = { key, package: pkg, index: this.index, text: this.text, keyRange: [keyStart, keyEnd] as Range };

    if (type === 'DEL' && this.peek().type === 'EOF') return { ...base, type, value: null, valueType: null };
    const eq = this.peek();
    if (eq.type !== 'EQUAL') this.unexpected(eq, 'missing-equal');
    this.next();

    if (this.peek().type === 'EOF') {
      const at = this.text.length;
      return { ...base, type, value: scalar('str', '', this.origin([at, at])), valueType: 'ELEMENT', valueRange: [at, at] };
    }
    const valueStart = this.peek().start;
    const value = this.readValue();
    const end = this.peek();
    if (end.type !== 'EOF') this.unexpected(end, 'end');
    const valueRange: Range = [valueStart, this.text.length];
    return { ...base, ...this.finish(type, value, valueRange), valueRange };
  }

  /** Turns the parsed value into the Override's value and types (Hydra's visitOverride). */
  private finish(type: OverrideType, value: Val, range: Range): { type: OverrideType; value: ConfigNode | Sweep; valueType: ValueType } {
    switch (value.kind) {
      case 'choice':
        return { type, value: toSweep(value), valueType: value.simpleForm ? 'SIMPLE_CHOICE_SWEEP' : 'CHOICE_SWEEP' };
      case 'range':
        return { type, value: toSweep(value), valueType: 'RANGE_SWEEP' };
      case 'interval':
        return { type, value: toSweep(value), valueType: 'INTERVAL_SWEEP' };
      case 'glob':
        return { type, value: toSweep(value), valueType: 'GLOB_CHOICE_SWEEP' };
      case 'extend': {
        if (type !== 'CHANGE') this.fail('extend_list() cannot be combined with +, ++ or ~; write key=extend_list(...).', range);
        const items = value.items.map((i) => {
          if (!isNode(i)) this.fail(`extend_list() takes values, not a ${i.kind}.`, range);
          return withMissing(i);
        });
        return { type: 'EXTEND_LIST', value: list(items, this.origin(range)), valueType: 'ELEMENT' };
      }
      default:
        return { type, value: withMissing(value), valueType: 'ELEMENT' };
    }
  }

  // ---- keys ----

  /** `packageOrGroup`: one name (`db`, `$x`, `a.b.0`) or a group path (`hydra/launcher`); may be empty. */
  private readKeyPath(): string {
    const first = this.peek();
    if (first.type === 'ID' && this.peek(1).type === 'SLASH') {
      let path = this.next().text;
      while (this.peek().type === 'SLASH') {
        this.next();
        const part = this.peek();
        if (part.type !== 'ID') this.unexpected(part, 'group-part');
        path += '/' + this.next().text;
      }
      return path;
    }
    return KEY_NAME_TOKENS.has(first.type) ? this.next().text : '';
  }

  // ---- values ----

  /** `value: element | element (COMMA element)+` (the second form is a simple choice sweep). */
  private readValue(): Val {
    const startTok = this.peek();
    const first = this.readElement(true);
    if (this.peek().type !== 'COMMA') return first;
    const items = [first];
    while (this.peek().type === 'COMMA') {
      this.next();
      items.push(this.readElement(true));
    }
    if (items.some((i) => i.kind === 'extend')) this.fail('extend_list() must be the whole value: key=extend_list(a,b).', this.rangeSince(startTok));
    return { kind: 'choice', list: items, simpleForm: true, shuffle: false, tags: [] };
  }

  /** `element: primitive | listContainer | dictContainer | function`. Sweeps are allowed only where `mayBeSweep`. */
  private readElement(mayBeSweep: boolean): Val {
    const t = this.peek();
    let v: Val;
    if (t.type === 'ID' && this.peek(1).type === 'POPEN') v = this.readFunction();
    else if (t.type === 'BRACKET_OPEN') v = this.readList();
    else if (t.type === 'BRACE_OPEN') v = this.readDict();
    else if (t.type === 'QUOTED_VALUE') {
      this.next();
      const range: Range = [t.start, t.end];
      v = markQuoted(scalar('str', unescapeQuoted(t.text), this.origin(range)), t.text[0] as Quote);
    } else if (PRIMITIVE_TOKENS.has(t.type)) v = this.readPrimitive(PRIMITIVE_TOKENS);
    else this.unexpected(t, 'value');
    if (!mayBeSweep && !isNode(v)) {
      this.fail(`A ${describeVal(v)} cannot be nested inside a list or dict; sweep over whole values instead (a=[1,2],[3,4]).`, this.rangeSince(t));
    }
    return v;
  }

  /** A run of primitive tokens (Hydra's `_createPrimitive`): one token keeps its type, several make a string. */
  private readPrimitive(allowed: Set<TokenType>): ScalarNode {
    const toks: Token[] = [];
    while (allowed.has(this.peek().type)) toks.push(this.next());
    let first = 0;
    let last = toks.length;
    if (toks[0]!.type === 'WS') {
      if (toks.length === 1) this.fail('A value cannot be only whitespace; quote it if you mean spaces: \' \'.', [toks[0]!.start, toks[0]!.end]);
      first = 1;
    }
    if (toks[toks.length - 1]!.type === 'WS') last--;
    const kept = toks.slice(first, last);
    const range: Range = [kept[0]!.start, kept[kept.length - 1]!.end];
    const origin = this.origin(range);
    const unescape = (tok: Token) => (tok.type === 'ESC' ? everyOtherChar(tok.text) : tok.text);
    if (kept.length > 1) return scalar('str', kept.map(unescape).join(''), origin);
    const tok = kept[0]!;
    switch (tok.type) {
      case 'INT': {
        const n = Number(tok.text.replace(/_/g, ''));
        return scalar('int', n === 0 ? 0 : n, origin);
      }
      case 'FLOAT':
        return scalar('float', pyParseFloat(tok.text)!, origin);
      case 'NULL':
        return scalar('null', null, origin);
      case 'BOOL':
        return scalar('bool', tok.text.toLowerCase() === 'true', origin);
      default:
        return scalar('str', unescape(tok), origin);
    }
  }

  private readList(): ConfigNode {
    const open = this.next();
    const items: ConfigNode[] = [];
    if (this.peek().type !== 'BRACKET_CLOSE') {
      items.push(this.readElement(false) as ConfigNode);
      while (this.peek().type === 'COMMA') {
        this.next();
        items.push(this.readElement(false) as ConfigNode);
      }
    }
    const close = this.peek();
    if (close.type !== 'BRACKET_CLOSE') this.unexpected(close, 'list', open);
    this.next();
    return list(items, this.origin([open.start, close.end]));
  }

  private readDict(): ConfigNode {
    const open = this.next();
    const node = dict();
    const readPair = () => {
      const k = this.peek();
      if (!DICT_KEY_TOKENS.has(k.type)) this.unexpected(k, 'dict-key');
      const key = this.readPrimitive(DICT_KEY_TOKENS);
      if (key.type === 'null') this.fail('null cannot be a dict key; use a name: {name:value}.', key.origin?.kind === 'override' ? key.origin.range : [k.start, k.end]);
      const colon = this.peek();
      if (colon.type !== 'COLON') this.unexpected(colon, 'dict-colon');
      this.next();
      const value = this.readElement(false) as ConfigNode;
      const keyValue = key.value as string | number | boolean;
      const keyName = typeof keyValue === 'boolean' ? (keyValue ? 'True' : 'False') : String(keyValue);
      const canonical = key.type === 'float' ? pyFloatRepr(keyValue as number) : keyName;
      node.entries.set(canonical, { key: keyValue, node: value, keyOrigin: key.origin });
    };
    if (this.peek().type !== 'BRACE_CLOSE') {
      readPair();
      while (this.peek().type === 'COMMA') {
        this.next();
        readPair();
      }
    }
    const close = this.peek();
    if (close.type !== 'BRACE_CLOSE') this.unexpected(close, 'dict', open);
    this.next();
    node.origin = this.origin([open.start, close.end]);
    return node;
  }

  /** `function: ID POPEN (argName? element (COMMA argName? element)*)? PCLOSE`, evaluated at once as Hydra does. */
  private readFunction(): Val {
    const name = this.next();
    const popen = this.next();
    const call: FunctionArgs = { args: [], kwargs: new Map() };
    const readArg = () => {
      if (this.peek().type === 'ID' && this.peek(1).type === 'EQUAL') {
        const argName = this.next();
        this.next();
        call.kwargs.set(argName.text, this.readElement(true));
      } else {
        const t = this.peek();
        const v = this.readElement(true);
        if (call.kwargs.size) this.fail('A positional argument cannot follow a keyword argument; put positional arguments first.', this.rangeSince(t));
        call.args.push(v);
      }
    };
    if (this.peek().type !== 'PCLOSE') {
      readArg();
      while (this.peek().type === 'COMMA') {
        this.next();
        readArg();
      }
    }
    const close = this.peek();
    if (close.type !== 'PCLOSE') this.unexpected(close, 'call', popen);
    this.next();
    const range: Range = [name.start, close.end];
    try {
      return evalFunction(name.text, call, { name: name.text, origin: this.origin(range), random: this.random });
    } catch (e) {
      if (!(e instanceof EvalError)) throw e;
      const callText = this.text.slice(range[0], range[1]);
      this.fail(`Error in '${callText}': ${e.message}`, e.range ?? range);
    }
  }

  // ---- tokens and errors ----

  private peek(k = 0): Token {
    return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.type !== 'EOF' && t.type !== 'ERROR') this.pos++;
    return t;
  }

  private rangeSince(t: Token): Range {
    return [t.start, Math.max(t.end, this.tokens[this.pos - 1]?.end ?? t.end)];
  }

  private origin(range: Range): Origin {
    return { kind: 'override', index: this.index, text: this.text, range };
  }

  private fail(message: string, range: Range): never {
    throw new SyntaxFailure({ code: 'override-syntax', message, origin: this.origin(range) });
  }

  /** Reports the token `t` where something else was expected, with a message that says how to fix it. */
  private unexpected(t: Token, expected: string, opener?: Token): never {
    const range: Range = t.type === 'EOF' ? [t.start, t.start] : [t.start, t.end];
    const shown = t.type === 'EOF' ? 'the end of the override' : `'${t.text.trim() || t.text}'`;
    if (t.type === 'ERROR') this.fail(this.badCharacter(t), range);
    switch (expected) {
      case 'missing-equal': {
        const key = this.text.slice(0, t.start);
        if (t.type === 'EOF') {
          this.fail(`Missing '=' after '${key}': write '${key}=<value>' to set it, or '~${key.replace(/^[+~]+/, '')}' to delete it.`, range);
        }
        if (t.type === 'SLASH' || t.type === 'DOT_PATH') {
          this.fail(`Bad key '${this.text.split('=')[0]}': a package (after '@') is a dotted name and a config group path uses '/' between plain names.`, range);
        }
        this.fail(`Unexpected ${shown} in the key; expected '=' (key=value). ${SYNTAX_HELP}`, range);
      }
      case 'group-part':
        this.fail(`Bad config group path: expected a name after '/', found ${shown}. Group paths use plain names (a/b); keys inside configs use dots (a.b).`, range);
      case 'end':
        if (t.type === 'EQUAL') this.fail(`Unexpected '=' in the value: escape it as '\\=' or quote the value, e.g. key='a=b'.`, range);
        this.fail(`Unexpected ${shown} after the value; quote the value (key='...') if it is one string. ${SYNTAX_HELP}`, range);
      case 'value':
        if (t.type === 'EOF') this.fail(`A value is missing at the end; remove the trailing comma or quote the whole value (key='a,').`, range);
        if (t.type === 'EQUAL') this.fail(`Unexpected '=' in the value: escape it as '\\=' or quote the value, e.g. key='a=b'.`, range);
        this.fail(`Expected a value but found ${shown}; quote the value (key='...') or escape special characters with '\\'.`, range);
      case 'list':
        this.fail(`Unclosed '[' at column ${opener!.start + 1}: expected ',' or ']' but found ${shown}.`, range);
      case 'dict':
        this.fail(`Unclosed '{' at column ${opener!.start + 1}: expected ',' or '}' but found ${shown}.`, range);
      case 'dict-key':
        if (t.type === 'QUOTED_VALUE') this.fail(`Dict keys cannot be quoted; escape special characters instead, e.g. {x\\ y:1}.`, range);
        if (t.type === 'INTERPOLATION') this.fail(`Dict keys cannot be interpolations.`, range);
        this.fail(`Expected a dict key (name:value) but found ${shown}.`, range);
      case 'dict-colon':
        this.fail(`Expected ':' after the dict key (a dict is written {key:value,...}) but found ${shown}.`, range);
      case 'call':
        this.fail(`Unclosed '(' at column ${opener!.start + 1}: expected ',' or ')' but found ${shown}.`, range);
    }
    this.fail(`Unexpected ${shown}. ${SYNTAX_HELP}`, range);
  }

  private badCharacter(t: Token): string {
    const c = t.text;
    const inKey = !this.tokens.some((x) => x.type === 'EQUAL' && x.start < t.start);
    if (c === "'" || c === '"') return `Unterminated quoted string: add the closing ${c}.`;
    if (inKey) {
      if (c === ' ' || c === '\t') return `Whitespace is not allowed in a key; write key=value without spaces around the key.`;
      return `Character '${c}' is not allowed in a key; keys are names like a.b, a/b, +a, ~a or a@pkg.`;
    }
    const shown = c === '\n' ? 'a newline' : c === '\r' ? 'a carriage return' : `'${c}'`;
    return `Character ${shown} is not allowed in an unquoted value; quote the value (key='...').`;
  }
}

/** Un-escapes an ESC token (`\,` -> `,`, `\\` -> `\`): every escape is a backslash and one character. */
function everyOtherChar(s: string): string {
  let out = '';
  for (let i = 1; i < s.length; i += 2) out += s[i];
  return out;
}

function describeVal(v: Val): string {
  return v.kind === 'choice' ? 'choice sweep' : v.kind === 'range' ? 'range sweep' : v.kind === 'interval' ? 'interval sweep' : v.kind === 'glob' ? 'glob()' : 'extend_list()';
}

/** OmegaConf reads the string `???` as a missing value. */
function withMissing(node: ConfigNode): ConfigNode {
  if (node.kind === 'scalar') return node.type === 'str' && node.value === '???' ? scalar('missing', null, node.origin) : node;
  if (node.kind === 'list') {
    node.items = node.items.map(withMissing);
    return node;
  }
  for (const e of node.entries.values()) e.node = withMissing(e.node);
  return node;
}

/** The public form of a sweep (types.ts); values inside become config nodes. */
function toSweep(v: Val): Sweep {
  switch (v.kind) {
    case 'choice': {
      const plain = v.list.every(isNode);
      const all = v.list.map((i) => (isNode(i) ? withMissing(i) : toSweep(i)));
      const base = { kind: 'choice' as const, items: all.filter((i): i is ConfigNode => isNode(i as Val)), simpleForm: v.simpleForm, shuffle: v.shuffle, tags: v.tags };
      return plain ? base : { ...base, nested: all };
    }
    case 'range':
      return { kind: 'range', start: v.start, stop: v.stop, step: v.step, shuffle: v.shuffle, tags: v.tags };
    case 'interval':
      return { kind: 'interval', start: v.start, end: v.end, tags: v.tags };
    case 'glob':
      return { kind: 'glob', include: v.include, exclude: v.exclude, tags: [] };
    default:
      throw new EvalError('extend_list() can only be the whole value of an override.');
  }
}
