// Printing a config exactly as Hydra prints it.
//
// `toYaml` is byte-identical to OmegaConf 2.2's `to_yaml`: PyYAML's `yaml.dump(container,
// default_flow_style=False, allow_unicode=True, sort_keys=False)` with OmegaConf's string representer, which
// single-quotes strings that Python's `int()` / `float()` accept or that are YAML 1.1 booleans. The emitter
// below follows PyYAML's (emitter.py) decisions one by one: which scalar style a string gets (plain, single or
// double quoted), where long scalars fold at column 80, how block sequences sit at their parent key's indent,
// flow `{}` / `[]` for empty containers, and the `?` form for keys that cannot be simple.
//
// `toJson` is Python's `json.dumps(container, ensure_ascii=False)` (with `indent` when given): key order kept,
// floats as Python prints them (`1.0`, `1e-05`, `NaN`, `Infinity`), non-ASCII characters written as they are
// (we choose ensure_ascii=False so paths and names stay readable; JSON readers accept both forms).

import { isPythonFloat, isPythonInt } from './interpolation/python.js';
import { formatPythonNumber, type ConfigNode, type KeyValue, type ScalarNode } from './nodes.js';

// ---- YAML ------------------------------------------------------------------------------------------------

/** OmegaConf's YAML_BOOL_TYPES: strings the dumper quotes because YAML 1.1 reads them as booleans. */
const YAML_BOOLS = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'true', 'True', 'TRUE',
  'false', 'False', 'FALSE', 'on', 'On', 'ON', 'off', 'Off', 'OFF',
]);

/** PyYAML's implicit resolvers (YAML 1.1): a plain scalar matching one of these would not load as a string. */
const IMPLICIT: RegExp[] = [
  /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  /^(?:<<)$/,
  /^(?:~|null|Null|NULL|)$/,
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  /^(?:=)$/,
];

/** Whether a plain scalar with this text loads back as a string. Python's `$` also matches before a final newline. */
function plainIsString(value: string): boolean {
  const candidates = value.endsWith('\n') ? [value, value.slice(0, -1)] : [value];
  return !IMPLICIT.some((re) => candidates.some((v) => re.test(v)));
}

interface ScalarEvent {
  value: string;
  /** The representer's requested style: OmegaConf asks for single quotes on number-like and boolean-like strings. */
  style: "'" | undefined;
  /** Whether the plain form resolves to the scalar's own type (PyYAML's implicit[0]). */
  plainImplicit: boolean;
}

/** Python's `repr(float)` as PyYAML's represent_float writes it (`1.0e-05`, `.inf`, `.nan`). */
function yamlFloat(value: number): string {
  if (Number.isNaN(value)) return '.nan';
  if (value === Infinity) return '.inf';
  if (value === -Infinity) return '-.inf';
  let s = formatPythonNumber(value, 'float').toLowerCase();
  if (!s.includes('.') && s.includes('e')) s = s.replace('e', '.0e');
  return s;
}

function strEvent(value: string): ScalarEvent {
  const quote = YAML_BOOLS.has(value) || isPythonInt(value) || isPythonFloat(value);
  return { value, style: quote ? "'" : undefined, plainImplicit: plainIsString(value) };
}

function scalarEvent(node: ScalarNode): ScalarEvent {
  switch (node.type) {
    case 'str':
      return strEvent(String(node.value));
    case 'missing':
      return strEvent('???');
    case 'int':
      return { value: formatPythonNumber(node.value as number, 'int'), style: undefined, plainImplicit: true };
    case 'float':
      return { value: yamlFloat(node.value as number), style: undefined, plainImplicit: true };
    case 'bool':
      return { value: node.value ? 'true' : 'false', style: undefined, plainImplicit: true };
    case 'null':
      return { value: 'null', style: undefined, plainImplicit: true };
  }
}

function keyEvent(key: KeyValue): ScalarEvent {
  if (typeof key === 'string') return strEvent(key);
  if (typeof key === 'boolean') return { value: key ? 'true' : 'false', style: undefined, plainImplicit: true };
  const value = Number.isInteger(key) ? formatPythonNumber(key, 'int') : yamlFloat(key);
  return { value, style: undefined, plainImplicit: true };
}

interface Analysis {
  empty: boolean;
  multiline: boolean;
  allowFlowPlain: boolean;
  allowBlockPlain: boolean;
  allowSingleQuoted: boolean;
}

const BREAKS = '\n\u0085\u2028\u2029';
const SPACE_OR_BREAKS = ' ' + BREAKS;

const isBreakCode = (cp: number): boolean => cp === 10 || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
const isSpaceOrBreakCode = (cp: number): boolean => cp === 0 || cp === 32 || cp === 9 || cp === 13 || isBreakCode(cp);

function isUnicodeAllowed(cp: number): boolean {
  return (cp === 0x85 || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp < 0x10ffff)) && cp !== 0xfeff;
}

// Indicator characters, by code: leading ones that always block plain style, and ones that block flow style.
const LEADING_INDICATORS = new Set(Array.from('#,[]{}&*!|>\'"%@`', (c) => c.charCodeAt(0)));
const FLOW_INDICATORS = new Set(Array.from(',?[]{}', (c) => c.charCodeAt(0)));

const analysisCache = new Map<string, Analysis>();

/** `analyze`, remembered per text: the same keys and values come back in every config that is printed. */
function analyzeText(text: string): Analysis {
  let a = analysisCache.get(text);
  if (!a) {
    if (analysisCache.size > 10_000) analysisCache.clear();
    analysisCache.set(text, (a = analyze(Array.from(text))));
  }
  return a;
}

/** PyYAML's analyze_scalar: which styles can carry this text unchanged (over code points, as Python's str). */
function analyze(chars: string[]): Analysis {
  const n = chars.length;
  if (n === 0) {
    return { empty: true, multiline: false, allowFlowPlain: false, allowBlockPlain: true, allowSingleQuoted: true };
  }
  const cps = chars.map((c) => c.codePointAt(0)!);
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  const head = chars.slice(0, 3).join('');
  if (head === '---' || head === '...') blockIndicators = flowIndicators = true;
  let precededByWhitespace = true;
  let followedByWhitespace = n === 1 || isSpaceOrBreakCode(cps[1]!);
  let previousSpace = false;
  let previousBreak = false;
  for (let i = 0; i < n; i++) {
    const cp = cps[i]!;
    if (i === 0) {
      if (LEADING_INDICATORS.has(cp)) flowIndicators = blockIndicators = true;
      if (cp === 63 /* ? */ || cp === 58 /* : */) {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      }
      if (cp === 45 /* - */ && followedByWhitespace) flowIndicators = blockIndicators = true;
    } else {
      if (FLOW_INDICATORS.has(cp)) flowIndicators = true;
      if (cp === 58 /* : */) {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      }
      if (cp === 35 /* # */ && precededByWhitespace) flowIndicators = blockIndicators = true;
    }
    const isBreak = isBreakCode(cp);
    if (isBreak) lineBreaks = true;
    if (!(cp === 10 || (cp >= 0x20 && cp <= 0x7e)) && !isUnicodeAllowed(cp)) special = true;
    if (cp === 32) {
      if (i === 0) leadingSpace = true;
      if (i === n - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak) {
      if (i === 0) leadingBreak = true;
      if (i === n - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = previousBreak = false;
    }
    precededByWhitespace = isSpaceOrBreakCode(cp);
    followedByWhitespace = i + 2 >= n || isSpaceOrBreakCode(cps[i + 2]!);
  }
  let allowFlowPlain = true;
  let allowBlockPlain = true;
  let allowSingleQuoted = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) allowFlowPlain = allowBlockPlain = false;
  if (breakSpace) allowFlowPlain = allowBlockPlain = allowSingleQuoted = false;
  if (spaceBreak || special) allowFlowPlain = allowBlockPlain = allowSingleQuoted = false;
  if (lineBreaks) allowFlowPlain = allowBlockPlain = false;
  if (flowIndicators) allowFlowPlain = false;
  if (blockIndicators) allowBlockPlain = false;
  return { empty: false, multiline: lineBreaks, allowFlowPlain, allowBlockPlain, allowSingleQuoted };
}

const ESCAPES: Record<string, string> = {
  '\0': '0', '\x07': 'a', '\x08': 'b', '\x09': 't', '\x0A': 'n', '\x0B': 'v', '\x0C': 'f', '\x0D': 'r',
  '\x1B': 'e', '"': '"', '\\': '\\', '\x85': 'N', '\xA0': '_', '\u2028': 'L', '\u2029': 'P',
};

/** Python's len(): code points, not UTF-16 units. */
function codePointLength(s: string): number {
  return /[\uD800-\uDFFF]/.test(s) ? Array.from(s).length : s.length;
}

const BEST_INDENT = 2;
const BEST_WIDTH = 80;

/**
 * Deepest nesting the printers accept. PyYAML and json stop at Python's recursion limit (about 1,000) far
 * sooner; past this we throw a clear error rather than overflow the stack.
 */
export const MAX_PRINT_DEPTH = 1000;

function tooDeep(): never {
  throw new Error(`The config is nested more than ${MAX_PRINT_DEPTH} levels deep and cannot be printed; flatten it.`);
}

interface Context {
  root?: boolean;
  sequence?: boolean;
  mapping?: boolean;
  simpleKey?: boolean;
}

/** PyYAML's block-style emitter, driven by a walk of the tree instead of an event queue. */
class YamlEmitter {
  private out: string[] = [];
  private column = 0;
  private whitespace = true;
  private indention = true;
  private indent: number | null = null;
  private readonly indents: (number | null)[] = [];
  private openEnded = false;
  private ctx: Context = {};

  emitDocument(node: ConfigNode): string {
    this.node(node, { root: true });
    this.writeIndent();
    if (this.openEnded) {
      this.writeIndicator('...', true);
      this.writeIndent();
    }
    return this.out.join('');
  }

  private depth = 0;

  private node(node: ConfigNode, ctx: Context): void {
    if (this.depth > MAX_PRINT_DEPTH) tooDeep();
    this.depth++;
    try {
      this.nodeAt(node, ctx);
    } finally {
      this.depth--;
    }
  }

  private nodeAt(node: ConfigNode, ctx: Context): void {
    this.ctx = ctx;
    if (node.kind === 'scalar') return this.scalar(scalarEvent(node));
    const empty = node.kind === 'list' ? node.items.length === 0 : node.entries.size === 0;
    if (empty) {
      // Empty containers are always written in flow style: `[]` and `{}`.
      this.writeIndicator(node.kind === 'list' ? '[' : '{', true, true);
      this.increaseIndent(true);
      this.indent = this.indents.pop()!;
      this.writeIndicator(node.kind === 'list' ? ']' : '}', false);
      return;
    }
    if (node.kind === 'list') {
      // A sequence directly under a mapping key is "indentless": its dashes sit at the key's indent.
      this.increaseIndent(false, ctx.mapping === true && !this.indention);
      for (const item of node.items) {
        this.writeIndent();
        this.writeIndicator('-', true, false, true);
        this.node(item, { sequence: true });
      }
      this.indent = this.indents.pop()!;
      return;
    }
    this.increaseIndent(false);
    for (const entry of node.entries.values()) {
      this.writeIndent();
      const key = keyEvent(entry.key);
      const analysis = analyzeText(key.value);
      if (codePointLength(key.value) < 128 && !analysis.empty && !analysis.multiline) {
        this.ctx = { mapping: true, simpleKey: true };
        this.scalar(key);
        this.writeIndicator(':', false);
        this.node(entry.node, { mapping: true });
      } else {
        this.writeIndicator('?', true, false, true);
        this.ctx = { mapping: true };
        this.scalar(key);
        this.writeIndent();
        this.writeIndicator(':', true, false, true);
        this.node(entry.node, { mapping: true });
      }
    }
    this.indent = this.indents.pop()!;
  }

  private increaseIndent(flow: boolean, indentless = false): void {
    this.indents.push(this.indent);
    if (this.indent === null) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }

  private scalar(event: ScalarEvent): void {
    this.increaseIndent(true);
    const analysis = analyzeText(event.value);
    const simpleKey = this.ctx.simpleKey === true;
    const split = !simpleKey;
    const style = this.chooseStyle(event, analysis, simpleKey);
    if (style === '"') this.writeDoubleQuoted(Array.from(event.value), split);
    else if (style === "'") this.writeSingleQuoted(Array.from(event.value), split);
    else this.writePlain(event.value, split);
    this.indent = this.indents.pop()!;
  }

  private chooseStyle(event: ScalarEvent, a: Analysis, simpleKey: boolean): '' | "'" | '"' {
    if (!event.style && event.plainImplicit) {
      if (!(simpleKey && (a.empty || a.multiline)) && a.allowBlockPlain) return '';
    }
    if (a.allowSingleQuoted && !(simpleKey && a.multiline)) return "'";
    return '"';
  }

  private write(data: string, length = codePointLength(data)): void {
    this.out.push(data);
    this.column += length;
  }

  private writeIndicator(indicator: string, needWhitespace: boolean, whitespace = false, indention = false): void {
    const data = this.whitespace || !needWhitespace ? indicator : ' ' + indicator;
    this.whitespace = whitespace;
    this.indention = this.indention && indention;
    this.openEnded = false;
    this.write(data);
  }

  private writeIndent(): void {
    const indent = this.indent ?? 0;
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.writeLineBreak();
    if (this.column < indent) {
      this.whitespace = true;
      this.write(' '.repeat(indent - this.column));
    }
  }

  private writeLineBreak(data = '\n'): void {
    this.whitespace = true;
    this.indention = true;
    this.out.push(data);
    this.column = 0;
  }

  private writePlain(value: string, split: boolean): void {
    if (this.ctx.root) this.openEnded = true;
    if (value.length === 0) return;
    if (!this.whitespace) this.write(' ');
    this.whitespace = false;
    this.indention = false;
    // Plain scalars never contain breaks; one that ends before the fold width is written as it is.
    const length = codePointLength(value);
    if (this.column + length <= BEST_WIDTH) {
      this.write(value, length);
      return;
    }
    const text = Array.from(value);
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch = end < text.length ? text[end] : undefined;
      if (spaces) {
        if (ch !== ' ') {
          if (start + 1 === end && this.column > BEST_WIDTH && split) {
            this.writeIndent();
            this.whitespace = false;
            this.indention = false;
          } else this.write(text.slice(start, end).join(''), end - start);
          start = end;
        }
      } else if (breaks) {
        if (ch === undefined || !BREAKS.includes(ch)) {
          if (text[start] === '\n') this.writeLineBreak();
          for (const br of text.slice(start, end)) this.writeLineBreak(br === '\n' ? '\n' : br);
          this.writeIndent();
          this.whitespace = false;
          this.indention = false;
          start = end;
        }
      } else if (ch === undefined || SPACE_OR_BREAKS.includes(ch)) {
        this.write(text.slice(start, end).join(''), end - start);
        start = end;
      }
      if (ch !== undefined) {
        spaces = ch === ' ';
        breaks = BREAKS.includes(ch);
      }
    }
  }

  private writeSingleQuoted(text: string[], split: boolean): void {
    this.writeIndicator("'", true);
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch = end < text.length ? text[end] : undefined;
      if (spaces) {
        if (ch === undefined || ch !== ' ') {
          if (start + 1 === end && this.column > BEST_WIDTH && split && start !== 0 && end !== text.length) this.writeIndent();
          else this.write(text.slice(start, end).join(''), end - start);
          start = end;
        }
      } else if (breaks) {
        if (ch === undefined || !BREAKS.includes(ch)) {
          if (text[start] === '\n') this.writeLineBreak();
          for (const br of text.slice(start, end)) this.writeLineBreak(br === '\n' ? '\n' : br);
          this.writeIndent();
          start = end;
        }
      } else if (ch === undefined || SPACE_OR_BREAKS.includes(ch) || ch === "'") {
        if (start < end) {
          this.write(text.slice(start, end).join(''), end - start);
          start = end;
        }
      }
      if (ch === "'") {
        this.write("''");
        start = end + 1;
      }
      if (ch !== undefined) {
        spaces = ch === ' ';
        breaks = BREAKS.includes(ch);
      }
    }
    this.writeIndicator("'", false);
  }

  private writeDoubleQuoted(text: string[], split: boolean): void {
    this.writeIndicator('"', true);
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch = end < text.length ? text[end] : undefined;
      const cp = ch?.codePointAt(0) ?? 0;
      const plainChar = ch !== undefined && !'"\\\u0085\u2028\u2029\uFEFF'.includes(ch) &&
        ((cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd));
      if (!plainChar) {
        if (start < end) {
          this.write(text.slice(start, end).join(''), end - start);
          start = end;
        }
        if (ch !== undefined) {
          let data: string;
          if (ch in ESCAPES) data = '\\' + ESCAPES[ch];
          else if (cp <= 0xff) data = '\\x' + cp.toString(16).toUpperCase().padStart(2, '0');
          else if (cp <= 0xffff) data = '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
          else data = '\\U' + cp.toString(16).toUpperCase().padStart(8, '0');
          this.write(data);
          start = end + 1;
        }
      }
      if (end > 0 && end < text.length - 1 && (ch === ' ' || start >= end) && this.column + (end - start) > BEST_WIDTH && split) {
        const data = text.slice(start, end).join('') + '\\';
        if (start < end) start = end;
        this.write(data);
        this.writeIndent();
        this.whitespace = false;
        this.indention = false;
        if (text[start] === ' ') this.write('\\');
      }
    }
    this.writeIndicator('"', false);
  }
}

/** The YAML Hydra prints for this tree (`OmegaConf.to_yaml`), byte for byte. */
export function toYaml(node: ConfigNode): string {
  return new YamlEmitter().emitDocument(node);
}

// ---- JSON ------------------------------------------------------------------------------------------------

/** Python's json float: repr, with NaN and Infinity spelled as json.dumps spells them. */
function jsonFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return formatPythonNumber(value, 'float');
}

/** json.dumps(ensure_ascii=False) string escaping: only `"`, `\` and control characters. */
function jsonString(s: string): string {
  // eslint-disable-next-line no-control-regex
  return '"' + s.replace(/[\x00-\x1f\\"]/g, (c) => {
    switch (c) {
      case '"': return '\\"';
      case '\\': return '\\\\';
      case '\n': return '\\n';
      case '\r': return '\\r';
      case '\t': return '\\t';
      case '\b': return '\\b';
      case '\f': return '\\f';
      default: return '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');
    }
  }) + '"';
}

function jsonKey(key: KeyValue): string {
  if (typeof key === 'string') return jsonString(key);
  if (typeof key === 'boolean') return key ? '"true"' : '"false"';
  return '"' + (Number.isInteger(key) ? formatPythonNumber(key, 'int') : jsonFloat(key)) + '"';
}

function jsonScalar(node: ScalarNode): string {
  switch (node.type) {
    case 'str':
      return jsonString(String(node.value));
    case 'missing':
      return '"???"';
    case 'int':
      return formatPythonNumber(node.value as number, 'int');
    case 'float':
      return jsonFloat(node.value as number);
    case 'bool':
      return node.value ? 'true' : 'false';
    case 'null':
      return 'null';
  }
}

function jsonNode(node: ConfigNode, indent: number | undefined, level: number): string {
  if (node.kind === 'scalar') return jsonScalar(node);
  if (level > MAX_PRINT_DEPTH) tooDeep();
  const items: string[] =
    node.kind === 'list'
      ? node.items.map((item) => jsonNode(item, indent, level + 1))
      : [...node.entries.values()].map((e) => `${jsonKey(e.key)}: ${jsonNode(e.node, indent, level + 1)}`);
  const [open, close] = node.kind === 'list' ? ['[', ']'] : ['{', '}'];
  if (items.length === 0) return open + close;
  if (indent === undefined) return open + items.join(', ') + close;
  const inner = '\n' + ' '.repeat(indent * (level + 1));
  return open + inner + items.join(',' + inner) + '\n' + ' '.repeat(indent * level) + close;
}

/**
 * Python's `json.dumps(container, ensure_ascii=False, indent=indent)`: key order kept, `1.0` stays a float,
 * non-finite floats as `NaN` / `Infinity` / `-Infinity`, non-string keys as their JSON spelling.
 */
export function toJson(node: ConfigNode, indent?: number): string {
  return jsonNode(node, indent, 0);
}
