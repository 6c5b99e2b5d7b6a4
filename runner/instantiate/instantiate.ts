// Hydra's `instantiate` over plain config data: a dict with `_target_` becomes the object its target builds.
//   _args_      positional arguments (a list; instantiated too)
//   _partial_   true: return a function that builds later, with more keyword arguments merged in
//   _recursive_ false: nested `_target_` dicts are passed as plain data instead of being built first
//   _convert_   none | partial | object | all: accepted and checked; in JavaScript every dict is already plain
// Calling convention for workspace targets: `new Target(...args, kwargs)` for classes (`Target(...)` for
// functions), where kwargs (the remaining keys) is passed only when there are any, or when there are no args.
import type { Plain } from '../config/nodes.js';
import { shownValue, UserError } from '../run/errors.js';
import { type TargetContext, lookupTarget } from './registry.js';
import { workspaceExport } from './workspace.js';

const SPECIAL = new Set(['_target_', '_args_', '_partial_', '_recursive_', '_convert_']);
const CONVERT = new Set(['none', 'partial', 'object', 'all']);

export interface InstantiateContext extends TargetContext {
  /** Workspace exports loaded by `prepareTargets`. */
  workspace: Map<string, unknown>;
}

function isDict(v: unknown): v is Record<string, Plain> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function join(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

/** Loads every workspace module that the config's `_target_`s name (before the synchronous build). */
export async function prepareTargets(cfg: Plain, workspaceDir: string, path = ''): Promise<InstantiateContext> {
  const ctx: InstantiateContext = { workspaceDir, workspace: new Map() };
  const visit = async (v: Plain, p: string): Promise<void> => {
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) await visit(v[i]!, join(p, i));
    } else if (isDict(v)) {
      const t = v._target_;
      if (t !== undefined) {
        if (typeof t !== 'string' || !t) throw new UserError('_target_ must be a non-empty string', join(p, '_target_'));
        if (!lookupTarget(t) && !ctx.workspace.has(t)) {
          ctx.workspace.set(t, await workspaceExport(t, workspaceDir, join(p, '_target_')));
        }
      }
      for (const [k, x] of Object.entries(v)) await visit(x, join(p, k));
    }
  };
  await visit(cfg, path);
  return ctx;
}

function isClass(f: unknown): boolean {
  return typeof f === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(f));
}

function rethrowWithPath(e: unknown, path: string, target: string): never {
  if (e instanceof UserError) {
    const key = e.key ? (e.key.startsWith(path + '.') || e.key === path ? e.key : join(path, e.key)) : path;
    throw new UserError(e.detail, key);
  }
  throw new UserError(`error in call to target '${target}': ${(e as Error)?.message ?? String(e)}`, path);
}

function checkParams(target: string, kwargs: Record<string, unknown>, path: string): void {
  const spec = lookupTarget(target);
  if (!spec) return;
  for (const k of Object.keys(kwargs)) {
    if (!(k in spec.params)) {
      throw new UserError(`${spec.name} has no parameter '${k}'; its parameters are: ` +
        `${Object.keys(spec.params).join(', ')}`, join(path, k));
    }
  }
  for (const [k, p] of Object.entries(spec.params)) {
    const v = kwargs[k];
    if (v === undefined) {
      if (p.required) throw new UserError(`${spec.name} needs '${k}' (${p.doc})`, join(path, k));
      continue;
    }
    const t = p.type.replace('?', '');
    if (v === null) {
      if (p.type.endsWith('?') || t === 'any') continue;
      throw new UserError(`'${k}' cannot be null here (${p.doc})`, join(path, k));
    }
    const ok = t === 'any' || (t === 'int' && typeof v === 'number' && Number.isInteger(v)) ||
      (t === 'number' && typeof v === 'number') || (t === 'bool' && typeof v === 'boolean') ||
      (t === 'str' && typeof v === 'string');
    if (!ok) {
      throw new UserError(`'${k}' must be ${t === 'int' ? 'an integer' : t === 'bool' ? 'true or false' : t === 'str' ?
        'a string' : 'a number'}, got ${shownValue(v)} (${p.doc})`, join(path, k));
    }
  }
}

function call(target: string, kwargs: Record<string, unknown>, args: unknown[], ctx: InstantiateContext, path: string): unknown {
  const spec = lookupTarget(target);
  try {
    if (spec) {
      if (args.length) throw new UserError(`${spec.name} takes keyword arguments only; remove _args_`, '_args_');
      checkParams(target, kwargs, path);
      return spec.create(kwargs, ctx);
    }
    const fn = ctx.workspace.get(target) as (...a: unknown[]) => unknown;
    const all = Object.keys(kwargs).length || !args.length ? [...args, kwargs] : args;
    return isClass(fn) ? new (fn as unknown as new (...a: unknown[]) => unknown)(...all) : fn(...all);
  } catch (e) {
    rethrowWithPath(e, path, target);
  }
}

/** Builds a config node: `_target_` dicts become objects, other dicts and lists are built member by member. */
export function instantiate(node: Plain, ctx: InstantiateContext, path = '', recursive = true): unknown {
  if (node === '???') {
    throw new UserError(`'${path}' is missing (???): set it in the config or with ${path}=<value> on the command line`, path);
  }
  if (Array.isArray(node)) return recursive ? node.map((v, i) => instantiate(v, ctx, join(path, i), recursive)) : node;
  if (!isDict(node)) return node;
  if (!('_target_' in node)) {
    if (!recursive) return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = instantiate(v, ctx, join(path, k), recursive);
    return out;
  }
  const target = node._target_;
  if (typeof target !== 'string') throw new UserError('_target_ must be a string', join(path, '_target_'));
  const rec = node._recursive_ ?? recursive;
  if (typeof rec !== 'boolean') throw new UserError('_recursive_ must be true or false', join(path, '_recursive_'));
  const partial = node._partial_ ?? false;
  if (typeof partial !== 'boolean') throw new UserError('_partial_ must be true or false', join(path, '_partial_'));
  const convert = node._convert_ ?? 'none';
  if (typeof convert !== 'string' || !CONVERT.has(convert)) {
    throw new UserError('_convert_ must be one of none, partial, object, all', join(path, '_convert_'));
  }
  const rawArgs = node._args_ ?? [];
  if (!Array.isArray(rawArgs)) throw new UserError('_args_ must be a list', join(path, '_args_'));
  if (!lookupTarget(target) && !ctx.workspace.has(target)) {
    throw new UserError(`unknown _target_ '${target}' (call prepareTargets first)`, join(path, '_target_'));
  }
  const args = rec ? rawArgs.map((v, i) => instantiate(v, ctx, join(join(path, '_args_'), i), rec)) : rawArgs;
  const kwargs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (SPECIAL.has(k)) continue;
    kwargs[k] = rec ? instantiate(v, ctx, join(path, k), rec) : v;
  }
  if (partial) {
    return (more: Record<string, unknown> = {}) => call(target, { ...kwargs, ...more }, args, ctx, path);
  }
  return call(target, kwargs, args, ctx, path);
}

/** Finds the first `???` left in a config, as a dotted key path. */
export function findMissing(node: Plain, path = ''): string | undefined {
  if (node === '???') return path;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const m = findMissing(node[i]!, join(path, i));
      if (m !== undefined) return m;
    }
  } else if (isDict(node)) {
    for (const [k, v] of Object.entries(node)) {
      const m = findMissing(v, join(path, k));
      if (m !== undefined) return m;
    }
  }
  return undefined;
}
