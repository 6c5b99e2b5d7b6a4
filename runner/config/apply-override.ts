// Applies one non-group command-line override to the composed config, as Hydra's
// `_apply_overrides_to_config` does with OmegaConf.update in struct mode: `key=v` only changes existing keys,
// `+key=v` adds a new key, `++key=v` adds or changes, `~key[=v]` deletes; a dict value merges into an
// existing dict, anything else replaces.

import { fail } from './errors.js';
import { mergeInto, replaceNode } from './merge.js';
import { markOwned, ownDict, ownList } from './cow.js';
import { resolveNode } from './interpolation/resolve.js';
import { cloneNode, dict, isInterpolation, toPlain, type ConfigNode, type DictNode, type Origin } from './nodes.js';
import type { Override } from './overrides/types.js';

/** OmegaConf's split_key: `a.b[0].c` -> ['a', 'b', '0', 'c']. */
export function splitKey(key: string): string[] {
  const out: string[] = [];
  for (const part of key.split('.')) {
    const m = /^([^[]*)((?:\[[^\]]*\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1] !== '' || !m[2]) out.push(m[1]!);
    for (const idx of m[2]!.matchAll(/\[([^\]]*)\]/g)) out.push(idx[1]!);
  }
  return out;
}

type Container = DictNode | Extract<ConfigNode, { kind: 'list' }>;

function child(c: Container, k: string): ConfigNode | undefined {
  if (c.kind === 'dict') return c.entries.get(k)?.node;
  const i = Number(k);
  return Number.isInteger(i) && i >= 0 && i < c.items.length ? c.items[i] : undefined;
}

/** OmegaConf.select with throw_on_missing=False: undefined when absent, `???` reads as absent too. */
export function selectNode(root: DictNode, key: string): ConfigNode | undefined {
  let cur: ConfigNode = root;
  for (const k of splitKey(key)) {
    if (cur.kind === 'scalar') return undefined;
    const next = child(cur, k);
    if (next === undefined) return undefined;
    cur = next;
  }
  return cur;
}

/** Takes ownership of the container at `k` of an owned container (copy on first write) and returns it. */
function ownChild(c: Container, k: string): Container | undefined {
  if (c.kind === 'dict') {
    const e = c.entries.get(k);
    if (!e || e.node.kind === 'scalar') return undefined;
    e.node = e.node.kind === 'dict' ? ownDict(e.node) : ownList(e.node);
    return e.node;
  }
  const i = Number(k);
  const n = Number.isInteger(i) ? c.items[i] : undefined;
  if (!n || n.kind === 'scalar') return undefined;
  c.items[i] = n.kind === 'dict' ? ownDict(n) : ownList(n);
  return c.items[i] as Container;
}

/** Owns every container along a dotted path from the (owned) root; undefined when the path is not there. */
function ownPath(root: DictNode, parts: string[]): Container | undefined {
  let cur: Container = root;
  for (const k of parts) {
    const next = ownChild(cur, k);
    if (!next) return undefined;
    cur = next;
  }
  return cur;
}

/**
 * The value `~key` and `+key` check, as Hydra reads it (OmegaConf.select): an interpolation is resolved first, so
 * one that cannot resolve makes the override fail, and one that resolves to null counts as absent. Resolvers that
 * read the environment are not judged here (composition has none): such a value counts as present.
 */
function selectedValue(cfg: DictNode, o: Override, keyOrigin: Origin, failure: string): ConfigNode | undefined {
  const existing = selectNode(cfg, o.key);
  if (!existing || !isInterpolation(existing)) return existing;
  const r = resolveNode(cfg, splitKey(o.key), { env: {} });
  const e = r.errors.find((x) => x.code !== 'interpolation-resolver');
  if (e) fail(e.code, `${failure}: Hydra resolves the value of '${o.key}' first, and ${e.message}`, keyOrigin);
  return r.errors.length ? existing : r.node;
}

const isNoneLike = (n: ConfigNode | undefined) =>
  n === undefined || (n.kind === 'scalar' && (n.type === 'null' || n.type === 'missing'));

function overrideOrigin(o: Override): Origin {
  return { kind: 'override', index: o.index, text: o.text, range: o.valueRange ?? o.keyRange };
}

export function applyConfigOverride(cfg: DictNode, o: Override): void {
  const keyOrigin: Origin = { kind: 'override', index: o.index, text: o.text, range: o.keyRange };
  if (o.package !== null) {
    fail(
      'missing-group',
      `Override ${o.text} looks like a config group override, but config group '${o.key}' does not exist.`,
      keyOrigin,
    );
  }
  const value = o.value && 'kind' in o.value ? (o.value as ConfigNode) : null;
  if (o.type === 'DEL') {
    const existing = selectedValue(cfg, o, keyOrigin, `Could not delete '${o.key}'`);
    if (isNoneLike(existing)) fail('override-delete-missing', `Could not delete from config. '${o.key}' does not exist.`, keyOrigin);
    if (value !== null && JSON.stringify(toPlain(value)) !== JSON.stringify(toPlain(existing!))) {
      fail(
        'override-delete-mismatch',
        `Could not delete from config. The value of '${o.key}' is ${JSON.stringify(toPlain(existing!))} and not ${JSON.stringify(toPlain(value))}.`,
        overrideOrigin(o),
      );
    }
    const parts = splitKey(o.key);
    const last = parts.pop()!;
    const parent = ownPath(cfg, parts);
    if (parent?.kind === 'dict') parent.entries.delete(last);
    else if (parent?.kind === 'list') parent.items.splice(Number(last), 1);
    return;
  }
  if (value === null) fail('override-syntax', `The override '${o.text}' needs a value.`, keyOrigin);
  if (o.type === 'EXTEND_LIST') {
    const parts = splitKey(o.key);
    const last = parts.pop()!;
    const parent = ownPath(cfg, parts);
    const existing = parent ? ownChild(parent, last) : undefined;
    if (!existing || existing.kind !== 'list') {
      fail(
        'override-type',
        `Could not append to config list. The existing value of '${o.key}' is ${existing ? JSON.stringify(toPlain(existing)) : 'missing'}, which is not a list.`,
        keyOrigin,
      );
    }
    const items = value.kind === 'list' ? value.items : [value];
    existing.items.push(...items.map((i) => cloneNode(i)));
    return;
  }
  const node = markOwned(cloneNode(value));
  if (!node.origin) node.origin = overrideOrigin(o);
  if (o.type === 'ADD') {
    const existing = selectedValue(cfg, o, keyOrigin, `Error merging override ${o.text}`);
    if (!isNoneLike(existing) && node.kind === 'scalar') {
      fail(
        'override-key-exists',
        `Could not append to config. An item is already at '${o.key}'.\nEither remove + prefix: '${o.text.slice(1)}'\nOr add a second + to add or override '${o.key}': '+${o.text}'`,
        keyOrigin,
      );
    }
    update(cfg, o, node, true);
  } else if (o.type === 'FORCE_ADD') {
    update(cfg, o, node, true);
  } else {
    update(cfg, o, node, false);
  }
}

/** OmegaConf.update(cfg, key, value, merge=True, force_add=forceAdd) under struct mode. */
function update(cfg: DictNode, o: Override, value: ConfigNode, forceAdd: boolean): void {
  const keyOrigin: Origin = { kind: 'override', index: o.index, text: o.text, range: o.keyRange };
  const notFound = (): never =>
    fail(
      'override-key-missing',
      `Could not override '${o.key}': the key does not exist in the composed config.\nTo append to your config use +${o.text}`,
      keyOrigin,
    );
  const parts = splitKey(o.key);
  let root: Container = cfg;
  for (let i = 0; i < parts.length - 1; i++) {
    const k = parts[i]!;
    const next = child(root, k);
    if (next && next.kind !== 'scalar') {
      root = ownChild(root, k)!;
      continue;
    }
    if (root.kind === 'list') notFound();
    if (!next && !forceAdd) notFound();
    if (next && next.kind === 'scalar' && !forceAdd) {
      // OmegaConf replaces a primitive on the way with an empty map, even in struct mode when the key exists.
    }
    const d = markOwned(dict());
    const dr = root as DictNode;
    const e = dr.entries.get(k);
    if (e) e.node = replaceNode(e.node, d);
    else dr.entries.set(k, { key: k, node: d, keyOrigin });
    root = d;
  }
  const last = parts[parts.length - 1]!;
  const existing = child(root, last) && child(root, last)!.kind !== 'scalar' && value.kind !== 'scalar' ? ownChild(root, last) : child(root, last);
  if (existing && existing.kind !== 'scalar' && value.kind !== 'scalar') {
    if (existing.kind === 'dict' && value.kind === 'dict') {
      if (!forceAdd) {
        for (const k of value.entries.keys()) {
          if (!existing.entries.has(k)) {
            fail(
              'override-key-missing',
              `Could not merge '${o.key}': the key '${o.key}.${k}' is not in the composed config. Add it with +${o.key}.${k}=..., or use ++${o.text.replace(/^\+*/, '')}.`,
              keyOrigin,
            );
          }
        }
      }
      mergeInto(existing, value);
      return;
    }
    if (existing.kind === 'list' && value.kind === 'list') {
      // OmegaConf merges lists by replacing them.
      existing.history = [...(existing.history ?? []), ...(existing.origin ? [existing.origin] : [])];
      existing.items = value.items;
      existing.origin = value.origin ?? keyOrigin;
      return;
    }
    // A dict into a list or a list into a dict: OmegaConf's merge refuses it (with any of =, + and ++).
    fail(
      'override-type',
      `Error merging override ${o.text}: '${o.key}' is a ${existing.kind === 'dict' ? 'dict' : 'list'} and cannot take a ` +
        `${value.kind === 'dict' ? 'dict' : 'list'}. Remove it first with ~${o.key}, then add the new value with +${o.text.replace(/^\+*/, '')}.`,
      keyOrigin,
    );
  }
  if (root.kind === 'list') {
    const i = Number(last);
    if (!Number.isInteger(i) || i < 0 || i >= root.items.length) {
      fail('override-key-missing', `Could not override '${o.key}': index ${last} is out of range of a list of ${root.items.length}.`, keyOrigin);
    }
    root.items[i] = replaceNode(root.items[i]!, value);
    return;
  }
  const e = root.entries.get(last);
  if (e) {
    e.node = replaceNode(e.node, value);
    return;
  }
  if (!forceAdd) notFound();
  root.entries.set(last, { key: last, node: value, keyOrigin });
}
