// What a `_target_` call accepts: the callable's parameters, as Hydra passes config keys (keywords) and
// `_args_` (positionals). A class takes its `__init__`'s parameters, a dataclass or attrs class its fields, a
// class without either the `__init__` it inherits from workspace bases. Anything that could change the call
// (an unknown decorator, a metaclass, a base we cannot read) makes the signature unknown: no parameter checks.
import { paramDocs, summaryOf } from './docstring.js';
import type { PyClass, PyField, PyParam } from './model.js';
import type { Resolver, Value } from './resolve.js';

export interface Signature {
  params: readonly PyParam[];
  /** `**kwargs`: any keyword is accepted. */
  varKeyword: boolean;
  varPositional: boolean;
  /** Where the parameters are defined (the class, its `__init__`, or a base's). */
  file: string;
  doc?: string;
  readonly paramDocs: ReadonlyMap<string, string>;
  /** The class or function that owns the parameters, for messages (`Base.__init__`). */
  owner: string;
}

const DATACLASS = /^(dataclasses\.)?dataclass$|^(pydantic\.)?dataclasses\.dataclass$/;
const ATTRS = /^(attr|attrs)\.(s|attrs|define|frozen|mutable)$|^(define|frozen|mutable)$/;
/** Bases that add no `__init__` parameters. */
const PLAIN_BASES = /^(object|(abc\.)?ABC|(typing\.)?(Generic|Protocol)(\[.*\])?)$/s;
/** Function decorators that keep the signature. */
const KEEPS_SIGNATURE = /^(functools\.)?(wraps|lru_cache|cache)$|^(torch\.)?(no_grad|inference_mode)$|^staticmethod$|^classmethod$/;

type Found = Signature | 'unknown' | 'object';

export function signatureOf(resolver: Resolver, value: Value): Signature | undefined {
  if ((value.kind === 'function' || value.kind === 'class') && value.symbol.opaque) return undefined;
  if (value.kind === 'function') {
    const s = functionSignature(value);
    return s === 'unknown' ? undefined : s;
  }
  if (value.kind !== 'class') return undefined;
  const s = classSignature(resolver, value, 0);
  if (s === 'unknown') return undefined;
  return s === 'object' ? fromParams([], value.file, value.symbol.doc, value.symbol.name) : s;
}

function functionSignature(value: Extract<Value, { kind: 'function' }>): Signature | 'unknown' {
  const f = value.symbol;
  if (f.decorators.some((d) => !KEEPS_SIGNATURE.test(d))) return 'unknown';
  let params = f.params;
  // Reached through a class: a classmethod drops `cls`; a plain method is unbound (its `self` is a parameter).
  if (value.owner && f.decorators.includes('classmethod')) params = params.slice(1);
  return fromParams(params, value.file, f.doc, value.owner ? `${value.owner.name}.${f.name}` : f.name);
}

function fromParams(params: readonly PyParam[], file: string, doc: string | undefined, owner: string, extraDoc?: string): Signature {
  // Read from the docstrings only when a completion item shows them: a hover or a check needs none.
  let docs: Map<string, string> | undefined;
  return {
    get paramDocs() {
      if (!docs) {
        docs = paramDocs(doc);
        for (const [k, v] of paramDocs(extraDoc)) if (!docs.has(k)) docs.set(k, v);
      }
      return docs;
    },
    params, file, owner,
    varKeyword: params.some((p) => p.kind === 'var-keyword'),
    varPositional: params.some((p) => p.kind === 'var-positional'),
    ...(summaryOf(extraDoc ?? doc) ? { doc: extraDoc ?? doc } : {}),
  };
}

function classSignature(resolver: Resolver, value: Extract<Value, { kind: 'class' }>, depth: number): Found {
  if (depth > 20 || value.symbol.opaque) return 'unknown';
  const c = value.symbol;
  const dataclass = c.decorators.some((d) => DATACLASS.test(d));
  const attrs = c.decorators.some((d) => ATTRS.test(d));
  if (c.decorators.some((d) => !DATACLASS.test(d) && !ATTRS.test(d))) return 'unknown';
  if (c.keywords.some((k) => k.startsWith('metaclass='))) return 'unknown';
  const init = c.methods.get('__init__');
  if (init) {
    if (init.decorators.some((d) => !KEEPS_SIGNATURE.test(d))) return 'unknown';
    return fromParams(init.params.slice(1), value.file, init.doc, `${c.name}.__init__`, c.doc);
  }
  if (c.methods.has('__new__')) return 'unknown';
  if (dataclass || attrs) {
    const fields = dataclassFields(resolver, value, depth);
    if (fields === 'unknown') return 'unknown';
    const params: PyParam[] = fields.map((f) => ({
      name: attrs ? f.name.replace(/^_+/, '') : f.name,
      kind: f.kwOnly ? 'keyword-only' : 'positional',
      range: f.range,
      ...(f.annotation ? { annotation: f.annotation } : {}),
      ...(f.default !== undefined ? { default: f.default } : {}),
    }));
    return fromParams(params, value.file, c.doc, c.name);
  }
  // No `__init__` of its own: the first base (depth first, left to right, like the MRO for simple trees) that has one.
  for (const b of c.bases) {
    if (PLAIN_BASES.test(b)) continue;
    const base = resolver.expression(value.module, b, 0);
    if (base === 'missing' || base === 'unknown' || base.kind !== 'class') return 'unknown';
    const got = classSignature(resolver, base, depth + 1);
    if (got !== 'object') return got;
  }
  return 'object';
}

/** Fields in `__init__` order: bases' fields first (a redefined field keeps its first place), then the class's own. */
function dataclassFields(resolver: Resolver, value: Extract<Value, { kind: 'class' }>, depth: number): PyField[] | 'unknown' {
  const out: PyField[] = [];
  const c: PyClass = value.symbol;
  for (const b of [...c.bases].reverse()) {
    if (PLAIN_BASES.test(b)) continue;
    const base = resolver.expression(value.module, b, 0);
    if (base === 'missing' || base === 'unknown' || base.kind !== 'class') return 'unknown';
    const dc = base.symbol.decorators.some((d) => DATACLASS.test(d) || ATTRS.test(d));
    if (!dc) {
      // A plain base contributes no fields, unless it has an `__init__` the dataclass would not replace anyway.
      const inner = classSignature(resolver, base, depth + 1);
      if (inner === 'unknown') return 'unknown';
      continue;
    }
    const fields = dataclassFields(resolver, base, depth + 1);
    if (fields === 'unknown') return 'unknown';
    for (const f of fields) {
      const at = out.findIndex((x) => x.name === f.name);
      if (at >= 0) out[at] = f;
      else out.push(f);
    }
  }
  for (const f of c.fields) {
    if (!f.init) continue;
    const at = out.findIndex((x) => x.name === f.name);
    if (at >= 0) out[at] = { ...f, range: f.range };
    else out.push(f);
  }
  return out;
}

/** `(x: int = 1, *args, **kwargs)` */
export function formatParams(params: readonly PyParam[]): string {
  const parts: string[] = [];
  let starDone = false;
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    if (p.kind === 'keyword-only' && !starDone && !params.some((q) => q.kind === 'var-positional')) {
      parts.push('*');
      starDone = true;
    }
    const prefix = p.kind === 'var-positional' ? '*' : p.kind === 'var-keyword' ? '**' : '';
    parts.push(`${prefix}${p.name}${p.annotation ? `: ${p.annotation}` : ''}${p.default !== undefined ? (p.annotation ? ' = ' : '=') + p.default : ''}`);
    if (p.kind === 'positional-only' && params[i + 1]?.kind !== 'positional-only') parts.push('/');
  }
  return `(${parts.join(', ')})`;
}
