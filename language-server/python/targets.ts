// The Python side of `_target_` support, as the service's features use it: look a dotted name up, describe
// it (hover), locate it and its parameters (definition), and list what can follow a prefix (completion).
import type { FileRange } from '../service/types.js';
import { PythonIndex, type PythonIndexOptions } from './index.js';
import type { PyParam } from './model.js';
import { Resolver, type Resolution, type Value } from './resolve.js';
import { formatParams, signatureOf, type Signature } from './signature.js';
import { summaryOf } from './docstring.js';

export interface PythonItem {
  label: string;
  kind: 'module' | 'class' | 'function' | 'variable';
  detail: string;
  documentation?: string;
}

export class PythonTargets {
  readonly index: PythonIndex;
  readonly resolver: Resolver;
  /**
   * Answers per dotted name, valid for one index generation: an editor asks the same hover and the same
   * completion many times while the user types, and each answer would otherwise allocate its text again.
   */
  private readonly signatures = new Map<string, Signature | undefined>();
  private readonly descriptions = new Map<string, string | undefined>();
  private readonly memberLists = new Map<string, PythonItem[]>();
  private topLevelList?: PythonItem[];
  private readonly moduleNames = new Map<string, string | undefined>();
  private readonly packageNames = new Map<string, string | undefined>();
  private cachedGeneration = -1;

  constructor(options: PythonIndexOptions) {
    this.index = new PythonIndex(options);
    this.resolver = new Resolver(this.index);
  }

  get generation(): number {
    return this.index.generation;
  }

  lookup(name: string): Resolution {
    return this.resolver.resolve(name);
  }

  /** The value a name resolves to, when it does. */
  value(name: string): Value | undefined {
    const r = this.lookup(name);
    return r.kind === 'found' ? r.value : undefined;
  }

  /** The callable's signature, when it can be read without doubt. */
  signature(name: string): Signature | undefined {
    this.checkGeneration();
    if (!this.signatures.has(name)) {
      const v = this.value(name);
      this.signatures.set(name, v ? signatureOf(this.resolver, v) : undefined);
    }
    return this.signatures.get(name);
  }

  /** The same, for a name whose value is already at hand (a module's members). */
  private signatureOfValue(name: string, v: Value): Signature | undefined {
    if (!this.signatures.has(name)) this.signatures.set(name, signatureOf(this.resolver, v));
    return this.signatures.get(name);
  }

  location(value: Value): FileRange | undefined {
    switch (value.kind) {
      case 'module':
        return value.module.file ? { path: value.module.file, range: [0, 0] } : undefined;
      case 'class':
      case 'function':
        return { path: value.file, range: [value.symbol.range[0], value.symbol.range[1]] };
      case 'variable':
        return { path: value.file, range: value.range };
    }
  }

  /** Where a parameter of the target is declared (the `__init__` argument, the dataclass field). */
  parameterLocation(name: string, param: string): FileRange | undefined {
    const sig = this.signature(name);
    const p = sig?.params.find((x) => x.name === param && x.kind !== 'var-positional' && x.kind !== 'var-keyword');
    return sig && p ? { path: sig.file, range: [p.range[0], p.range[1]] } : undefined;
  }

  /** A path as the user knows it: relative to its workspace folder, else as it is. */
  display(path: string): string {
    const folder = this.index.options.folders.find((f) => path.startsWith(f + '/'));
    return folder ? path.slice(folder.length + 1) : path;
  }

  private checkGeneration(): void {
    if (this.cachedGeneration === this.index.generation) return;
    this.signatures.clear();
    this.descriptions.clear();
    this.memberLists.clear();
    this.topLevelList = undefined;
    this.moduleNames.clear();
    this.packageNames.clear();
    this.cachedGeneration = this.index.generation;
  }

  /** Hover text: kind, signature, where it is defined, docstring. */
  describe(name: string): string | undefined {
    this.checkGeneration();
    if (!this.descriptions.has(name)) this.descriptions.set(name, this.describeNow(name));
    return this.descriptions.get(name);
  }

  private describeNow(name: string): string | undefined {
    const v = this.value(name);
    if (!v) return undefined;
    const where = this.location(v);
    const lines: string[] = [];
    const sig = this.signature(name);
    const kind = v.kind === 'class' ? 'class' : v.kind === 'function' ? 'def' : v.kind === 'module' ? 'module' : 'variable';
    const params = sig ? formatParams(sig.params) : v.kind === 'class' || v.kind === 'function' ? '(…)' : '';
    lines.push('```python\n' + `${kind} ${name}${params}` + '\n```');
    if (where) lines.push(`Defined in \`${this.display(where.path)}\``);
    if (sig && sig.owner && v.kind === 'class' && !sig.owner.startsWith(`${v.symbol.name}`)) lines.push(`Parameters from \`${sig.owner}\``);
    if (!sig && (v.kind === 'class' || v.kind === 'function')) lines.push('Its parameters cannot be read without running Python (a decorator, a metaclass or a base outside the workspace).');
    const doc = v.kind === 'class' || v.kind === 'function' ? v.symbol.doc : undefined;
    if (doc) lines.push(doc);
    return lines.join('\n\n');
  }

  /** One parameter as completion detail (`int = 18`) and documentation (its docstring line). */
  parameterItem(sig: Signature, p: PyParam, target: string): { detail: string; documentation: string } {
    const detail = `${p.annotation ?? ''}${p.default !== undefined ? `${p.annotation ? ' ' : ''}= ${p.default}` : p.annotation ? '' : 'required'}`.trim();
    const doc = sig.paramDocs.get(p.name);
    const documentation = [doc, `Parameter of \`${target}\`${p.default === undefined ? ' (required)' : ''}`, '```python\n' + `${sig.owner}${formatParams(sig.params)}` + '\n```']
      .filter(Boolean).join('\n\n');
    return { detail: detail || 'any', documentation };
  }

  /**
   * What can follow a typed `_target_` prefix: the members of the module or class before the last dot, or
   * (no dot yet) the top-level modules and, once the crawl is done, classes and functions anywhere in the
   * workspace whose name starts with what was typed.
   */
  complete(prefix: string): PythonItem[] {
    if (!this.index.isReady) return [];
    const dot = prefix.lastIndexOf('.');
    this.checkGeneration();
    if (dot < 0) return [...this.topLevel(), ...this.byName(prefix)];
    const head = prefix.slice(0, dot);
    let list = this.memberLists.get(head);
    if (!list) {
      const r = this.lookup(head);
      if (r.kind !== 'found') return [];
      list = this.members(head, r.value);
      // Only a whole answer is kept: before the parser is ready there is none.
      this.memberLists.set(head, list);
    }
    return list;
  }

  private topLevel(): PythonItem[] {
    return (this.topLevelList ??= this.topLevelNow());
  }

  private topLevelNow(): PythonItem[] {
    const out = new Map<string, PythonItem>();
    for (const { dir, installed } of this.index.roots()) {
      if (installed) continue;
      const l = this.index.listing(dir);
      for (const d of l?.dirs ?? []) {
        if (!/^[A-Za-z_]\w*$/.test(d) || out.has(d)) continue;
        const inner = this.index.listing(`${dir}/${d}`);
        if (inner && [...inner.files].some((f) => f.endsWith('.py'))) out.set(d, { label: d, kind: 'module', detail: `package (${dir}/${d})` });
      }
      for (const f of l?.files ?? []) {
        const m = /^([A-Za-z_]\w*)\.py$/.exec(f);
        if (m && !out.has(m[1]!)) out.set(m[1]!, { label: m[1]!, kind: 'module', detail: `module (${dir}/${f})` });
      }
    }
    return [...out.values()];
  }

  private members(head: string, value: Value): PythonItem[] {
    const out = new Map<string, PythonItem>();
    const add = (name: string, v: Value | undefined, fallbackKind: PythonItem['kind']) => {
      if (out.has(name) || name.startsWith('_')) return;
      const label = `${head}.${name}`;
      const kind = v ? (v.kind === 'module' ? 'module' : v.kind) : fallbackKind;
      const sig = v && (v.kind === 'class' || v.kind === 'function') ? this.signatureOfValue(label, v) : undefined;
      const doc = v && (v.kind === 'class' || v.kind === 'function') ? summaryOf(v.symbol.doc) : undefined;
      out.set(name, { label, kind, detail: sig ? `${kind === 'class' ? 'class' : 'def'} ${name}${formatParams(sig.params)}` : kind, ...(doc ? { documentation: doc } : {}) });
    };
    if (value.kind === 'module') {
      const mod = value.module;
      const s = mod.file ? this.index.summary(mod.file) : undefined;
      for (const [name, sym] of s?.symbols ?? []) {
        if (sym.kind === 'import' && !(s!.all?.includes(name) || mod.file?.endsWith('__init__.py'))) continue;
        const m = this.resolver.member(value, name, 0);
        add(name, typeof m === 'string' ? undefined : m, sym.kind === 'import' ? 'variable' : sym.kind);
      }
      for (const spec of s?.starImports ?? []) {
        const from = this.resolver.importModule(mod, spec);
        const fs = from?.file ? this.index.summary(from.file) : undefined;
        for (const name of fs?.all ?? [...(fs?.symbols.keys() ?? [])]) {
          const m = this.resolver.member(value, name, 0);
          if (typeof m !== 'string') add(name, m, m.kind === 'module' ? 'module' : m.kind);
        }
      }
      for (const dir of mod.dirs) {
        const l = this.index.listing(dir);
        for (const f of l?.files ?? []) {
          const m = /^([A-Za-z_]\w*)\.py$/.exec(f);
          if (m && m[1] !== '__init__') add(m[1]!, undefined, 'module');
        }
        for (const d of l?.dirs ?? []) if (/^[A-Za-z_]\w*$/.test(d) && d !== '__pycache__') add(d, undefined, 'module');
      }
    } else if (value.kind === 'class') {
      for (const [name, f] of value.symbol.methods) if (f.decorators.some((d) => d === 'classmethod' || d === 'staticmethod')) add(name, { kind: 'function', symbol: f, file: value.file, module: value.module, owner: value.symbol }, 'function');
      for (const [name, c] of value.symbol.classes) add(name, { kind: 'class', symbol: c, file: value.file, module: value.module }, 'class');
    }
    return [...out.values()];
  }

  /**
   * Classes and functions of crawled workspace files whose name starts with `prefix` (case-insensitive), from
   * the sorted name index: the cost is the matches, not the size of the tree.
   */
  private byName(prefix: string): PythonItem[] {
    if (!prefix || !this.index.crawled) return [];
    return this.index.names.startingWith(prefix, 200, (e) => this.moduleNameOf(e.file) !== undefined)
      .map((e) => ({ label: `${this.moduleNameOf(e.file)}.${e.name}`, kind: e.kind, detail: `${e.kind === 'class' ? 'class' : 'def'} in ${e.file}` }));
  }

  /** A workspace file's dotted module name under the search root it is importable from. */
  moduleNameOf(file: string): string | undefined {
    this.checkGeneration();
    if (!this.moduleNames.has(file)) this.moduleNames.set(file, this.moduleNameNow(file));
    return this.moduleNames.get(file);
  }

  private moduleNameNow(file: string): string | undefined {
    const slash = file.lastIndexOf('/');
    const base = file.slice(slash + 1).replace(/\.pyi?$/, '');
    const pkg = this.packageNameOf(file.slice(0, slash));
    if (pkg === undefined) return undefined;
    if (base === '__init__') return pkg || undefined;
    if (!/^[A-Za-z_]\w*$/.test(base)) return undefined;
    return pkg ? `${pkg}.${base}` : base;
  }

  /** A folder's dotted package name under the search root it is importable from ('' for a root itself). */
  private packageNameOf(dir: string): string | undefined {
    if (this.packageNames.has(dir)) return this.packageNames.get(dir);
    let best: string | undefined;
    for (const { dir: root, installed } of this.index.roots()) {
      if (installed) continue;
      if (dir === root) {
        best = '';
        break;
      }
      const prefix = root === '' || root === '/' ? '/' : root + '/';
      if (!dir.startsWith(prefix)) continue;
      const parts = dir.slice(prefix.length).split('/');
      if (!parts.every((p) => /^[A-Za-z_]\w*$/.test(p))) continue;
      const name = parts.join('.');
      if (best === undefined || name.length < best.length) best = name;
    }
    this.packageNames.set(dir, best);
    return best;
  }

}
