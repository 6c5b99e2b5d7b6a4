// The resolvers a Hydra 1.3 app has: OmegaConf 2.2's `oc.*` (resolvers/oc/__init__.py and dict.py) and Hydra's
// `now` and `hydra` (hydra/core/utils.py). Each takes its arguments as the grammar typed them and returns a
// value; failures carry the message of how to fix them.

import type * as YamlLib from 'yaml';
import { cloneNode, scalar, type ConfigNode, type DictNode, type ScalarNode } from '../nodes.js';
import { fail } from './failure.js';
import type { Element } from './grammar.js';
import { detached, topOf, type Loc } from './location.js';
import { pythonStr } from './python.js';
import { strftime } from './strftime.js';

/** What a resolver may use of the resolver that calls it. */
export interface ResolverApi {
  readonly hydraRoot?: Loc;
  readonly now: Date;
  readonly env: Record<string, string | undefined>;
  deref(loc: Loc): Loc;
  select(root: Loc, key: string, throwOnMissing: boolean, lenient?: boolean): Loc | null;
  value(node: ConfigNode, holder: Loc, children?: Loc[]): Loc;
  str(s: string, holder: Loc): Loc;
  evalElement(el: Element, holder: Loc): Loc;
  parseElement(text: string): Element;
}

export interface ResolverCall {
  /** The node holding the interpolation; its parent is OmegaConf's `_parent_`. */
  holder: Loc;
  argTexts: string[];
  api: ResolverApi;
}

export type BuiltinResolver = (args: Loc[], call: ResolverCall) => Loc;

function arity(name: string, args: Loc[], min: number, max: number): void {
  if (args.length < min || args.length > max) {
    const takes = min === max ? `${min}` : `${min} to ${max}`;
    fail('interpolation-resolver', `${name} takes ${takes} argument${max === 1 ? '' : 's'} but ${args.length} were given.`);
  }
}

function stringArg(name: string, arg: Loc, what: string): string {
  const n = arg.node;
  if (n.kind !== 'scalar' || n.type !== 'str') {
    fail('interpolation-resolver', `${name} needs a string as its ${what}, but got ${pythonStr(n)}; quote it.`);
  }
  return String(n.value);
}

function isNone(loc: Loc): boolean {
  return loc.node.kind === 'scalar' && loc.node.type === 'null';
}

/**
 * OmegaConf's `select_value` with `absolute_key=True`: a key without a leading dot starts at the root, `.x` at
 * the parent of the interpolation. Absent keys (and keys below a non-container) give undefined; so does `???`
 * unless `throwOnMissing`.
 */
function selectValue(api: ResolverApi, from: Loc, key: string, absolute: boolean, throwOnMissing: boolean): Loc | undefined {
  let root: Loc | null;
  let rest = key;
  if (absolute && !key.startsWith('.')) root = topOf(from);
  else {
    root = from;
    if (rest.startsWith('.')) rest = rest.slice(1);
    while (rest.startsWith('.') && root) {
      root = root.parent;
      rest = rest.slice(1);
    }
    if (!root) fail('interpolation-key', `Key '${key}' goes above the root of the config; remove a leading dot.`);
  }
  const node = api.select(root, rest, throwOnMissing, true);
  if (!node || (node.node.kind === 'scalar' && node.node.type === 'missing')) return undefined;
  return node;
}

const env: BuiltinResolver = (args, { holder, api }) => {
  arity('oc.env', args, 1, 2);
  const key = stringArg('oc.env', args[0]!, 'variable name');
  const value = Object.prototype.hasOwnProperty.call(api.env, key) ? api.env[key] : undefined;
  if (value !== undefined) return api.str(value, holder);
  const fallback = args[1];
  if (!fallback) {
    fail('interpolation-resolver', `Environment variable '${key}' not found. Set it, or give a default: \${oc.env:${key},default}.`);
  }
  return isNone(fallback) ? api.value(scalar('null', null), holder) : api.str(pythonStr(fallback.node), holder);
};

const select: BuiltinResolver = (args, { holder, api }) => {
  arity('oc.select', args, 1, 2);
  const key = stringArg('oc.select', args[0]!, 'key');
  const found = selectValue(api, holder.parent ?? holder, key, true, false);
  if (found) return found;
  return args[1] ?? api.value(scalar('null', null), holder);
};

const decode: BuiltinResolver = (args, { holder, api }) => {
  arity('oc.decode', args, 1, 1);
  const arg = args[0]!;
  if (isNone(arg)) return api.value(scalar('null', null), holder);
  const text = stringArg('oc.decode', arg, 'input');
  return api.evalElement(api.parseElement(text), holder);
};

/** Plain data from YAML text (OmegaConf.create of a string), typed as the node model types it. */
function fromYamlValue(value: unknown): ConfigNode {
  if (value === null || value === undefined) return scalar('null', null);
  if (typeof value === 'boolean') return scalar('bool', value);
  if (typeof value === 'number') return scalar(Number.isInteger(value) ? 'int' : 'float', value);
  if (typeof value === 'string') return scalar(value === '???' ? 'missing' : 'str', value === '???' ? null : value);
  if (Array.isArray(value)) return { kind: 'list', items: value.map(fromYamlValue) };
  const d: DictNode = { kind: 'dict', entries: new Map() };
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) d.entries.set(k, { key: k, node: fromYamlValue(v) });
  return d;
}

const create: BuiltinResolver = (args, { holder, api }) => {
  arity('oc.create', args, 1, 1);
  let node = args[0]!.node;
  if (node.kind === 'scalar' && node.type === 'str') {
    let parsed: unknown;
    try {
      // Loaded here, on first use, so that composing never evaluates the `yaml` package when it is not needed.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      parsed = (require('yaml') as typeof YamlLib).parse(String(node.value), { version: '1.1' });
    } catch (e) {
      fail('interpolation-resolver', `oc.create could not read its string as YAML: ${e instanceof Error ? e.message.split('\n')[0] : e}`);
    }
    if (parsed === null || parsed === undefined) parsed = {};
    else if (typeof parsed === 'string') parsed = { [parsed]: null };
    node = fromYamlValue(parsed);
  }
  if (node.kind === 'scalar') {
    fail('interpolation-resolver', `oc.create needs a dict or a list (or YAML text of one), but got ${pythonStr(node)}.`);
  }
  // A new config whose interpolations resolve from where the `oc.create` is, as OmegaConf.create(obj, parent).
  return detached(cloneNode(node), holder.parent, holder.key, false);
};

function dictArg(name: string, args: Loc[], call: ResolverCall): { dict: Loc; key: string } {
  arity(name, args, 1, 1);
  const key = stringArg(name, args[0]!, 'key');
  const found = selectValue(call.api, call.holder.parent ?? call.holder, key, true, true);
  if (!found) fail('interpolation-key', `${name}: key not found: '${key}'.`);
  if (found.node.kind !== 'dict') fail('interpolation-resolver', `${name} needs a dict, but '${key}' is a ${found.node.kind === 'list' ? 'list' : 'value'}.`);
  return { dict: found, key };
}

const dictKeys: BuiltinResolver = (args, call) => {
  const { dict } = dictArg('oc.dict.keys', args, call);
  const keys = [...(dict.node as DictNode).entries.values()].map((e): ScalarNode =>
    typeof e.key === 'string' ? scalar('str', e.key) : typeof e.key === 'boolean' ? scalar('bool', e.key) : scalar(Number.isInteger(e.key) ? 'int' : 'float', e.key),
  );
  return detached({ kind: 'list', items: keys }, call.holder.parent, call.holder.key, false);
};

const dictValues: BuiltinResolver = (args, call) => {
  const { dict, key } = dictArg('oc.dict.values', args, call);
  // The values are interpolations to the dict's entries, one level deeper (inside the new list) than the
  // resolver: a relative key needs one more dot, as in OmegaConf.
  const base = key.startsWith('.') ? '.' + key : key;
  const items = [...(dict.node as DictNode).entries.keys()].map((k) => scalar('str', `\${${base}.${k}}`));
  return detached({ kind: 'list', items }, call.holder.parent, call.holder.key, false);
};

const now: BuiltinResolver = (args, { holder, api }) => {
  arity('now', args, 1, 1);
  return api.str(strftime(stringArg('now', args[0]!, 'strftime pattern'), api.now), holder);
};

const hydra: BuiltinResolver = (args, { holder, api }) => {
  arity('hydra', args, 1, 1);
  const path = stringArg('hydra', args[0]!, 'key');
  if (!api.hydraRoot) {
    fail('interpolation-resolver', `HydraConfig was not set: \${hydra:${path}} has a value only when a run composes the hydra node (bait run), not when a config is only composed.`);
  }
  return selectValue(api, api.hydraRoot, path.startsWith('.') ? path : '.' + path, false, false) ?? api.value(scalar('null', null), holder);
};

export const BUILTIN_RESOLVERS: Record<string, BuiltinResolver> = {
  'oc.env': env,
  'oc.select': select,
  'oc.decode': decode,
  'oc.create': create,
  'oc.dict.keys': dictKeys,
  'oc.dict.values': dictValues,
  now,
  hydra,
};

