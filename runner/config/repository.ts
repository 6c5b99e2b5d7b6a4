// The config repository: Hydra's search path over ConfigSources, with parsed files cached by version.
// It answers the questions composition asks (does this config / group exist, which options does a group
// have) and turns a file into its node tree, its `# @package` header and its parsed defaults list.

import type { ConfigError } from './errors.js';
import { BUILTIN_SOURCE } from './hydra-builtin.js';
import { keyString, type ConfigNode, type DictNode, type Origin } from './nodes.js';
import type { ConfigSource } from './source.js';
import { loadYaml, readPackageHeader } from './yaml-load.js';
import { hasOnlyPlainReferences, parseInterpolation } from './interpolation/grammar.js';

/** One entry of a defaults list, as written in a file (Hydra's GroupDefault / ConfigDefault). */
export interface DefaultsEntry {
  kind: 'group' | 'config';
  /** For groups: the group as written (`db`, `/db`, `server/db`), keywords removed. */
  group?: string;
  /** For groups: the option (`mysql`), several options, null (`db: null`) or `???`. */
  value?: string | string[] | null;
  /** For configs: the path as written (`hol4`, `/base/data_config`, `_self_`). */
  path?: string;
  package: string | null;
  optional: boolean;
  override: boolean;
  /** The whole entry, the key (group@package) and the value, for diagnostics and go-to-definition. */
  origin: Origin;
  keyOrigin?: Origin;
  valueOrigin?: Origin;
}

export interface LoadedConfig {
  /** Search-path-relative file path, e.g. `db/mysql.yaml`. */
  path: string;
  text: string;
  /** The file's content without its `defaults` key; undefined when it could not be read. */
  node?: DictNode;
  header?: string;
  defaults?: DefaultsEntry[];
  /** Where the `defaults` key is, for errors about the list as a whole. */
  defaultsOrigin?: Origin;
  errors: ConfigError[];
  /** The source that served the file (the user's or the built-in Hydra configs). */
  builtin: boolean;
}

export interface RepositoryOptions {
  versionBase?: '1.1' | null;
}

/**
 * Whether a search-path-relative path climbs out with a `..` segment. Hydra's search path has no parent
 * directory, so such a name never names a config: it would read files outside the config dir.
 */
export function leavesSearchPath(path: string): boolean {
  return path.split(/[\\/]/).includes('..');
}

export class Repository {
  private readonly cache = new Map<string, { version: unknown; loaded: LoadedConfig | null }>();
  readonly sources: { source: ConfigSource; builtin: boolean }[];

  constructor(user: ConfigSource, readonly options: RepositoryOptions = {}) {
    // Hydra's search path puts its own package configs first, then the user's config dir.
    this.sources = [
      { source: BUILTIN_SOURCE, builtin: true },
      { source: user, builtin: false },
    ];
  }

  /** Maps a config name (`db/mysql`, `config.yaml`) to the file that holds it, or undefined. */
  findFile(configPath: string): { path: string; source: ConfigSource; builtin: boolean } | undefined {
    if (leavesSearchPath(configPath)) return undefined;
    const candidates: string[] = [];
    if (configPath.endsWith('.yaml')) candidates.push(configPath);
    else if (configPath.endsWith('.yml') && this.options.versionBase === '1.1') candidates.push(configPath);
    else candidates.push(configPath + '.yaml');
    for (const { source, builtin } of this.sources) {
      for (const c of candidates) {
        if (source.read(c) !== undefined) return { path: c, source, builtin };
      }
    }
    return undefined;
  }

  configExists(configPath: string): boolean {
    return this.findFile(configPath) !== undefined;
  }

  groupExists(group: string): boolean {
    if (leavesSearchPath(group)) return false;
    const g = group.replace(/^\/+|\/+$/g, '');
    return this.sources.some(({ source }) => source.list(g) !== undefined && g !== '');
  }

  /** Option names of a group across the search path, sorted like Hydra lists them. */
  groupOptions(group: string): string[] {
    if (leavesSearchPath(group)) return [];
    const g = group.replace(/^\/+|\/+$/g, '');
    const out = new Set<string>();
    for (const { source } of this.sources) {
      const l = source.list(g);
      if (!l) continue;
      for (const f of l.files) if (f.endsWith('.yaml')) out.add(f.slice(0, -5));
    }
    return [...out].sort();
  }

  /** Sub-groups (directories) of a group, for completion. */
  subGroups(group: string): string[] {
    if (leavesSearchPath(group)) return [];
    const g = group.replace(/^\/+|\/+$/g, '');
    const out = new Set<string>();
    for (const { source } of this.sources) for (const d of source.list(g)?.dirs ?? []) out.add(d);
    return [...out].sort();
  }

  load(configPath: string): LoadedConfig | null {
    const found = this.findFile(configPath);
    if (!found) return null;
    const version = found.source.version?.(found.path);
    const key = (found.builtin ? 'pkg:' : 'file:') + found.path;
    const hit = this.cache.get(key);
    if (hit && version !== undefined && hit.version === version) return hit.loaded;
    const text = found.source.read(found.path) ?? '';
    const loaded = parseConfigFile(text, found.path, found.builtin, this.options.versionBase ?? null);
    this.cache.set(key, { version, loaded });
    return loaded;
  }
}

/** Parses a config file: YAML, header and defaults list. Pure and never throws. */
export function parseConfigFile(text: string, path: string, builtin: boolean, versionBase: '1.1' | null): LoadedConfig {
  const out: LoadedConfig = { path, text, errors: [], builtin };
  const header = readPackageHeader(text);
  if (header.error) {
    out.errors.push({ code: 'bad-package-header', message: header.error.message, origin: { kind: 'file', file: path, valueRange: header.error.range } });
  }
  if (header.package !== undefined) out.header = header.package;
  const y = loadYaml(text, path);
  out.errors.push(...y.errors);
  if (y.errors.length) return out;
  const root: ConfigNode | undefined = y.node;
  if (root === undefined || (root.kind === 'scalar' && root.type === 'null')) {
    out.node = { kind: 'dict', entries: new Map(), origin: { kind: 'file', file: path, valueRange: [0, 0] } };
    return out;
  }
  if (root.kind !== 'dict') {
    out.errors.push({
      code: 'config-not-dict',
      message: `The config file '${path}' must be a mapping of keys to values, but its top level is a ${root.kind === 'list' ? 'list' : 'scalar'}.`,
      origin: root.origin,
    });
    return out;
  }
  const defaults = root.entries.get('defaults');
  if (defaults) {
    root.entries.delete('defaults');
    out.defaultsOrigin = defaults.keyOrigin ?? defaults.node.origin;
    out.defaults = parseDefaultsList(defaults.node, path, out.errors, versionBase);
  }
  out.node = root;
  validateInterpolations(root, out.errors);
  return out;
}

/** OmegaConf rejects a malformed `${...}` when the value is set, so composition reports it per file. */
function validateInterpolations(node: ConfigNode, errors: ConfigError[]): void {
  const stack: ConfigNode[] = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.kind === 'dict') for (const e of n.entries.values()) stack.push(e.node);
    else if (n.kind === 'list') stack.push(...n.items);
    else if (n.type === 'str' && typeof n.value === 'string' && n.value.includes('${')) {
      if (hasOnlyPlainReferences(n.value)) continue;
      const r = parseInterpolation(n.value);
      if (!r.ok) {
        errors.push({
          code: 'interpolation-syntax',
          message: `Invalid interpolation '${n.value}': ${r.error.message}. Escape a literal dollar-brace with a backslash.`,
          ...(n.origin ? { origin: n.origin } : {}),
        });
      }
    }
  }
}

function entryError(errors: ConfigError[], message: string, origin: Origin | undefined): void {
  errors.push({ code: 'defaults-bad-entry', message, ...(origin ? { origin } : {}) });
}

/** Hydra's ConfigRepository._create_defaults_list, with source ranges kept. */
export function parseDefaultsList(node: ConfigNode, path: string, errors: ConfigError[], versionBase: '1.1' | null): DefaultsEntry[] | undefined {
  if (node.kind !== 'list') {
    errors.push({
      code: 'defaults-not-list',
      message: `In '${path}': the defaults must be a list, e.g.\ndefaults:\n  - db: mysql\n  - _self_`,
      origin: node.origin,
    });
    return undefined;
  }
  const res: DefaultsEntry[] = [];
  for (const item of node.items) {
    const origin = item.origin ?? { kind: 'file', file: path, valueRange: [0, 0] };
    if (item.kind === 'scalar' && item.type === 'str') {
      const { group, pkg } = splitGroup(String(item.value));
      res.push({ kind: 'config', path: group, package: pkg, optional: false, override: false, origin, keyOrigin: origin, valueOrigin: origin });
      continue;
    }
    if (item.kind === 'dict') {
      let entries = [...item.entries.values()];
      let legacyOptional: boolean | undefined;
      if (versionBase === '1.1' && entries.length > 1) {
        const opt = entries.find((e) => keyString(e.key) === 'optional');
        if (opt) {
          legacyOptional = opt.node.kind === 'scalar' && opt.node.value === true;
          entries = entries.filter((e) => e !== opt);
        }
      }
      if (entries.length !== 1) {
        entryError(
          errors,
          entries.length === 0
            ? `In '${path}': a defaults entry is an empty mapping; write 'group: option'.`
            : `In '${path}': too many keys in a defaults entry; write one 'group: option' per list item.`,
          origin,
        );
        continue;
      }
      const e = entries[0]!;
      const rawKey = String(e.key);
      const { group: keyGroup, pkg } = splitGroup(rawKey);
      const words = keyGroup.split(' ');
      const group = words.pop()!;
      let optional = legacyOptional ?? false;
      let override = false;
      let bad = false;
      for (const w of words) {
        if (w === 'override') override = true;
        else if (w === 'optional') optional = true;
        else {
          entryError(errors, `In '${path}': invalid keyword '${w}' in '${rawKey}'; only 'override' and 'optional' are supported.`, e.keyOrigin ?? origin);
          bad = true;
        }
      }
      if (bad) continue;
      const v = e.node;
      let value: string | string[] | null;
      if (v.kind === 'scalar' && v.type === 'null') value = null;
      else if (v.kind === 'scalar' && v.type === 'missing') value = '???';
      else if (v.kind === 'scalar' && v.type === 'str') value = String(v.value);
      else if (v.kind === 'list') {
        const opts: string[] = [];
        for (const o of v.items) {
          if (o.kind === 'scalar' && o.type === 'str') opts.push(String(o.value));
          else entryError(errors, `In '${path}': options in a list under '${rawKey}' must be strings.`, o.origin ?? origin);
        }
        value = opts;
      } else if (v.kind === 'scalar') {
        // Hydra reads option names as strings only; `db: 1` is rejected there too.
        value = v.type === 'int' || v.type === 'float' || v.type === 'bool' ? null : null;
        entryError(errors, `In '${path}': the option of '${rawKey}' must be a string or a list of strings; quote it.`, v.origin ?? origin);
        continue;
      } else {
        entryError(errors, `In '${path}': the option of '${rawKey}' must be a string or a list of strings, not a mapping.`, v.origin ?? origin);
        continue;
      }
      const entry: DefaultsEntry = { kind: 'group', group, value, package: pkg, optional, override, origin };
      if (e.keyOrigin) entry.keyOrigin = e.keyOrigin;
      if (v.origin) entry.valueOrigin = v.origin;
      res.push(entry);
      continue;
    }
    entryError(errors, `In '${path}': a defaults entry must be a string ('_self_', 'base') or a mapping ('db: mysql').`, origin);
  }
  return res;
}

export function splitGroup(text: string): { group: string; pkg: string | null } {
  const at = text.indexOf('@');
  if (at < 0) return { group: text, pkg: null };
  let pkg = text.slice(at + 1);
  // Hydra 1.0's `pkg1:pkg2` renames are gone; keep the destination.
  const colon = pkg.indexOf(':');
  if (colon >= 0) pkg = pkg.slice(colon + 1);
  return { group: text.slice(0, at), pkg };
}
