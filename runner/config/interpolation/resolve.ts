// OmegaConf 2.2's interpolation semantics on the config node model.
//
// What matches OmegaConf (base.py, grammar_visitor.py, resolvers/oc): a value that is one interpolation keeps
// the target's type (a node, an int, a dict), anything else is a string built with Python's `str()`; `${.x}`
// starts at the parent of the node holding it, each further dot one level up; `${a}` starts at the root;
// intermediate keys that are interpolations are followed; `???` on the way is an error; a node may not point
// at its own ancestor; an interpolation's result is never resolved again.
//
// What we do better: OmegaConf recurses until Python's stack gives out on long chains and cycles reached
// through `oc.select`. Here every interpolation is resolved by an explicit-stack driver (see NeedDependency),
// results are cached per node, and a cycle is reported with the keys that form it. Errors are collected for
// every failing node, in the order OmegaConf would meet them, so the first one is the one Hydra reports.

import type { ConfigError } from '../errors.js';
import { isInterpolation, keyString, scalar, type ConfigNode, type DictEntry, type DictNode } from '../nodes.js';
import { NeedDependency, ResolveFailure, fail } from './failure.js';
import { parseElement, parseInterpolation, type Element, type Interpolation, type Text } from './grammar.js';
import { childKeys, childLoc, detached, fullKey, originOf, rootLoc, topOf, type Loc } from './location.js';
import { isPythonInt, parsePythonFloat, parsePythonInt, pythonStr } from './python.js';
import { BUILTIN_RESOLVERS, type ResolverApi } from './resolvers.js';

export interface ResolveContext {
  /** Environment for `oc.env` (pass `process.env` in the runner; tests pass a fixed one). */
  env: Record<string, string | undefined>;
  /** Fixes the clock of `${now:...}` (local time, as Python's naive `datetime.now()`). */
  now?: Date;
  /** The `hydra` node for `${hydra:...}`; absent as in Hydra's compose API, where it is an error. */
  hydra?: DictNode;
  /**
   * OmegaConf.resolve's rule (what Hydra's `--cfg ... --resolve` uses): a value whose interpolation reaches a
   * `???` becomes `???` instead of an error.
   */
  missingStaysMissing?: boolean;
}

export interface ResolveResult {
  /**
   * The resolved deep copy. It is there even when some interpolations failed: those keep their unresolved
   * text, so a caller that shows values (hover) can still show the rest. Check `errors` before running.
   */
  node?: ConfigNode;
  errors: ConfigError[];
}

type Outcome = { val: Loc } | { fail: ResolveFailure };

/** Deepest nesting the resolved copy may have; deeper trees get an error, never a stack overflow. */
const MAX_DEPTH = 1000;

/** Resolves interpolations of one tree, caching every result; create one per tree and context. */
export class InterpolationResolver implements ResolverApi {
  readonly root: Loc;
  readonly hydraRoot?: Loc;
  readonly now: Date;
  readonly env: Record<string, string | undefined>;
  private readonly missingStaysMissing: boolean;
  private readonly results = new Map<Loc, Outcome>();
  private readonly calls = new Map<Loc, Map<string, Loc>>();
  private readonly ids = new WeakMap<Loc, number>();
  /** Where the last `select` that found nothing stopped: the container and the key it lacked. */
  private lastMiss: { container: Loc; key: string } | undefined;
  private nextId = 1;

  constructor(root: DictNode, ctx: ResolveContext) {
    this.root = rootLoc(root);
    this.env = ctx.env;
    this.now = ctx.now ?? new Date();
    this.missingStaysMissing = ctx.missingStaysMissing === true;
    if (ctx.hydra) {
      // Hydra gives its `hydra` node the whole config as parent, so interpolations in it can reach the job's keys.
      const own = root.entries.get('hydra');
      this.hydraRoot = own && own.node === ctx.hydra ? childLoc(this.root, 'hydra')! : detached(ctx.hydra, this.root, 'hydra', false);
    }
  }

  /** The Loc at a path of keys (strings in dicts, numbers in lists), or null. Interpolations on the way are followed. */
  locate(path: readonly (string | number)[]): Loc | null {
    let loc: Loc | null = this.root;
    for (const k of path) {
      if (!loc) return null;
      if (!loc.final && isInterpolation(loc.node)) {
        const r = this.resolveLoc(loc);
        if ('fail' in r) return null;
        loc = r.val;
      }
      loc = childLoc(loc, typeof k === 'number' && loc.node.kind === 'dict' ? String(k) : k);
    }
    return loc;
  }

  resolveTree(): ResolveResult {
    return this.materializeAt(this.root);
  }

  resolveNode(path: readonly (string | number)[]): ResolveResult {
    const loc = this.locate(path);
    if (!loc) {
      const key = path.map(String).join('.');
      return { errors: [{ code: 'interpolation-key', message: `There is no key '${key}' in this config.`, data: { key } }] };
    }
    return this.materializeAt(loc);
  }

  private materializeAt(loc: Loc): ResolveResult {
    const errors: ConfigError[] = [];
    const reported = new Set<ConfigNode>();
    const node = this.materialize(loc, errors, reported, new Set(), 0);
    return { node, errors };
  }

  /** The resolved deep copy of the value at `loc`; failures are recorded and leave the text as it was. */
  private materialize(loc: Loc, errors: ConfigError[], reported: Set<ConfigNode>, expanding: Set<ConfigNode>, depth: number): ConfigNode {
    if (depth > MAX_DEPTH) {
      // Python's recursion limit stops OmegaConf long before this; we stop with an error instead of a crash.
      const f = new ResolveFailure('yaml-bad-value', `The config is nested more than ${MAX_DEPTH} levels deep here (counting values reached through interpolations); flatten it.`);
      this.report(loc, f, errors, reported);
      return { kind: 'scalar', type: 'null', value: null };
    }
    let value = loc;
    if (!loc.final && isInterpolation(loc.node)) {
      const r = this.resolveLoc(loc);
      if ('fail' in r) {
        if (this.missingStaysMissing && r.fail.code === 'interpolation-missing') {
          return { kind: 'scalar', type: 'missing', value: null, ...(loc.node.origin ? { origin: loc.node.origin } : {}) } as ConfigNode;
        }
        this.report(loc, r.fail, errors, reported);
        return { ...loc.node, history: loc.node.history?.slice() } as ConfigNode;
      }
      value = r.val;
    }
    const holder = loc.node;
    const keep = { ...(holder.origin ? { origin: holder.origin } : {}), ...(holder.history ? { history: holder.history.slice() } : {}) };
    const node = value.node;
    if (node.kind === 'scalar') return { kind: 'scalar', type: node.type, value: node.value, ...keep };
    if (expanding.has(node)) {
      const cycle = new ResolveFailure('interpolation-cycle', `The value of '${fullKey(loc)}' contains itself through its interpolations; break the cycle.`, { cycle: [fullKey(value), fullKey(loc)] });
      this.report(loc, cycle, errors, reported);
      return { kind: 'scalar', type: 'str', value: String(holder.kind === 'scalar' ? holder.value : ''), ...keep };
    }
    expanding.add(node);
    try {
      if (node.kind === 'list') {
        const items = childKeys(value).map((k) => this.materialize(childLoc(value, k)!, errors, reported, expanding, depth + 1));
        return { kind: 'list', items, ...keep };
      }
      const entries = new Map<string, DictEntry>();
      for (const [k, e] of node.entries) {
        const child = childLoc(value, k)!;
        entries.set(k, { ...e, node: this.materialize(child, errors, reported, expanding, depth + 1) });
      }
      return { kind: 'dict', entries, ...keep };
    } finally {
      expanding.delete(node);
    }
  }

  private report(loc: Loc, failure: ResolveFailure, errors: ConfigError[], reported: Set<ConfigNode>): void {
    if (reported.has(loc.node)) return;
    reported.add(loc.node);
    const key = fullKey(loc);
    const text = loc.node.kind === 'scalar' ? String(loc.node.value) : '';
    const origin = originOf(loc);
    const error: ConfigError = {
      code: failure.code,
      message: `${failure.message} (while resolving '${key}': ${text})`,
      ...(origin ? { origin } : {}),
      data: { key, ...failure.data },
    };
    if (failure.at && failure.at.node !== loc.node) {
      const at = originOf(failure.at);
      if (at) error.related = [{ message: `the interpolation that failed, at '${fullKey(failure.at)}'`, origin: at }];
    }
    errors.push(error);
  }

  // ---- resolution driver ---------------------------------------------------------------------------------

  /** The value an interpolation node stands for: a Loc in the tree, or a detached value. */
  resolveLoc(start: Loc): Outcome {
    if (start.final || !isInterpolation(start.node)) return { val: start };
    const done = this.results.get(start);
    if (done) return done;
    const stack: Loc[] = [start];
    const onStack = new Set<Loc>([start]);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      let outcome: Outcome | undefined;
      try {
        outcome = { val: this.evaluate(top) };
      } catch (e) {
        if (e instanceof NeedDependency) {
          if (onStack.has(e.loc)) {
            const from = stack.indexOf(e.loc);
            const cycle = [...stack.slice(from), e.loc].map(fullKey);
            const f = new ResolveFailure('interpolation-cycle', `Interpolation cycle: ${cycle.join(' -> ')}. Make one of these a plain value.`, { cycle });
            f.at = top;
            outcome = { fail: f };
          } else {
            stack.push(e.loc);
            onStack.add(e.loc);
            continue;
          }
        } else if (e instanceof ResolveFailure) {
          e.at ??= top;
          outcome = { fail: e };
        } else throw e;
      }
      this.results.set(top, outcome);
      stack.pop();
      onStack.delete(top);
    }
    return this.results.get(start)!;
  }

  /** During an evaluation: the value of `loc`, or a NeedDependency signal when it is not resolved yet. */
  deref(loc: Loc): Loc {
    if (loc.final || !isInterpolation(loc.node)) return loc;
    const r = this.results.get(loc);
    if (!r) throw new NeedDependency(loc);
    if ('fail' in r) throw r.fail;
    return r.val;
  }

  private evaluate(holder: Loc): Loc {
    const text = String((holder.node as { value: unknown }).value);
    const parsed = parseInterpolation(text);
    if (!parsed.ok) {
      fail('interpolation-syntax', `Bad interpolation syntax at column ${parsed.error.offset + 1}: ${parsed.error.message}.`, { offset: parsed.error.offset });
    }
    return this.evalText(parsed.value, holder);
  }

  // ---- evaluation of the syntax tree ---------------------------------------------------------------------

  /** A new resolved value, placed where OmegaConf places interpolation results: beside the holding node. */
  value(node: ConfigNode, holder: Loc, children?: Loc[]): Loc {
    const loc = detached(node, holder.parent, holder.key, true);
    if (children) loc.children = new Map(children.map((c, i) => [node.kind === 'dict' ? [...node.entries.keys()][i]! : i, c]));
    return loc;
  }

  str(s: string, holder: Loc): Loc {
    return this.value(scalar('str', s), holder);
  }

  evalText(text: Text, holder: Loc): Loc {
    const only = text.parts.length === 1 ? text.parts[0]! : undefined;
    if (only && only.kind !== 'literal') return this.evalInterpolation(only, holder);
    let s = '';
    for (const part of text.parts) s += part.kind === 'literal' ? part.value : pythonStr(this.evalInterpolation(part, holder).node);
    return this.str(s, holder);
  }

  evalInterpolation(inter: Interpolation, holder: Loc): Loc {
    if (inter.kind === 'node') {
      let key = '.'.repeat(inter.dots);
      inter.parts.forEach((part, i) => {
        const name = part.key.kind === 'name' ? part.key.name : this.keyFromInterpolation(part.key, holder);
        key += part.bracket ? `[${name}]` : i === 0 ? name : `.${name}`;
      });
      return this.selectForInterpolation(holder, key);
    }
    const name = inter.name.map((p) => (p.kind === 'name' ? p.name : this.keyFromInterpolation(p, holder, 'resolver name'))).join('.');
    const args = inter.args.map((a) => this.evalElement(a, holder));
    return this.callResolver(name, args, inter.argTexts, holder);
  }

  private keyFromInterpolation(inter: Interpolation, holder: Loc, what = 'config key'): string {
    const v = this.evalInterpolation(inter, holder).node;
    if (v.kind !== 'scalar' || v.type !== 'str') {
      fail('interpolation-resolver', `An interpolation used as a ${what} must give a string, but it gave ${pythonStr(v)}.`);
    }
    return String(v.value);
  }

  evalElement(el: Element, holder: Loc): Loc {
    switch (el.kind) {
      case 'empty':
        return this.str('', holder);
      case 'quoted':
        return this.str(el.text ? pythonStr(this.evalText(el.text, holder).node) : '', holder);
      case 'list': {
        const items = el.items.map((i) => this.evalElement(i, holder));
        return this.value({ kind: 'list', items: items.map((i) => i.node) }, holder, items);
      }
      case 'dict': {
        // Python's dict(pairs): a repeated key keeps its first position and takes the last value.
        const node: DictNode = { kind: 'dict', entries: new Map() };
        const values = new Map<string, Loc>();
        for (const { key, value } of el.entries) {
          const k = this.evalElement(key, holder).node;
          const typed = k.kind === 'scalar' && k.value !== null ? (k.value as string | number | boolean) : 'null';
          const v = this.evalElement(value, holder);
          node.entries.set(keyString(typed), { key: node.entries.get(keyString(typed))?.key ?? typed, node: v.node });
          values.set(keyString(typed), v);
        }
        return this.value(node, holder, [...values.values()]);
      }
      case 'primitive': {
        if (el.items.length === 1) {
          const only = el.items[0]!;
          if (only.kind !== 'token') return this.evalInterpolation(only, holder);
          switch (only.type) {
            case 'NULL':
              return this.value(scalar('null', null), holder);
            case 'INT':
              return this.value(scalar('int', parsePythonInt(only.text)), holder);
            case 'FLOAT':
              return this.value(scalar('float', parsePythonFloat(only.text)), holder);
            case 'BOOL':
              return this.value(scalar('bool', only.text.toLowerCase() === 'true'), holder);
            case 'ESC':
              return this.str(unescape(only.text), holder);
            default:
              return this.str(only.text, holder);
          }
        }
        let s = '';
        for (const item of el.items) {
          if (item.kind !== 'token') s += pythonStr(this.evalInterpolation(item, holder).node);
          else s += item.type === 'ESC' ? unescape(item.text) : item.text;
        }
        return this.str(s, holder);
      }
    }
  }

  /** `${key}` from the node at `holder`: OmegaConf's `_resolve_node_interpolation`. */
  private selectForInterpolation(holder: Loc, key: string): Loc {
    let root: Loc | null;
    let rest = key;
    if (!key.startsWith('.')) root = topOf(holder);
    else {
      root = holder.parent;
      rest = key.slice(1);
      while (rest.startsWith('.') && root) {
        root = root.parent;
        rest = rest.slice(1);
      }
      if (!root) fail('interpolation-key', `Interpolation key '${key}' goes above the root of the config; remove a leading dot.`);
    }
    const found = this.select(root, rest, true);
    if (!found) {
      const miss = this.lastMiss;
      const where = miss && miss.container.parent ? `'${fullKey(miss.container)}'` : key.startsWith('.') ? 'the parent of this node' : 'the root of the config';
      const options = miss && miss.container.node.kind === 'dict' ? [...miss.container.node.entries.keys()] : undefined;
      const known = options?.length ? ` Keys there: ${options.slice(0, 20).join(', ')}${options.length > 20 ? ', ...' : ''}.` : '';
      fail(
        'interpolation-key',
        `Interpolation key '${rest}' not found: ${where} has no key '${miss?.key ?? rest}'.${known} Check the spelling, or add the key.`,
        options ? { options } : {},
      );
    }
    for (let a: Loc | null = holder.parent; a; a = a.parent) {
      if (a.node === found.node) fail('interpolation-cycle', `Interpolation '${key}' points at a container that holds it, which would contain itself.`, { cycle: [fullKey(a), fullKey(holder)] });
    }
    return found;
  }

  /**
   * OmegaConf's `_select_impl`: walks a dotted key from `root`, following interpolations on the way and at the
   * end. Returns null when a key is absent; `???` on the way is an error when `throwOnMissing`. `lenient`
   * (`oc.select`) reads a key below a plain value as absent instead of an error.
   */
  select(root: Loc, key: string, throwOnMissing: boolean, lenient = false): Loc | null {
    this.lastMiss = undefined;
    if (key === '') return root;
    const parts = splitKey(key);
    let cur: Loc | null = root;
    for (let i = 0; i < parts.length - 1 && cur; i++) {
      const next = this.selectOne(cur, parts[i]!, throwOnMissing);
      if (!next) {
        this.lastMiss = { container: cur, key: parts[i]! };
        cur = null;
        break;
      }
      cur = this.deref(next);
      if (cur.node.kind === 'scalar') {
        if (lenient) return null;
        const parent = parts.slice(0, i + 1).join('.');
        fail('interpolation-key', `Error trying to access ${key}: node '${parent}' is not a container and thus cannot contain '${parts[i + 1]}'.`);
      }
    }
    if (!cur) return null;
    const last = this.selectOne(cur, parts[parts.length - 1]!, throwOnMissing);
    if (!last) this.lastMiss = { container: cur, key: parts[parts.length - 1]! };
    return last ? this.deref(last) : null;
  }

  private selectOne(container: Loc, key: string, throwOnMissing: boolean): Loc | null {
    const node = container.node;
    let child: Loc | null = null;
    if (node.kind === 'dict') child = childLoc(container, key);
    else if (node.kind === 'list') {
      if (!isPythonInt(key)) fail('interpolation-key', `Index '${key}' of '${fullKey(container)}' is not an int: lists are indexed by number.`);
      const i = parsePythonInt(key);
      child = i >= 0 && i < node.items.length ? childLoc(container, i) : null;
    }
    if (child && throwOnMissing && child.node.kind === 'scalar' && child.node.type === 'missing') {
      fail('interpolation-missing', `Missing mandatory value: ${fullKey(child)}. Set it (in a config or with an override) before it is used.`);
    }
    return child;
  }

  // ---- resolvers -----------------------------------------------------------------------------------------

  private callResolver(name: string, args: Loc[], argTexts: string[], holder: Loc): Loc {
    const resolver = BUILTIN_RESOLVERS[name];
    if (!resolver) {
      fail('interpolation-resolver', `Unsupported interpolation type '${name}'. Known resolvers: ${Object.keys(BUILTIN_RESOLVERS).join(', ')}.`, { unknownResolver: name });
    }
    // Resolvers are deterministic here (the clock and environment are fixed per resolver), so a call is made
    // once per holder and arguments: re-evaluations by the driver then see the same detached values.
    const key = name + '\u0000' + args.map((a) => this.argKey(a)).join('\u0000');
    let perHolder = this.calls.get(holder);
    const known = perHolder?.get(key);
    if (known) return known;
    let out: Loc;
    try {
      out = resolver(args, { holder, argTexts, api: this });
    } catch (e) {
      if (e instanceof ResolveFailure || e instanceof NeedDependency) throw e;
      fail('interpolation-resolver', `Resolver '${name}' failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!perHolder) this.calls.set(holder, (perHolder = new Map()));
    perHolder.set(key, out);
    return out;
  }

  private argKey(loc: Loc): string {
    if (!loc.final) {
      let id = this.ids.get(loc);
      if (!id) this.ids.set(loc, (id = this.nextId++));
      return `#${id}`;
    }
    const n = loc.node;
    if (n.kind === 'scalar') return `${n.type}:${String(n.value)}`;
    return `${n.kind}[${childKeys(loc).map((k) => `${k}=${this.argKey(childLoc(loc, k)!)}`).join(',')}]`;
  }

  parseElement(text: string): Element {
    const parsed = parseElement(text);
    if (!parsed.ok) fail('interpolation-resolver', `oc.decode could not parse '${text}' at column ${parsed.error.offset + 1}: ${parsed.error.message}.`, { offset: parsed.error.offset });
    return parsed.value;
  }

}

/** Every other character from the second on: how OmegaConf undoes `\\`, `\,` and the like. */
function unescape(text: string): string {
  let out = '';
  for (let i = 1; i < text.length; i += 2) out += text[i];
  return out;
}

/** OmegaConf's `split_key`: `a.b` -> [a, b]; `a[0].b` -> [a, 0, b]; `[a]` -> [a]. */
export function splitKey(key: string): string[] {
  const head = /^\.*[^.[]*/.exec(key)![0];
  const tokens = head.split('.');
  if (head.length === key.length) return tokens;
  if (key[head.length] === '[' && !tokens[tokens.length - 1]) tokens.pop();
  const other = /\.([^.[]*)|\[(.*?)\]/g;
  other.lastIndex = 0;
  const rest = key.slice(head.length);
  for (const m of rest.matchAll(other)) tokens.push(m[1] ? m[1] : (m[2] ?? ''));
  return tokens;
}

/** Resolves every interpolation of `root` and returns the resolved deep copy (origins kept) and the errors. */
export function resolveTree(root: DictNode, ctx: ResolveContext): ResolveResult {
  return new InterpolationResolver(root, ctx).resolveTree();
}

/** The resolved value of the node at `path` (keys in dicts, indices in lists), with the errors on the way. */
export function resolveNode(root: DictNode, path: readonly (string | number)[], ctx: ResolveContext): ResolveResult {
  return new InterpolationResolver(root, ctx).resolveNode(path);
}
