// Reads one YAML config file into the node model, the way Hydra reads it: PyYAML's YAML 1.1 resolvers plus
// OmegaConf's extra float form (`1e-4`), duplicate keys an error, anchors and `<<` merge keys supported.
//
// The `yaml` package parses with the failsafe schema (every scalar a string) so that typing is ours and
// exactly PyYAML's; its CST gives us the source range of every key and value for provenance.

import type * as YamlLib from 'yaml';
import type { Document, Node as YamlNode, Pair, Scalar } from 'yaml';
import type { ConfigError } from './errors.js';
import {
  dict,
  keyString,
  list,
  scalar,
  type ConfigNode,
  type DictNode,
  type KeyValue,
  type Origin,
  type Range,
  type ScalarNode,
} from './nodes.js';

// The `yaml` package is loaded on first use: most config files take the fast path (yaml-simple.ts), so a short
// CLI call usually never evaluates it. All the builders below run inside loadYamlFull, which sets `Y` first.
let Y: typeof YamlLib;
function yamlLib(): typeof YamlLib {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (Y ??= require('yaml') as typeof YamlLib);
}
const PLAIN = 'PLAIN';
import { mayBeTyped, readSimpleYaml } from './yaml-simple.js';

// PyYAML's implicit resolvers (yaml/resolver.py), with OmegaConf's float pattern that also accepts `1e-4`.
const BOOL_RE = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const NULL_RE = /^(?:~|null|Null|NULL|)$/;
const INT_RE = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT_RE =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|\.[0-9_]+(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

/** Types a plain (unquoted) scalar as PyYAML's SafeLoader with OmegaConf's float resolver would. */
export function resolvePlainScalar(text: string): { type: ScalarNode['type']; value: ScalarNode['value'] } {
  // Most keys and values cannot be anything but a string, and skip the regular expressions.
  if (!mayBeTyped(text)) return { type: 'str', value: text };
  if (text === '???') return { type: 'missing', value: null };
  if (NULL_RE.test(text)) return { type: 'null', value: null };
  if (BOOL_RE.test(text)) return { type: 'bool', value: /^(?:yes|true|on)$/i.test(text) };
  if (INT_RE.test(text)) return { type: 'int', value: constructInt(text) };
  if (FLOAT_RE.test(text)) return { type: 'float', value: constructFloat(text) };
  return { type: 'str', value: text };
}

function sexagesimal(digits: string): number {
  let value = 0;
  for (const part of digits.split(':')) value = value * 60 + Number(part);
  return value;
}

function constructInt(text: string): number {
  let t = text.replace(/_/g, '');
  let sign = 1;
  if (t[0] === '-' || t[0] === '+') {
    if (t[0] === '-') sign = -1;
    t = t.slice(1);
  }
  if (t === '0') return 0;
  if (t.startsWith('0b')) return sign * parseInt(t.slice(2), 2);
  if (t.startsWith('0x')) return sign * parseInt(t.slice(2), 16);
  if (t.startsWith('0')) return sign * parseInt(t, 8);
  if (t.includes(':')) return sign * sexagesimal(t);
  return sign * Number(t);
}

function constructFloat(text: string): number {
  let t = text.replace(/_/g, '').toLowerCase();
  let sign = 1;
  if (t[0] === '-' || t[0] === '+') {
    if (t[0] === '-') sign = -1;
    t = t.slice(1);
  }
  if (t === '.inf') return sign * Infinity;
  if (t === '.nan') return NaN;
  if (t.includes(':')) {
    const [whole, frac] = t.split('.') as [string, string?];
    return sign * (sexagesimal(whole) + Number('0.' + (frac ?? '0')));
  }
  return sign * Number(t);
}

export interface LoadedYaml {
  /** The root node; undefined when the file could not be read as a mapping. */
  node?: ConfigNode;
  errors: ConfigError[];
}

/** Parses text into nodes whose origins point into `file`. Never throws. */
export function loadYaml(text: string, file: string): LoadedYaml {
  // Most config files are plain block YAML that the fast reader builds directly; it defers everything else,
  // errors included, to the full loader below.
  const simple = readSimpleYaml(text, file, resolvePlainScalar);
  if (simple !== undefined) return simple === null ? { node: undefined, errors: [] } : { node: simple, errors: [] };
  return loadYamlFull(text, file);
}

/** The full loader, through the `yaml` package's Document layer: every YAML feature, every error. */
export function loadYamlFull(text: string, file: string): LoadedYaml {
  const doc = yamlLib().parseDocument(text, { schema: 'failsafe', uniqueKeys: false, prettyErrors: false, strict: false });
  const errors: ConfigError[] = [];
  for (const e of doc.errors) {
    errors.push({
      code: 'yaml-syntax',
      message: `${e.message.split('\n')[0]}. Fix the YAML syntax here.`,
      origin: { kind: 'file', file, valueRange: [e.pos[0], Math.max(e.pos[1], e.pos[0] + 1)] },
    });
  }
  if (errors.length) return { errors };
  const ctx: BuildContext = { file, doc, errors, depth: 0, aliasDepth: 0, aliasNodes: 0 };
  const root = doc.contents;
  if (root === null) return { node: undefined, errors };
  const node = build(root as YamlNode, ctx, undefined);
  return { node, errors };
}

interface BuildContext {
  file: string;
  doc: Document.Parsed;
  errors: ConfigError[];
  depth: number;
  /** How many aliases are being expanded around the node being built. */
  aliasDepth: number;
  /** Nodes built so far as copies of an anchor; capped at MAX_ALIAS_NODES. */
  aliasNodes: number;
  /** The outermost alias being expanded (where the cap is reported). */
  aliasAt?: YamlNode;
  /** How many flow collections (`[...]`, `{...}`) enclose the node being built. */
  flowDepth?: number;
}

/**
 * Every alias is expanded into a copy of its anchor, so nested aliases grow exponentially: nine lines of
 * "billion laughs" YAML would expand to 10^9 nodes and exhaust memory. Like the `yaml` package's `maxAliasCount`
 * (which guards only its own toJS), we cap the expansion; real configs copy a few small anchors, far below this.
 */
export const MAX_ALIAS_NODES = 10_000;

function rangeOf(node: YamlNode | null | undefined): Range {
  const r = node?.range;
  return r ? [r[0], r[1]] : [0, 0];
}

function originOf(ctx: BuildContext, node: YamlNode | null | undefined, keyNode?: YamlNode | null): Origin {
  const valueRange = rangeOf(node);
  return keyNode ? { kind: 'file', file: ctx.file, valueRange, keyRange: rangeOf(keyNode) } : { kind: 'file', file: ctx.file, valueRange };
}

function error(ctx: BuildContext, code: ConfigError['code'], message: string, node: YamlNode | null | undefined): void {
  ctx.errors.push({ code, message, origin: originOf(ctx, node) });
}

function build(node: YamlNode | null, ctx: BuildContext, keyNode: YamlNode | null | undefined): ConfigNode {
  if (ctx.aliasDepth > 0 && ++ctx.aliasNodes > MAX_ALIAS_NODES) {
    // Reported once, at the alias that crossed the cap; the rest of the expansion is cut short.
    if (ctx.aliasNodes === MAX_ALIAS_NODES + 1) {
      error(ctx, 'yaml-syntax', `YAML aliases in this file expand to more than ${MAX_ALIAS_NODES.toLocaleString('en-US')} ` +
        'nodes (nested aliases multiply: a "billion laughs" file?). Write the repeated values out, or share them ' +
        'through a defaults list or ${...} interpolation.', ctx.aliasAt);
    }
    return scalar('null', null, originOf(ctx, node, keyNode));
  }
  if (ctx.depth > 500) {
    error(ctx, 'yaml-syntax', 'The YAML nests more than 500 levels deep; flatten it.', node);
    return scalar('null', null, originOf(ctx, node, keyNode));
  }
  ctx.depth++;
  try {
    return buildInner(node, ctx, keyNode);
  } finally {
    ctx.depth--;
  }
}

function buildInner(node: YamlNode | null, ctx: BuildContext, keyNode: YamlNode | null | undefined): ConfigNode {
  const origin = originOf(ctx, node, keyNode);
  if (node === null || node === undefined) return scalar('null', null, origin);
  if (Y.isAlias(node)) {
    const target = node.resolve(ctx.doc);
    if (!target) {
      error(ctx, 'yaml-syntax', `Unknown YAML alias '*${node.source}'. Define the anchor '&${node.source}' before using it.`, node);
      return scalar('null', null, origin);
    }
    const outer = ctx.aliasAt;
    if (ctx.aliasDepth === 0) ctx.aliasAt = node;
    ctx.aliasDepth++;
    try {
      const built = build(target as YamlNode, ctx, undefined);
      built.origin = origin;
      return built;
    } finally {
      ctx.aliasDepth--;
      ctx.aliasAt = outer;
    }
  }
  if (Y.isScalar(node)) return buildScalar(node, ctx, origin);
  if ((Y.isSeq(node) || Y.isMap(node)) && node.flow) {
    ctx.flowDepth = (ctx.flowDepth ?? 0) + 1;
    try {
      return buildCollection(node, ctx, origin);
    } finally {
      ctx.flowDepth--;
    }
  }
  return buildCollection(node, ctx, origin);
}

function buildCollection(node: YamlNode, ctx: BuildContext, origin: Origin): ConfigNode {
  if (Y.isSeq(node)) {
    return list(node.items.map((item) => build(item as YamlNode, ctx, undefined)), origin);
  }
  if (Y.isMap(node)) {
    const out = dict(origin);
    // PyYAML puts merged (`<<`) pairs first, then the mapping's own pairs; a later pair replaces an earlier
    // value but keeps its position.
    const merged: DictNode[] = [];
    const own: Pair[] = [];
    for (const pair of node.items) {
      const k = pair.key as YamlNode | null;
      if (Y.isScalar(k) && k.type === PLAIN && k.source === '<<') {
        const v = pair.value as YamlNode | null;
        const sources = Y.isSeq(v) ? (v.items as YamlNode[]) : [v];
        for (const s of sources) {
          const b = build(s, ctx, undefined);
          if (b.kind !== 'dict') error(ctx, 'yaml-bad-value', 'A `<<` merge key needs a mapping (or a list of mappings) to merge.', s);
          else merged.push(b);
        }
      } else own.push(pair);
    }
    for (const m of merged.reverse()) {
      for (const [ks, e] of m.entries) out.entries.set(ks, e);
    }
    // `<<: [*a, *b]`: earlier maps win over later ones, so they are applied last; mimic PyYAML's order.
    const seen = new Set<string>();
    // Python's dict treats 1, 1.0 and True as the same key; remember the first spelling of each number.
    const numericKeys = new Map<number, string>();
    for (const pair of own) {
      if (!Y.isPair(pair)) continue;
      const k = pair.key as YamlNode | null;
      const key = buildKey(k, ctx);
      if (key === undefined) continue;
      let ks = keyString(key);
      if (typeof key !== 'string') {
        const n = Number(key);
        const first = numericKeys.get(n);
        if (first !== undefined) ks = first;
        else numericKeys.set(n, ks);
      }
      const rawKey = Y.isScalar(k) ? String(k.source ?? k.value) : '';
      if (seen.has(rawKey)) {
        error(ctx, 'yaml-duplicate-key', `Duplicate key '${rawKey}' in this mapping. Remove one of them.`, k);
        continue;
      }
      seen.add(rawKey);
      const value = build(pair.value as YamlNode | null, ctx, k);
      const keyOrigin = originOf(ctx, k);
      const existing = out.entries.get(ks);
      // Python's dict keeps the first key object (`1` stays `1` when `true` overwrites it).
      out.entries.set(ks, { key: existing ? existing.key : key, node: value, keyOrigin });
    }
    return out;
  }
  error(ctx, 'yaml-syntax', 'Unsupported YAML node.', node);
  return scalar('null', null, origin);
}

function buildKey(k: YamlNode | null, ctx: BuildContext): KeyValue | undefined {
  if (!Y.isScalar(k)) {
    error(ctx, 'yaml-bad-key', 'Mapping keys must be plain scalars (strings, numbers or booleans), not lists, maps or null.', k);
    return undefined;
  }
  const text = String(k.value);
  if (k.type !== PLAIN) return text;
  const r = resolvePlainScalar(text);
  if (r.type === 'null') {
    error(ctx, 'yaml-bad-key', 'A mapping key is null (empty or `~`); give it a name.', k);
    return undefined;
  }
  if (r.type === 'int' || r.type === 'float') return r.value as number;
  if (r.type === 'bool') return r.value as boolean;
  return text;
}

function buildScalar(node: Scalar, ctx: BuildContext, origin: Origin): ScalarNode {
  const text = String(node.value);
  if (ctx.flowDepth && node.type === PLAIN && text.startsWith('?')) {
    // PyYAML, which Hydra uses, reads `?` inside a flow collection as a complex-key marker and fails.
    error(ctx, 'yaml-syntax', `Hydra's YAML reader (PyYAML) cannot read a plain value starting with '?' inside [...] or {...}; quote it ('${text}') or write the collection in block style.`, node);
  }
  if (node.tag && node.tag !== '!' && node.tag !== 'tag:yaml.org,2002:str') {
    return explicitTag(node, ctx, origin, text);
  }
  if (node.type !== PLAIN || node.tag === '!' || node.tag === 'tag:yaml.org,2002:str') {
    return scalar(text === '???' && node.type === PLAIN ? 'missing' : 'str', text === '???' && node.type === PLAIN ? null : text, origin);
  }
  if (text === '=') {
    error(ctx, 'yaml-bad-value', "A bare '=' is a YAML 1.1 value token that configs cannot hold; quote it: '='.", node);
    return scalar('str', text, origin);
  }
  const r = resolvePlainScalar(text);
  return scalar(r.type, r.value, origin);
}

function explicitTag(node: Scalar, ctx: BuildContext, origin: Origin, text: string): ScalarNode {
  switch (node.tag) {
    case 'tag:yaml.org,2002:int':
      if (INT_RE.test(text)) return scalar('int', constructInt(text), origin);
      break;
    case 'tag:yaml.org,2002:float':
      if (FLOAT_RE.test(text) || INT_RE.test(text)) return scalar('float', constructFloat(text), origin);
      break;
    case 'tag:yaml.org,2002:bool':
      if (BOOL_RE.test(text)) return scalar('bool', /^(?:yes|true|on)$/i.test(text), origin);
      break;
    case 'tag:yaml.org,2002:null':
      return scalar('null', null, origin);
  }
  error(ctx, 'yaml-bad-value', `Unsupported YAML tag '${node.tag}' on '${text}'; remove the tag.`, node);
  return scalar('str', text, origin);
}

/**
 * Reads the `# @package` header: only the leading comment lines count, blank lines are skipped, and the
 * first other line (a plain comment included) ends the header.
 */
export function readPackageHeader(text: string): { package?: string; error?: { message: string; range: Range } } {
  let offset = 0;
  const result: { package?: string; error?: { message: string; range: Range } } = {};
  // Line by line without splitting the whole file: only the leading comment lines are read.
  while (offset <= text.length) {
    const start = offset;
    const nl = text.indexOf('\n', start);
    const rawLine = text.slice(start, nl < 0 ? text.length : nl);
    offset += rawLine.length + 1;
    const line = rawLine.trim();
    if (line === '') continue;
    if (!/^\s*#\s*@/.test(line)) break;
    const body = line.replace(/^#+/, '').trim();
    const parts = body.split(' ').filter((p) => p.length > 0);
    if (parts.length !== 2) {
      result.error = {
        message:
          parts.length < 2
            ? `Expected a header of the form '# @package <package>', got '${body}'.`
            : `Too many parts in the header '${body}': write '# @package <package>' with one package.`,
        range: [start, start + rawLine.length],
      };
      return result;
    }
    if (parts[0] === '@package') result.package = parts[1];
  }
  return result;
}
