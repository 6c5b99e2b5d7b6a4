// Keeps module summaries small enough for a 20,000-file tree. Two things made them large (measured with heap
// snapshots on the bench tree): every name, annotation and docstring read from a syntax node is a V8 slice of
// the file's text, so one kept string keeps the whole file alive; and each summary had its own copies of
// `int`, `self`, `dataclass` and its own empty arrays and maps. `compactSummary` copies strings out of the
// text, shares the short ones across files, and swaps empty collections for shared frozen ones.
import type { HydraEntryPoint, PyClass, PyField, PyFunction, PyModuleSummary, PyParam, PySymbol } from './model.js';

/** Names, annotations, defaults and module specs up to this length are shared; longer text (docstrings) is not. */
const SHARED_MAX_LENGTH = 64;
/** A pathological tree (generated names) must not grow the pool without end; past this, strings are only copied. */
const SHARED_MAX_ENTRIES = 200_000;
const shared = new Map<string, string>();

export const EMPTY: readonly never[] = Object.freeze([]);
export const EMPTY_MAP: ReadonlyMap<string, never> = new Map<string, never>();

/**
 * The string as a summary may keep it: a shared copy for short ones, else a fresh copy. V8 slices substrings
 * of 13 characters or more out of their parent; concatenating and slicing again flattens into a new string
 * that holds only these characters (plus one).
 */
export function keep(s: string): string {
  if (s.length <= SHARED_MAX_LENGTH) {
    const hit = shared.get(s);
    if (hit !== undefined) return hit;
  }
  const own = s.length < 13 ? s : (s + ' ').slice(0, -1);
  if (s.length <= SHARED_MAX_LENGTH && shared.size < SHARED_MAX_ENTRIES) shared.set(own, own);
  return own;
}

const keepAll = (xs: readonly string[]): readonly string[] => (xs.length ? xs.map(keep) : EMPTY);
const keepOpt = (s: string | undefined): string | undefined => (s === undefined ? undefined : keep(s));

/** A parameter or a dataclass field: its name, annotation and default. */
function typedName<T extends PyParam | PyField>(x: T): T {
  x.name = keep(x.name);
  if (x.annotation !== undefined) x.annotation = keep(x.annotation);
  if (x.default !== undefined) x.default = keep(x.default);
  return x;
}

function fn(f: PyFunction): PyFunction {
  f.name = keep(f.name);
  f.params = f.params.length ? f.params.map(typedName) : EMPTY;
  f.decorators = keepAll(f.decorators);
  if (f.doc !== undefined) f.doc = keepOpt(f.doc);
  return f;
}

function cls(c: PyClass): PyClass {
  c.name = keep(c.name);
  c.bases = keepAll(c.bases);
  c.keywords = keepAll(c.keywords);
  c.decorators = keepAll(c.decorators);
  if (c.doc !== undefined) c.doc = keepOpt(c.doc);
  c.methods = c.methods.size ? new Map([...c.methods].map(([k, m]) => [keep(k), fn(m)])) : EMPTY_MAP;
  c.classes = c.classes.size ? new Map([...c.classes].map(([k, x]) => [keep(k), cls(x)])) : EMPTY_MAP;
  c.fields = c.fields.length ? c.fields.map(typedName) : EMPTY;
  return c;
}

function symbol(s: PySymbol): PySymbol {
  switch (s.kind) {
    case 'class':
      return cls(s);
    case 'function':
      return fn(s);
    case 'variable':
      s.name = keep(s.name);
      if (s.value !== undefined) s.value = keep(s.value);
      return s;
    case 'import':
      s.name = keep(s.name);
      s.module = keep(s.module);
      if (s.attr !== undefined) s.attr = keep(s.attr);
      return s;
  }
}

function entryPoint(e: HydraEntryPoint): HydraEntryPoint {
  if (e.configPath !== undefined) e.configPath = keep(e.configPath);
  if (e.configName !== undefined) e.configName = keep(e.configName);
  if (e.versionBase.kind === 'value' && e.versionBase.value !== null) e.versionBase = { kind: 'value', value: keep(e.versionBase.value) };
  return e;
}

/** The summary with its strings copied out of the file text and its empty collections shared (in place). */
export function compactSummary(s: PyModuleSummary): PyModuleSummary {
  s.symbols = new Map([...s.symbols].map(([k, sym]) => [keep(k), symbol(sym)]));
  s.starImports = keepAll(s.starImports);
  if (s.all) s.all = keepAll(s.all);
  s.entryPoints = s.entryPoints.length ? s.entryPoints.map(entryPoint) : EMPTY;
  s.callArgs = keepAll(s.callArgs);
  return s;
}
