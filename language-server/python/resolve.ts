// Dotted `_target_` paths -> what Python would find, the way Hydra's `_locate` walks them: import the first
// part, then for each next part take the attribute if the module has it, else import the submodule. Imports,
// re-exports (`from .x import Y`), aliases (`Y = X`) and star imports are followed through the summaries.
// Every answer is one of: found, missing (certain: the module is readable and has no such name), or unknown
// (third-party, compiled, dynamic): diagnostics are only ever drawn from "missing".
import type { PythonIndex, ModuleRef } from './index.js';
import type { PyClass, PyFunction, PyModuleSummary, PySymbol } from './model.js';
import type { Range } from '../service/types.js';

export type Value =
  | { kind: 'module'; module: ModuleRef }
  | { kind: 'class'; symbol: PyClass; file: string; module: ModuleRef }
  | { kind: 'function'; symbol: PyFunction; file: string; module: ModuleRef; owner?: PyClass }
  | { kind: 'variable'; name: string; range: Range; file: string; module: ModuleRef };

export type Resolution =
  | { kind: 'found'; value: Value }
  | { kind: 'missing'; /** Index of the first part that does not exist. */ at: number; /** What holds it. */ parent: Value }
  | { kind: 'unknown' };

type Member = Value | 'missing' | 'unknown';

const MAX_DEPTH = 40;

export class Resolver {
  private cache = new Map<string, Resolution>();
  private generation = -1;

  constructor(readonly index: PythonIndex) {}

  resolve(dotted: string): Resolution {
    if (this.generation !== this.index.generation) {
      this.cache.clear();
      this.generation = this.index.generation;
    }
    let r = this.cache.get(dotted);
    if (!r) {
      r = this.walk(dotted.split('.'));
      // Nothing is cached before the parser is ready (the answer is "unknown" only for now).
      if (this.index.isReady) this.cache.set(dotted, r);
    }
    return r;
  }

  private walk(parts: string[]): Resolution {
    if (!this.index.isReady || parts.some((p) => !/^[A-Za-z_]\w*$/.test(p))) return { kind: 'unknown' };
    const top = this.index.findTop(parts[0]!);
    if (!top) return { kind: 'unknown' };
    let cur: Value = { kind: 'module', module: top };
    for (let i = 1; i < parts.length; i++) {
      const next = this.member(cur, parts[i]!, 0);
      if (next === 'unknown') return { kind: 'unknown' };
      if (next === 'missing') return { kind: 'missing', at: i, parent: cur };
      cur = next;
    }
    return { kind: 'found', value: cur };
  }

  /** `getattr(value, name)`, then (for a package) the submodule. */
  member(value: Value, name: string, depth: number): Member {
    if (depth > MAX_DEPTH) return 'unknown';
    switch (value.kind) {
      case 'module': {
        const attr = this.moduleAttr(value.module, name, depth + 1);
        if (attr !== 'missing') return attr;
        const sub = this.index.findSub(value.module, name);
        if (sub) return { kind: 'module', module: sub };
        return attr;
      }
      case 'class': {
        const c = value.symbol;
        const m = c.methods.get(name);
        if (m) return { kind: 'function', symbol: m, file: value.file, module: value.module, owner: c };
        const inner = c.classes.get(name);
        if (inner) return { kind: 'class', symbol: inner, file: value.file, module: value.module };
        const f = c.fields.find((x) => x.name === name);
        if (f) return { kind: 'variable', name, range: f.range, file: value.file, module: value.module };
        // Inherited members: follow bases in the workspace; any base we cannot read may define it.
        for (const b of c.bases) {
          const base = this.expression(value.module, b, depth + 1);
          if (base === 'missing' || base === 'unknown' || base.kind !== 'class') return 'unknown';
          const got = this.member(base, name, depth + 1);
          if (got !== 'missing') return got;
        }
        return 'missing';
      }
      default:
        return 'unknown';
    }
  }

  /** A name as the module's namespace has it: definitions, imports, aliases, star imports. */
  moduleAttr(mod: ModuleRef, name: string, depth: number): Member {
    if (mod.opaque) return 'unknown';
    if (!mod.file) return 'missing';
    const s = this.index.summary(mod.file);
    if (!s) return 'unknown';
    const sym = s.symbols.get(name);
    if (sym) return this.symbolValue(mod, mod.file, s, sym, depth + 1);
    let open = s.dynamic || s.partial;
    for (const spec of s.starImports) {
      const from = this.importModule(mod, spec);
      if (!from) {
        open = true;
        continue;
      }
      const fs = from.file ? this.index.summary(from.file) : undefined;
      if (fs?.all && !fs.all.includes(name)) continue;
      if (name.startsWith('_') && !fs?.all) continue;
      const got = this.moduleAttr(from, name, depth + 1);
      if (got !== 'missing') return got;
    }
    return open ? 'unknown' : 'missing';
  }

  private symbolValue(mod: ModuleRef, file: string, s: PyModuleSummary, sym: PySymbol, depth: number): Member {
    if (depth > MAX_DEPTH) return 'unknown';
    switch (sym.kind) {
      case 'class':
        return { kind: 'class', symbol: sym, file, module: mod };
      case 'function':
        return { kind: 'function', symbol: sym, file, module: mod };
      case 'variable':
        if (sym.value && sym.value !== sym.name) {
          const aliased = this.expression(mod, sym.value, depth + 1);
          if (aliased !== 'missing' && aliased !== 'unknown') return aliased;
        }
        return { kind: 'variable', name: sym.name, range: sym.range, file, module: mod };
      case 'import': {
        const from = this.importModule(mod, sym.module);
        if (!from) return 'unknown';
        if (sym.attr === undefined) return { kind: 'module', module: from };
        // `from . import heads` in a package's `__init__` binds its own submodule.
        if (from.file === mod.file) {
          const sub = this.index.findSub(from, sym.attr);
          return sub ? { kind: 'module', module: sub } : 'unknown';
        }
        const got = this.member({ kind: 'module', module: from }, sym.attr, depth + 1);
        // `from x import y` of a name x lacks fails at import time; the name we were asked for is the
        // import here, which exists: a broken re-export is not this target's problem to report.
        return got === 'missing' ? 'unknown' : got;
      }
    }
    void s;
  }

  /** A dotted expression (`nn.Module`, `Base`) evaluated in a module's namespace. */
  expression(mod: ModuleRef, expr: string, depth: number): Member {
    const parts = expr.replace(/\[.*$/s, '').split('.');
    if (parts.some((p) => !/^[A-Za-z_]\w*$/.test(p))) return 'unknown';
    let cur: Member = this.moduleAttr(mod, parts[0]!, depth + 1);
    for (let i = 1; i < parts.length && cur !== 'missing' && cur !== 'unknown'; i++) cur = this.member(cur, parts[i]!, depth + 1);
    return cur;
  }

  /** The module an import statement in `mod` names (`.x`, `..pkg.y`, `torch.nn`), if it can be found. */
  importModule(mod: ModuleRef, spec: string): ModuleRef | undefined {
    const dots = /^\.*/.exec(spec)![0].length;
    let absolute = spec;
    if (dots) {
      // The package a relative import starts from: the module's own name for a package, its parent otherwise.
      const pkg = mod.dirs.length ? mod.name.split('.') : mod.name.split('.').slice(0, -1);
      const base = pkg.slice(0, pkg.length - (dots - 1));
      if (base.length === 0 && dots > 0) return undefined;
      const rest = spec.slice(dots);
      absolute = [...base, ...(rest ? [rest] : [])].join('.');
    }
    const parts = absolute.split('.');
    let cur = this.index.findTop(parts[0]!);
    for (let i = 1; i < parts.length && cur; i++) cur = this.index.findSub(cur, parts[i]!);
    return cur;
  }
}
