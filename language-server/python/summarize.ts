// A Python file's syntax tree -> the module summary the server keeps (model.ts). Only module level is read
// (plus class bodies for methods and fields, and calls for Hydra entry points), including definitions under
// `if`/`try`/`with` at module level, which is where conditional imports and fallbacks live.
import type { Node, Parser } from 'web-tree-sitter';
import type {
  HydraEntryPoint, ParamKind, PyClass, PyField, PyFunction, PyModuleSummary, PyParam, PySymbol, VersionBaseArg,
} from './model.js';
import type { Range } from '../service/types.js';
import { compactSummary } from './compact.js';

/** Files above this size are read by the line scanner: a 10 MB parse takes seconds and hundreds of MB. */
export const PARSE_LIMIT = 1_000_000;

const rangeOf = (n: Node): Range => [n.startIndex, n.endIndex];
const named = (n: Node): Node[] => n.namedChildren.filter((c): c is Node => c !== null);

/** Re-parses after blanking a broken top-level statement, at most this many times per file. */
const MAX_REPAIRS = 8;

export function summarizePython(parser: Parser, text: string): PyModuleSummary {
  return compactSummary(summarize(parser, text));
}

function summarize(parser: Parser, text: string): PyModuleSummary {
  if (text.length > PARSE_LIMIT) return scanLarge(text);
  let current = text;
  for (let attempt = 0; ; attempt++) {
    const tree = parser.parse(current);
    if (!tree) return scanLarge(text);
    try {
      const error = tree.rootNode.hasError ? firstError(tree.rootNode) : undefined;
      // Error recovery can swallow the definitions after a broken one (a `def f(x:` eats the next class):
      // blank the broken statement (offsets stay put) and parse again, so the rest reads as written.
      const repaired = error !== undefined && attempt < MAX_REPAIRS ? blankStatement(current, error) : undefined;
      if (repaired !== undefined && repaired !== current) {
        current = repaired;
        continue;
      }
      const entries: HydraEntryPoint[] = [];
      const callArgs: string[] = [];
      const out: PyModuleSummary = { symbols: new Map(), starImports: [], dynamic: false, entryPoints: entries, callArgs, partial: false };
      moduleBlock(tree.rootNode, out);
      if (/\b(?:hydra|initialize|compose)\b/.test(current)) entryPoints(tree.rootNode, entries);
      if (/\b(?:instantiate|call)\s*\(/.test(current)) instantiateArgs(tree.rootNode, callArgs);
      if (current !== text) {
        // Names of the blanked statements still exist (Python would fail on the file, but not on a name).
        for (const [name, sym] of scanLarge(text).symbols) if (!out.symbols.has(name)) out.symbols.set(name, sym);
      }
      return out;
    } finally {
      tree.delete();
    }
  }
}

/** The offset of the first syntax error (an ERROR or MISSING node), depth first. */
function firstError(root: Node): number | undefined {
  let node: Node = root;
  for (;;) {
    if (node.isError || node.isMissing) return node.startIndex;
    const next = node.children.find((c): c is Node => !!c && (c.hasError || c.isMissing || c.isError));
    if (!next) return node.startIndex;
    node = next;
  }
}

/** The text with the top-level statement around `at` (column-0 line to the next column-0 line) blanked. */
function blankStatement(text: string, at: number): string {
  const topLevel = /^[^\s#)\]}]/;
  let start = text.lastIndexOf('\n', Math.max(0, at - 1)) + 1;
  while (start > 0 && !topLevel.test(text.slice(start, start + 1))) start = text.lastIndexOf('\n', start - 2) + 1;
  let end = text.indexOf('\n', at);
  while (end >= 0 && !topLevel.test(text.slice(end + 1, end + 2))) end = text.indexOf('\n', end + 1);
  if (end < 0) end = text.length;
  return text.slice(0, start) + text.slice(start, end).replace(/[^\n]/g, ' ') + text.slice(end);
}

function moduleBlock(block: Node, out: PyModuleSummary): void {
  for (const stmt of named(block)) statement(stmt, out);
}

function statement(stmt: Node, out: PyModuleSummary): void {
  const set = (s: PySymbol) => out.symbols.set(s.name, s);
  switch (stmt.type) {
    case 'class_definition':
      set(classDef(stmt, []));
      return;
    case 'function_definition':
      set(functionDef(stmt, []));
      if (stmt.childForFieldName('name')?.text === '__getattr__') out.dynamic = true;
      return;
    case 'decorated_definition': {
      const decorators = named(stmt).filter((c) => c.type === 'decorator').map(decoratorName);
      const def = stmt.childForFieldName('definition');
      if (def?.type === 'class_definition') set(classDef(def, decorators));
      else if (def?.type === 'function_definition') set(functionDef(def, decorators));
      return;
    }
    case 'import_statement':
      for (const c of named(stmt)) {
        if (c.type === 'dotted_name') {
          // `import a.b` binds `a`.
          const first = c.namedChildren[0];
          if (first) set({ kind: 'import', name: first.text, range: rangeOf(first), module: first.text });
        } else if (c.type === 'aliased_import') {
          const alias = c.childForFieldName('alias');
          const name = c.childForFieldName('name');
          if (alias && name) set({ kind: 'import', name: alias.text, range: rangeOf(alias), module: name.text });
        }
      }
      return;
    case 'import_from_statement': {
      const mod = stmt.childForFieldName('module_name');
      if (!mod) return;
      const module = mod.text.replace(/\s+/g, '');
      if (named(stmt).some((c) => c.type === 'wildcard_import')) {
        out.starImports = [...out.starImports, module];
        return;
      }
      for (const c of stmt.childrenForFieldName('name')) {
        if (!c) continue;
        if (c.type === 'dotted_name') set({ kind: 'import', name: c.text, range: rangeOf(c), module, attr: c.text });
        else if (c.type === 'aliased_import') {
          const alias = c.childForFieldName('alias');
          const name = c.childForFieldName('name');
          if (alias && name) set({ kind: 'import', name: alias.text, range: rangeOf(alias), module, attr: name.text });
        }
      }
      return;
    }
    case 'expression_statement': {
      const a = stmt.namedChildren[0];
      if (a?.type !== 'assignment') return;
      const left = a.childForFieldName('left');
      const right = a.childForFieldName('right');
      if (left?.type !== 'identifier') return;
      if (left.text === '__all__' && right && (right.type === 'list' || right.type === 'tuple')) {
        out.all = named(right).filter((s) => s.type === 'string').map(stringValue);
        return;
      }
      const value = right && (right.type === 'identifier' || right.type === 'attribute') ? right.text.replace(/\s+/g, '') : undefined;
      set({ kind: 'variable', name: left.text, range: rangeOf(left), ...(value ? { value } : {}) });
      return;
    }
    case 'if_statement':
    case 'try_statement':
    case 'with_statement':
    case 'elif_clause':
    case 'else_clause':
    case 'except_clause':
    case 'finally_clause':
    case 'block':
    case 'ERROR':
      // `if TYPE_CHECKING:`, `try: import x except ImportError: ...`: the names are defined on some path.
      for (const c of named(stmt)) if (c.type === 'block' || c.type.endsWith('_clause')) statement(c, out);
      // Error recovery can wrap definitions in an ERROR node: they still count.
      if (stmt.type === 'block' || stmt.type === 'ERROR') moduleBlock(stmt, out);
      return;
  }
}

function decoratorName(d: Node): string {
  const e = d.namedChildren[0];
  if (!e) return '';
  const callee = e.type === 'call' ? e.childForFieldName('function') : e;
  return (callee?.text ?? '').replace(/\s+/g, '');
}

function docstring(body: Node | null): string | undefined {
  const first = body?.namedChildren[0];
  if (first?.type !== 'expression_statement') return undefined;
  const s = first.namedChildren[0];
  if (s?.type !== 'string') return undefined;
  return cleanDoc(stringValue(s));
}

/** A string literal's content without prefix and quotes (escapes left as written). */
function stringValue(s: Node): string {
  return named(s).filter((c) => c.type === 'string_content').map((c) => c.text).join('');
}

/** `inspect.cleandoc`: the first line trimmed, the rest dedented by their common indentation. */
export function cleanDoc(doc: string): string {
  const lines = doc.replace(/\t/g, '        ').split('\n');
  const indents = lines.slice(1).filter((l) => l.trim()).map((l) => l.length - l.trimStart().length);
  const cut = indents.length ? Math.min(...indents) : 0;
  const out = [lines[0]!.trim(), ...lines.slice(1).map((l) => l.slice(cut).trimEnd())];
  while (out.length && !out[0]) out.shift();
  while (out.length && !out[out.length - 1]) out.pop();
  return out.join('\n');
}

function functionDef(def: Node, decorators: string[]): PyFunction {
  const name = def.childForFieldName('name');
  const params = def.childForFieldName('parameters');
  const doc = docstring(def.childForFieldName('body'));
  return {
    kind: 'function', name: name?.text ?? '', range: name ? rangeOf(name) : rangeOf(def),
    params: params ? parameters(params) : [], decorators, ...(doc ? { doc } : {}),
  };
}

function parameters(list: Node): PyParam[] {
  const out: PyParam[] = [];
  let kind: ParamKind = 'positional';
  for (const p of named(list)) {
    if (p.type === 'keyword_separator') {
      kind = 'keyword-only';
      continue;
    }
    if (p.type === 'positional_separator') {
      for (const q of out) if (q.kind === 'positional') q.kind = 'positional-only';
      continue;
    }
    const param = parameter(p, kind);
    if (!param) continue;
    if (param.kind === 'var-positional') kind = 'keyword-only';
    out.push(param);
  }
  return out;
}

function parameter(p: Node, kind: ParamKind): PyParam | undefined {
  const text = (n: Node | null) => n?.text.replace(/\s*\n\s*/g, ' ');
  switch (p.type) {
    case 'identifier':
      return { name: p.text, kind, range: rangeOf(p) };
    case 'typed_parameter': {
      const inner = p.namedChildren[0];
      const annotation = text(p.childForFieldName('type'));
      if (!inner) return undefined;
      const splat = splatParam(inner);
      if (splat) return { ...splat, ...(annotation ? { annotation } : {}) };
      return { name: inner.text, kind, range: rangeOf(inner), ...(annotation ? { annotation } : {}) };
    }
    case 'default_parameter':
    case 'typed_default_parameter': {
      const name = p.childForFieldName('name');
      if (!name) return undefined;
      const annotation = text(p.childForFieldName('type'));
      const value = text(p.childForFieldName('value')) ?? '…';
      return { name: name.text, kind, range: rangeOf(name), default: value, ...(annotation ? { annotation } : {}) };
    }
    default:
      return splatParam(p);
  }
}

function splatParam(p: Node): PyParam | undefined {
  const id = p.namedChildren[0];
  if (p.type === 'list_splat_pattern' && id) return { name: id.text, kind: 'var-positional', range: rangeOf(id) };
  if (p.type === 'dictionary_splat_pattern' && id) return { name: id.text, kind: 'var-keyword', range: rangeOf(id) };
  return undefined;
}

function classDef(def: Node, decorators: string[]): PyClass {
  const name = def.childForFieldName('name');
  const body = def.childForFieldName('body');
  const bases: string[] = [];
  const keywords: string[] = [];
  const superclasses = def.childForFieldName('superclasses');
  for (const a of superclasses ? named(superclasses) : []) {
    if (a.type === 'keyword_argument') keywords.push(a.text.replace(/\s+/g, ''));
    else if (a.type !== 'comment') bases.push(a.text.replace(/\s+/g, ''));
  }
  const cls: PyClass = {
    kind: 'class', name: name?.text ?? '', range: name ? rangeOf(name) : rangeOf(def), bases, keywords, decorators,
    methods: new Map(), classes: new Map(), fields: [],
  };
  const doc = docstring(body);
  if (doc) cls.doc = doc;
  if (body) classBody(body, cls);
  return cls;
}

function classBody(body: Node, cls: PyClass): void {
  let kwOnly = false;
  for (const stmt of named(body)) {
    let def = stmt;
    let decorators: string[] = [];
    if (stmt.type === 'decorated_definition') {
      decorators = named(stmt).filter((c) => c.type === 'decorator').map(decoratorName);
      def = stmt.childForFieldName('definition') ?? stmt;
    }
    if (def.type === 'function_definition') {
      const f = functionDef(def, decorators);
      (cls.methods as Map<string, PyFunction>).set(f.name, f);
    } else if (def.type === 'class_definition') {
      const c = classDef(def, decorators);
      (cls.classes as Map<string, PyClass>).set(c.name, c);
    } else if (def.type === 'expression_statement') {
      const a = def.namedChildren[0];
      if (a?.type !== 'assignment') continue;
      const left = a.childForFieldName('left');
      if (left?.type !== 'identifier') continue;
      const type = a.childForFieldName('type')?.text.replace(/\s+/g, ' ');
      const right = a.childForFieldName('right');
      // `_: KW_ONLY` switches the fields after it to keyword-only (dataclasses, 3.10+).
      if (type && /(^|\.)KW_ONLY$/.test(type)) {
        kwOnly = true;
        continue;
      }
      const isField = right?.type === 'call' && /(^|\.)(field|ib|attrib)$/.test(right.childForFieldName('function')?.text ?? '');
      if (!type && !isField) continue;
      const field: PyField = { name: left.text, range: rangeOf(left), init: !(type && /(^|\.)ClassVar\b/.test(type)), kwOnly };
      if (type) field.annotation = type;
      if (right && isField) {
        const args = named(right.childForFieldName('arguments') ?? right);
        for (const k of args.filter((x) => x.type === 'keyword_argument')) {
          const key = k.childForFieldName('name')?.text;
          const v = k.childForFieldName('value')?.text;
          if ((key === 'default' || key === 'factory' || key === 'default_factory') && v) field.default = key === 'default' ? v : `${v}()`;
          if (key === 'init' && v === 'False') field.init = false;
          if (key === 'kw_only' && v === 'True') field.kwOnly = true;
        }
      } else if (right) field.default = right.text.replace(/\s*\n\s*/g, ' ');
      (cls.fields as PyField[]).push(field);
    }
  }
}

const ENTRY_CALLS = new Set(['main', 'initialize', 'initialize_config_dir', 'initialize_config_module', 'compose']);

/** `@hydra.main(...)`, `initialize(...)`, `initialize_config_dir(...)`, `compose(...)` anywhere in the file. */
function entryPoints(root: Node, out: HydraEntryPoint[]): void {
  for (const call of root.descendantsOfType('call')) {
    if (!call) continue;
    const fn = call.childForFieldName('function')?.text.replace(/\s+/g, '') ?? '';
    const last = fn.slice(fn.lastIndexOf('.') + 1);
    if (!ENTRY_CALLS.has(last)) continue;
    // `main(...)` is Hydra's only as a decorator (`@hydra.main`, or `@main` imported from hydra).
    if (last === 'main' && (call.parent?.type !== 'decorator' || (fn !== 'hydra.main' && fn !== 'main'))) continue;
    if (last !== 'main' && fn !== last && !fn.startsWith('hydra.')) continue;
    const args = named(call.childForFieldName('arguments') ?? call);
    const kw = new Map<string, Node>();
    for (const a of args) {
      if (a.type !== 'keyword_argument') continue;
      const k = a.childForFieldName('name')?.text;
      const v = a.childForFieldName('value');
      if (k && v) kw.set(k, v);
    }
    const vb = kw.get('version_base');
    let versionBase: VersionBaseArg = { kind: 'absent' };
    if (vb?.type === 'none') versionBase = { kind: 'value', value: null };
    else if (vb?.type === 'string') versionBase = { kind: 'value', value: stringValue(vb) };
    else if (vb) versionBase = { kind: 'dynamic' };
    const str = (k: string, pos?: number) => {
      const v = kw.get(k) ?? (pos !== undefined ? args.filter((a) => a.type !== 'keyword_argument')[pos] : undefined);
      return v?.type === 'string' ? stringValue(v) : undefined;
    };
    const configPath = str('config_path', last === 'compose' ? undefined : 0);
    const configName = str('config_name', last === 'main' ? 1 : last === 'compose' ? 0 : undefined);
    out.push({
      call: last as HydraEntryPoint['call'], range: rangeOf(call), versionBase,
      ...(configPath !== undefined ? { configPath } : {}), ...(configName !== undefined ? { configName } : {}),
    });
  }
}

const INSTANTIATE_KEYWORDS = new Set(['_recursive_', '_convert_', '_partial_', '_target_', '_args_']);

/** Keyword names (and `*` for extra positionals) that `instantiate(config, ...)` / `call(config, ...)` calls add. */
function instantiateArgs(root: Node, out: string[]): void {
  for (const call of root.descendantsOfType('call')) {
    const fn = call?.childForFieldName('function')?.text.replace(/\s+/g, '') ?? '';
    if (!/(^|\.)(instantiate|call)$/.test(fn)) continue;
    const args = named(call!.childForFieldName('arguments') ?? call!);
    args.slice(1).forEach((a) => {
      if (a.type === 'keyword_argument') {
        const k = a.childForFieldName('name')?.text;
        if (k && !INSTANTIATE_KEYWORDS.has(k)) out.push(k);
      } else if (a.type === 'dictionary_splat') out.push('**');
      else if (a.type !== 'comment') out.push('*');
    });
  }
}

/**
 * A file too large to parse: top-level `class`/`def`/assignments by line, with no signatures (the checks that
 * need one are skipped for its names, so nothing false is reported).
 */
export function scanLarge(text: string): PyModuleSummary {
  const out: PyModuleSummary = { symbols: new Map(), starImports: [], dynamic: false, entryPoints: [], callArgs: [], partial: true };
  const re = /^(?:(?:async\s+)?def|class)\s+([A-Za-z_]\w*)|^([A-Za-z_]\w*)\s*(?::[^=\n]*)?=(?!=)/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const name = (m[1] ?? m[2])!;
    const start = m.index + m[0].indexOf(name);
    const range: Range = [start, start + name.length];
    const sym: PySymbol = m[1]
      ? m[0].startsWith('class')
        ? { kind: 'class', name, range, bases: [], keywords: [], decorators: [], methods: new Map(), classes: new Map(), fields: [], opaque: true }
        : { kind: 'function', name, range, params: [], decorators: [], opaque: true }
      : { kind: 'variable', name, range };
    out.symbols.set(name, sym);
    if (name === '__getattr__') out.dynamic = true;
  }
  // Imports bind names the scanner cannot follow: treat the module as open-ended.
  if (/^(?:from|import)\s/m.test(text)) out.dynamic = true;
  return out;
}
