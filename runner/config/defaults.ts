// Defaults-list resolution: Hydra 1.3's algorithm (hydra/_internal/defaults_list.py), rebuilt on our data.
//
// The tree is built depth first with each list walked in REVERSE, so that an `override` in a later entry (an
// experiment config) is registered before the earlier entry it changes is expanded; command-line choices are
// registered first of all and therefore win. The tree is then flattened into the merge order.

import { fail, type ConfigError } from './errors.js';
import type { Origin } from './nodes.js';
import type { Override } from './overrides/types.js';
import { type DefaultsEntry, type LoadedConfig, type Repository, leavesSearchPath } from './repository.js';

/**
 * A node of the defaults tree (Hydra's InputDefault): a defaults entry as written, with its parent information
 * filled in while the tree is built. The virtual root and command-line additions have no entry in a file.
 */
export interface InputDefault extends Omit<DefaultsEntry, 'kind' | 'origin'> {
  kind: 'group' | 'config' | 'virtual';
  primary?: boolean;
  externalAppend?: boolean;
  parentBaseDir?: string;
  parentPackage?: string;
  packageHeader?: string;
  deleted?: boolean;
  /** The defaults entry (or command-line override) that created this node. */
  origin?: Origin;
}

export interface DefaultsTreeNode {
  node: InputDefault;
  children?: (DefaultsTreeNode | InputDefault)[];
  parent?: DefaultsTreeNode;
}

/** One config to merge, in order (Hydra's ResultDefault). */
export interface ResolvedDefault {
  configPath: string | null;
  package: string;
  parent: string | null;
  isSelf: boolean;
  primary: boolean;
  overrideKey?: string;
  /** Where this default was requested: the defaults-list entry, or the command-line override. */
  entryOrigin?: Origin;
}

const isSelf = (d: InputDefault) => d.kind === 'config' && d.path === '_self_';
const isMissingChoice = (d: InputDefault) => d.kind === 'group' && d.value === '???';
const isInterpolation = (d: InputDefault) => d.kind === 'group' && typeof d.value === 'string' && d.value.includes('${');

function groupPath(d: InputDefault): string {
  const base = d.parentBaseDir ?? '';
  if (d.kind === 'group') {
    const g = d.group!;
    const abs = g.startsWith('/');
    const group = abs ? g.slice(1) : g;
    return base === '' || abs ? group : `${base}/${group}`;
  }
  const p = d.path!;
  const abs = p.startsWith('/');
  const path = abs ? p.slice(1) : p;
  const idx = path.lastIndexOf('/');
  const group = idx < 0 ? '' : path.slice(0, idx);
  if (abs) return group;
  if (base === '') return group;
  return group === '' ? base : `${base}/${group}`;
}

function getName(d: InputDefault): string | null {
  if (d.kind === 'group') return typeof d.value === 'string' ? d.value : null;
  const p = d.path!;
  const idx = p.lastIndexOf('/');
  return idx < 0 ? p : p.slice(idx + 1);
}

export function configPathOf(d: InputDefault): string {
  if (d.kind === 'group') return `${groupPath(d)}/${getName(d)}`;
  const p = d.path!;
  const abs = p.startsWith('/');
  const path = abs ? p.slice(1) : p;
  const base = d.parentBaseDir ?? '';
  return base === '' || abs ? path : `${base}/${path}`;
}

function relativeGroupPath(d: InputDefault): string {
  if (d.kind === 'group') return d.group!.replace(/^\//, '');
  const path = d.path!.replace(/^\//, '');
  const idx = path.lastIndexOf('/');
  return idx < 0 ? '' : path.slice(0, idx);
}

function defaultPackage(d: InputDefault): string {
  return groupPath(d).replace(/\//g, '.');
}

function getPackage(d: InputDefault, toHeader = true): string | null {
  if (d.package === null && toHeader) return d.packageHeader ?? null;
  return d.package;
}

export function finalPackage(d: InputDefault, toHeader = true): string {
  let pkg = getPackage(d, toHeader);
  if (pkg === null) pkg = relativeGroupPath(d).replace(/\//g, '.');
  const name = getName(d);
  if (typeof name === 'string') pkg = pkg.replace(/_name_/g, name);
  if (pkg === '_here_') pkg = '';
  const parent = d.parentPackage ?? '';
  const ret = parent === '' ? pkg : pkg === '' ? parent : `${parent}.${pkg}`;
  const lgi = ret.lastIndexOf('_global_');
  return lgi < 0 ? ret : ret.slice(lgi + '_global_'.length + 1);
}

export function overrideKey(d: InputDefault): string {
  const dp = defaultPackage(d);
  const fp = finalPackage(d, false);
  const key = groupPath(d);
  return dp !== fp && fp !== '' ? `${key}@${fp}` : key;
}

function setParent(d: InputDefault, baseDir: string, pkg: string): void {
  d.parentBaseDir = baseDir;
  d.parentPackage = pkg;
}

function setPackageHeader(d: InputDefault, header: string | undefined, legacy: boolean): void {
  if (header === undefined) return;
  let h = header;
  if (h !== '_global_' && !h.startsWith('_global_.')) h = h === '' ? '_global_' : `_global_.${h}`;
  // Hydra 1.1's `_group_` keyword (the group's own package); from 1.2 on it is an ordinary key.
  d.packageHeader = legacy ? h.replace(/_group_/g, defaultPackage(d)) : h;
}

interface OverrideMeta {
  external: boolean;
  used: boolean;
  containingConfigPath?: string;
  origin?: Origin;
}

/** Hydra's Overrides: the choices and deletions that command-line and `override` entries request. */
class Overrides {
  overrideChoices = new Map<string, string | string[] | null>();
  meta = new Map<string, OverrideMeta>();
  appendGroupDefaults: InputDefault[] = [];
  deletions = new Map<string, { name: string | null; used: boolean; origin: Origin }>();
  knownChoices = new Map<string, string | null>();
  knownChoicesPerGroup = new Map<string, Set<string>>();
  /** Command-line overrides that are not about config groups: applied to the composed config. */
  configOverrides: Override[] = [];

  constructor(repo: Repository, overrides: Override[]) {
    for (const o of overrides) {
      const origin: Origin = { kind: 'override', index: o.index, text: o.text, range: o.keyRange };
      const isGroup = repo.groupExists(o.key);
      const v = o.value;
      const isDict = v !== null && 'kind' in v && v.kind === 'dict';
      if (isDict || !isGroup) {
        this.configOverrides.push(o);
        continue;
      }
      const value = elementToChoice(o);
      if (o.type === 'FORCE_ADD') {
        fail('override-key-exists', `Force-add of config groups is not supported: '${o.text}'. Use '+${o.text.slice(2)}' to add the group or '${o.text.slice(2)}' to change it.`, origin);
      }
      const key = o.package !== null ? `${o.key}@${o.package}` : o.key;
      if (o.type === 'ADD') {
        const d: InputDefault = { kind: 'group', group: o.key, value, package: o.package, optional: false, override: false, externalAppend: true, origin };
        this.appendGroupDefaults.push(d);
      } else if (o.type === 'DEL') {
        const t = pythonTypeOf(o);
        if (t !== 'NoneType' && t !== 'str') {
          fail('override-type', `Config group override deletion value must be a string: '${o.text}'. Quote the option name or write '~${o.key}' to delete whatever is chosen.`, origin);
        }
        this.deletions.set(key, { name: typeof value === 'string' ? value : null, used: false, origin });
      } else if (!['str', 'list'].includes(pythonTypeOf(o))) {
        // Hydra 1.3.2 refuses `group=null` on the command line (a defaults list may say `group: null`, an override may not).
        fail(
          'override-type',
          `Config group override must be a string or a list. Got ${pythonTypeOf(o)}: '${o.text}'. Write '~${o.key}' to remove the group, or name an option.`,
          origin,
        );
      } else {
        this.overrideChoices.set(key, value);
        this.meta.set(key, { external: true, used: false, origin });
      }
    }
  }

  addOverride(parentConfigPath: string, d: InputDefault): void {
    const key = overrideKey(d);
    if (!this.overrideChoices.has(key)) {
      this.overrideChoices.set(key, d.value ?? null);
      this.meta.set(key, { external: false, used: false, containingConfigPath: parentConfigPath, ...(d.origin ? { origin: d.origin } : {}) });
    }
  }

  isOverridden(d: InputDefault): boolean {
    return d.kind === 'group' && this.overrideChoices.has(overrideKey(d));
  }

  overrideDefaultOption(d: InputDefault): void {
    const key = overrideKey(d);
    if (!this.overrideChoices.has(key)) return;
    d.value = this.overrideChoices.get(key) ?? null;
    const m = this.meta.get(key)!;
    m.used = true;
    if (m.origin) d.valueOrigin = m.origin;
  }

  isDeleted(d: InputDefault): boolean {
    if (d.kind !== 'group') return false;
    const del = this.deletions.get(overrideKey(d));
    if (!del) return false;
    return del.name === null || del.name === getName(d);
  }

  delete(d: InputDefault): void {
    d.deleted = true;
    this.deletions.get(overrideKey(d))!.used = true;
  }

  setKnownChoice(d: InputDefault): void {
    if (d.kind !== 'group') return;
    const key = overrideKey(d);
    const name = getName(d);
    if (!this.knownChoices.has(key)) this.knownChoices.set(key, name);
    else {
      const prev = this.knownChoices.get(key);
      if (name !== prev) {
        fail(
          'duplicate-group',
          `Multiple values for ${key}. To override a value use 'override ${key}: ${prev}'.`,
          d.keyOrigin ?? d.origin,
          { data: { group: key, previous: prev, options: name ? [name] : [] } },
        );
      }
    }
    const group = groupPath(d);
    if (!this.knownChoicesPerGroup.has(group)) this.knownChoicesPerGroup.set(group, new Set());
    this.knownChoicesPerGroup.get(group)!.add(key);
  }

  ensureOverridesUsed(): void {
    for (const [key, m] of this.meta) {
      if (m.used) continue;
      const group = key.split('@')[0]!;
      const choices = [...(this.knownChoicesPerGroup.get(group) ?? [])].sort();
      let msg =
        choices.length > 1
          ? `Could not override '${key}'. Did you mean to override one of ${choices.join(', ')}?`
          : choices.length === 1
            ? `Could not override '${key}'. Did you mean to override ${choices[0]}?`
            : `Could not override '${key}'. No match in the defaults list.`;
      if (m.containingConfigPath !== undefined) msg = `In '${m.containingConfigPath}': ${msg}`;
      const v = this.overrideChoices.get(key);
      if (m.external) msg += `\nTo append to your default list use +${key}=${Array.isArray(v) ? `[${v.join(',')}]` : v}`;
      fail('override-not-found', msg, m.origin);
    }
  }

  ensureDeletionsUsed(): void {
    for (const [key, d] of this.deletions) {
      if (d.used) continue;
      const desc = d.name !== null ? `${key}=${d.name}` : key;
      fail('override-delete-missing', `Could not delete '${desc}'. No match in the defaults list.`, d.origin);
    }
  }
}

/** The Python type name of an override's value as Hydra's parser makes it (`null` -> NoneType). */
function pythonTypeOf(o: Override): string {
  const v = o.value;
  if (v === null || !('kind' in v)) return 'NoneType';
  if (v.kind === 'list') return 'list';
  if (v.kind === 'dict') return 'dict';
  if (v.kind !== 'scalar') return 'str';
  switch (v.type) {
    case 'null':
      return 'NoneType';
    case 'int':
    case 'float':
    case 'bool':
      return v.type;
    default:
      return 'str';
  }
}

function elementToChoice(o: Override): string | string[] | null {
  const v = o.value;
  if (v === null) return null;
  if (!('kind' in v)) return null;
  if (v.kind === 'scalar') {
    if (v.type === 'null') return null;
    if (v.type === 'missing') return '???';
    if (v.type === 'bool') return v.value ? 'true' : 'false';
    return String(v.value);
  }
  if (v.kind === 'list') return v.items.map((i) => (i.kind === 'scalar' ? String(i.value) : ''));
  return null;
}

export interface DefaultsResult {
  defaults: ResolvedDefault[];
  tree: DefaultsTreeNode;
  /** `hydra.runtime.choices`: override key -> chosen option (null when none). */
  choices: Map<string, string | null>;
  configOverrides: Override[];
  /** Every config file loaded while building the tree (for incremental recomposition). */
  loaded: Map<string, LoadedConfig>;
  warnings: { message: string; origin?: Origin }[];
}

export interface DefaultsOptions {
  configName: string | null;
  overrides: Override[];
  prependHydra: boolean;
  skipMissing: boolean;
}

/** Builds the defaults tree and the merge order; throws ConfigErrorSignal on the first error. */
export function createDefaultsList(repo: Repository, opts: DefaultsOptions): DefaultsResult {
  const overrides = new Overrides(repo, opts.overrides);
  const loaded = new Map<string, LoadedConfig>();
  const warnings: DefaultsResult['warnings'] = [];
  const primary: InputDefault = {
    kind: 'config',
    path: opts.configName ?? '_dummy_empty_config_',
    package: null,
    optional: false,
    override: false,
    primary: true,
  };
  const root: DefaultsTreeNode = opts.prependHydra
    ? { node: { kind: 'virtual', package: null, optional: false, override: false } }
    : { node: primary };
  if (opts.prependHydra) {
    root.children = [{ kind: 'config', path: 'hydra/config', package: null, optional: false, override: false }, primary];
  }
  const builder = new TreeBuilder(repo, overrides, loaded, warnings, opts.skipMissing);
  builder.build(root, true, false, []);
  overrides.ensureOverridesUsed();
  overrides.ensureDeletionsUsed();
  const defaults = treeToList(root);
  const keys = new Set<string>();
  for (const d of defaults) {
    if (d.isSelf || d.overrideKey === undefined) continue;
    if (keys.has(d.overrideKey)) {
      fail('duplicate-group', `${d.overrideKey} appears more than once in the final defaults list. Use 'override ${d.overrideKey}: <option>' to change it.`, d.entryOrigin);
    }
    keys.add(d.overrideKey);
  }
  return { defaults, tree: root, choices: overrides.knownChoices, configOverrides: overrides.configOverrides, loaded, warnings };
}

class TreeBuilder {
  constructor(
    private readonly repo: Repository,
    private readonly overrides: Overrides,
    private readonly loaded: Map<string, LoadedConfig>,
    private readonly warnings: DefaultsResult['warnings'],
    private readonly skipMissing: boolean,
  ) {}

  private load(d: InputDefault): LoadedConfig | null {
    const path = configPathOf(d);
    const l = this.repo.load(path);
    if (l) {
      this.loaded.set(path, l);
      if (l.errors.length) {
        const e = l.errors[0]!;
        const related = d.origin ? [{ message: `'${l.path}' is included here`, origin: d.origin }] : undefined;
        throw signal({ ...e, ...(related ? { related } : {}) });
      }
    }
    return l;
  }

  build(root: DefaultsTreeNode, isRootConfig: boolean, interpolatedSubtree: boolean, stack: string[]): DefaultsTreeNode {
    const parent = root.node;
    if (parent.kind === 'virtual') {
      if (isRootConfig) return this.expandVirtualRoot(root, stack);
      return root;
    }
    if (isRootConfig) {
      setParent(parent, '', '');
      if (!this.repo.configExists(configPathOf(parent))) this.configNotFound(root);
    }
    // Hydra's order: package header, deletion, known choice, then `group: null` (selects nothing: a leaf the
    // flattening skips, which `~group` may still delete) and `???` (skipped in multirun, else an error).
    const nullChoice = parent.kind === 'group' && getName(parent) === null;
    const path = nullChoice ? '' : configPathOf(parent);
    if (!nullChoice && stack.includes(path)) {
      const cycle = [...stack.slice(stack.indexOf(path)), path];
      fail('defaults-cycle', `The defaults lists form a cycle: ${cycle.join(' -> ')}. Remove one of these entries.`, parent.origin, { data: { cycle } });
    }
    const l0 = nullChoice || isMissingChoice(parent) ? null : this.load(parent);
    if (l0) setPackageHeader(parent, l0.header, this.repo.options.versionBase === '1.1');
    if (this.overrides.isDeleted(parent)) {
      this.overrides.delete(parent);
      return root;
    }
    this.overrides.setKnownChoice(parent);
    if (nullChoice || this.checkNotMissing(parent)) return root;
    const loaded = l0;
    if (!loaded) {
      if (parent.optional) {
        parent.deleted = true;
        return root;
      }
      this.configNotFound(root);
    }
    const defaults: InputDefault[] = (loaded!.defaults ?? []).map((e) => fromEntry(e));
    if (defaults.length > 0 || (isRootConfig && this.overrides.appendGroupDefaults.length > 0)) {
      this.validateSelf(parent, defaults, loaded!);
    }
    if (isRootConfig) defaults.push(...this.overrides.appendGroupDefaults);
    this.updateOverrides(defaults, parent, interpolatedSubtree);

    const children: (DefaultsTreeNode | InputDefault)[] = [];
    const childStack = [...stack, path];
    const addChild = (newRoot: DefaultsTreeNode) => {
      const sub = this.build(newRoot, false, interpolatedSubtree, childStack);
      children.push(sub.children === undefined ? newRoot.node : sub);
    };

    for (let i = defaults.length - 1; i >= 0; i--) {
      const d = defaults[i]!;
      if (isSelf(d)) {
        setParent(d, parent.parentBaseDir ?? '', finalPackage(parent));
        children.push(d);
        continue;
      }
      if (d.override) continue;
      setParent(d, groupPath(parent), finalPackage(parent));
      if (this.overrides.isOverridden(d)) this.overrides.overrideDefaultOption(d);
      if (d.kind === 'group' && Array.isArray(d.value)) {
        for (let j = d.value.length - 1; j >= 0; j--) {
          const item = d.value[j]!;
          if (item.includes('${')) {
            fail('bad-interpolated-choice', `In '${path}': Defaults List interpolation is not supported in options list items.`, d.valueOrigin ?? d.origin);
          }
          const node: InputDefault = { kind: 'config', path: `${d.group}/${item}`, package: d.package, optional: d.optional, override: false };
          if (d.origin) node.origin = d.origin;
          if (d.valueOrigin) node.valueOrigin = d.valueOrigin;
          setParent(node, groupPath(parent), finalPackage(parent));
          addChild({ node, parent: root });
        }
      } else {
        if (isInterpolation(d)) {
          children.push(d);
          continue;
        }
        addChild({ node: d, parent: root });
      }
    }

    // Interpolated choices (`server: ${db}_server`) are expanded once every other choice is known.
    for (let idx = 0; idx < children.length; idx++) {
      const dd = children[idx]!;
      if ('node' in dd || !isInterpolation(dd)) continue;
      dd.value = this.resolveInterpolatedChoice(dd, path);
      setParent(dd, groupPath(parent), finalPackage(parent));
      const newRoot: DefaultsTreeNode = { node: dd, parent: root };
      const sub = this.build(newRoot, false, true, childStack);
      if (sub.children !== undefined) children[idx] = sub;
    }
    if (children.length > 0) root.children = children.reverse();
    return root;
  }

  private expandVirtualRoot(root: DefaultsTreeNode, stack: string[]): DefaultsTreeNode {
    const children: (DefaultsTreeNode | InputDefault)[] = [];
    const kids = root.children as InputDefault[];
    for (let i = kids.length - 1; i >= 0; i--) {
      const d = kids[i]!;
      const newRoot: DefaultsTreeNode = { node: d, parent: root };
      const sub = this.build(newRoot, d.primary === true, false, stack);
      children.push(sub.children === undefined ? d : sub);
    }
    root.children = children.reverse();
    return root;
  }

  private resolveInterpolatedChoice(d: InputDefault, path: string): string {
    const text = d.value as string;
    return text.replace(/\$\{([^}]*)\}/g, (_m, key: string) => {
      const k = key.trim();
      const v = this.overrides.knownChoices.get(k);
      if (v === undefined || v === null) {
        fail(
          'bad-interpolated-choice',
          `In '${path}': the choice '${text}' of '${d.group}' interpolates '${k}', which is not a config group chosen in the defaults list.`,
          d.valueOrigin ?? d.origin,
        );
      }
      return v;
    });
  }

  private checkNotMissing(d: InputDefault): boolean {
    if (!(d.kind === 'group' && d.value === '???')) return false;
    if (this.skipMissing) return true;
    const group = groupPath(d);
    const options = this.repo.groupOptions(group);
    fail(
      'missing-choice',
      `You must specify '${group}', e.g, ${group}=<OPTION>\nAvailable options:\n${options.map((o) => '\t' + o).join('\n')}`,
      d.valueOrigin ?? d.origin,
      { data: { options, group } },
    );
  }

  private validateSelf(parent: InputDefault, defaults: InputDefault[], loaded: LoadedConfig): void {
    let hasSelf = false;
    let hasNonOverride = false;
    for (const d of defaults) {
      if (!d.override) hasNonOverride = true;
      if (isSelf(d)) {
        if (hasSelf) fail('duplicate-self', `Duplicate _self_ defined in ${configPathOf(parent)}; keep one.`, d.origin);
        hasSelf = true;
      }
    }
    if ((!hasSelf && hasNonOverride) || defaults.length === 0) {
      if (parent.primary && !hasSelf && !loaded.builtin && loaded.node && loaded.node.entries.size > 0) {
        this.warnings.push({
          message: `In '${configPathOf(parent)}': Defaults list is missing \`_self_\`. It is merged last; add '- _self_' to choose where.`,
          ...(loaded.defaultsOrigin ? { origin: loaded.defaultsOrigin } : {}),
        });
      }
      defaults.push({ kind: 'config', path: '_self_', package: null, optional: false, override: false });
    }
  }

  private updateOverrides(defaults: InputDefault[], parent: InputDefault, interpolatedSubtree: boolean): void {
    let seenOverride = false;
    let last: InputDefault | undefined;
    const legacy = this.repo.options.versionBase === '1.1';
    for (const d of defaults) {
      if (isSelf(d)) continue;
      setParent(d, groupPath(parent), finalPackage(parent));
      const legacyHydraOverride = legacy && d.kind === 'group' && !d.override && d.group!.startsWith('hydra/');
      if (seenOverride && !(d.override || d.externalAppend || legacyHydraOverride)) {
        fail(
          'defaults-bad-entry',
          `In ${configPathOf(parent)}: Override '${overrideKey(last!)} : ${getName(last!)}' is defined before '${d.kind === 'group' ? overrideKey(d) : configPathOf(d)}: ${getName(d)}'. Overrides must be at the end of the defaults list.`,
          d.origin,
        );
      }
      if (d.kind === 'group') {
        if (legacyHydraOverride) d.override = true;
        if (d.override) {
          if (!legacyHydraOverride) seenOverride = true;
          last = d;
          if (interpolatedSubtree) {
            fail(
              'defaults-bad-entry',
              `${configPathOf(parent)}: Default List Overrides are not allowed in the subtree of an interpolated config group (override ${overrideKey(d)}=${getName(d)}).`,
              d.origin,
            );
          }
          this.overrides.addOverride(configPathOf(parent), d);
        }
      }
    }
  }

  private configNotFound(tree: DefaultsTreeNode): never {
    const d = tree.node;
    const path = configPathOf(d);
    const parentPath = tree.parent && tree.parent.node.kind !== 'virtual' ? configPathOf(tree.parent.node) : undefined;
    if (leavesSearchPath(path)) {
      // The repository never reads such a path; say why rather than "not found".
      const written = d.kind === 'group' ? `${d.group}: ${getName(d)}` : d.path;
      fail('path-outside-search-path', `'${written}' leaves the config dir: a config name or defaults entry cannot contain ` +
        "'..' (the search path has no parent folder). Name configs relative to the config dir, or move the file into it.",
        d.valueOrigin ?? d.origin);
    }
    if (d.primary) {
      fail('missing-config', `Cannot find primary config '${d.path}'. Check that it's in your config search path (the config dir).`, d.origin);
    }
    if (d.kind === 'group') {
      const group = groupPath(d);
      const options = this.repo.groupOptions(group);
      const where = parentPath ? `In '${parentPath}': ` : '';
      const msg = this.repo.groupExists(group)
        ? `${where}Could not find '${path}'\n\nAvailable options in '${group}':\n${options.map((o) => '\t' + o).join('\n')}`
        : `${where}Could not load '${path}': the config group '${group}' does not exist.`;
      fail(this.repo.groupExists(group) ? 'missing-option' : 'missing-group', msg, d.valueOrigin ?? d.origin, {
        data: { options, group, option: getName(d) },
      });
    }
    fail('missing-config', `${parentPath ? `In '${parentPath}': ` : ''}Could not load '${path}': no such config file.`, d.origin);
  }
}

function fromEntry(e: DefaultsEntry): InputDefault {
  const d: InputDefault = { kind: e.kind, package: e.package, optional: e.optional, override: e.override, origin: e.origin };
  if (e.kind === 'group') {
    d.group = e.group!;
    d.value = e.value === undefined ? null : Array.isArray(e.value) ? [...e.value] : e.value;
  } else d.path = e.path!;
  if (e.keyOrigin) d.keyOrigin = e.keyOrigin;
  if (e.valueOrigin) d.valueOrigin = e.valueOrigin;
  return d;
}

function signal(e: ConfigError): Error {
  try {
    fail(e.code, e.message, e.origin, e);
  } catch (s) {
    return s as Error;
  }
}

function treeToList(tree: DefaultsTreeNode): ResolvedDefault[] {
  const out: ResolvedDefault[] = [];
  const visit = (t: DefaultsTreeNode | InputDefault, parentTree: DefaultsTreeNode | undefined) => {
    // A tree node has `node`; a leaf is the InputDefault itself.
    const asTree = 'kind' in t ? undefined : t;
    const node = asTree ? asTree.node : (t as InputDefault);
    if (node.deleted) return;
    if (asTree?.children) {
      for (const c of asTree.children) visit(c, asTree);
      return;
    }
    const rd = resultDefault(parentTree, node);
    if (rd) out.push(rd);
  };
  visit(tree, undefined);
  return out;
}

function resultDefault(tree: DefaultsTreeNode | undefined, node: InputDefault): ResolvedDefault | null {
  if (node.kind === 'virtual') return null;
  if (getName(node) === null || isMissingChoice(node)) return null;
  let res: ResolvedDefault;
  if (isSelf(node)) {
    const owner = tree!.node;
    const pn = tree!.parent?.node;
    res = {
      configPath: configPathOf(owner),
      isSelf: true,
      parent: pn && pn.kind !== 'virtual' ? configPathOf(pn) : null,
      package: finalPackage(owner),
      primary: owner.primary === true,
    };
    if (owner.origin) res.entryOrigin = owner.origin;
  } else {
    res = {
      configPath: configPathOf(node),
      isSelf: false,
      parent: tree && tree.node.kind !== 'virtual' ? configPathOf(tree.node) : null,
      package: finalPackage(node),
      primary: node.primary === true,
    };
    if (node.kind === 'group') res.overrideKey = overrideKey(node);
    if (node.origin) res.entryOrigin = node.origin;
  }
  if (res.configPath === '_dummy_empty_config_') return null;
  return res;
}
