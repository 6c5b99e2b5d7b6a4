// Completions: inherited keys of the composed config at this file's package, defaults-list groups, options
// and keywords, `_target_` names, `${` key paths and resolvers, and `# @package` values.
import { completionContext, type CompletionContext } from './completion-context.js';
import { dotted, inheritedEntries, nodeAtComposedPath, packagePath, shortValue } from './composed.js';
import { configFile, folderOf, resolveGroup } from './defaults-paths.js';
import { describeOrigin } from './locate.js';
import type { ConfigProject } from './project.js';
import type { TargetUses } from './target-uses.js';
import { describeTarget, type TargetCatalogue } from './targets.js';
import type { CompletionItem } from './types.js';
import type { PythonTargets } from '../python/targets.js';
import { pythonParameterItems, pythonTargetItems } from '../python/completion.js';
import { keysAtPath, type PathSegment } from './yaml-syntax.js';

const RESOLVERS: [string, string][] = [
  ['oc.env', 'An environment variable: `${oc.env:NAME,default}`'],
  ['oc.select', 'A key with a default: `${oc.select:a.b,default}`'],
  ['oc.decode', 'Parses a string as a YAML value'],
  ['oc.create', 'Creates a config node from a dict or list'],
  ['oc.dict.keys', 'The keys of a dict node as a list'],
  ['oc.dict.values', 'The values of a dict node as a list'],
  ['now', 'The current time: `${now:%Y-%m-%d}`'],
  ['hydra', 'A key of the hydra node: `${hydra:runtime.cwd}`'],
];

/** `isIncomplete`: more items may come (the tree or the Python index is still being read): the client asks again. */
export interface CompletionResult {
  items: CompletionItem[];
  isIncomplete: boolean;
}

export function complete(project: ConfigProject, rel: string, offset: number, targets: TargetCatalogue, used: TargetUses, python?: PythonTargets): CompletionResult {
  const text = project.source.read(rel);
  if (text === undefined) return { items: [], isIncomplete: false };
  const ctx = completionContext(text, offset);
  if (ctx.kind === 'value' && ctx.path[ctx.path.length - 1] === '_target_') return targetValueItems(project, ctx, targets, used, python);
  return { items: itemsAt(project, rel, ctx, targets, python), isIncomplete: false };
}

function itemsAt(project: ConfigProject, rel: string, ctx: CompletionContext, targets: TargetCatalogue, python?: PythonTargets): CompletionItem[] {
  switch (ctx.kind) {
    case 'header':
      return headerItems(rel, ctx);
    case 'defaults-item':
      return defaultsItemItems(project, rel, ctx);
    case 'defaults-option':
      return optionItems(project, rel, ctx);
    case 'key':
      return keyItems(project, rel, ctx, targets, python);
    case 'value':
      return valueItems(project, rel, ctx);
    case 'interpolation':
      return interpolationItems(project, rel, ctx);
  }
}

function headerItems(rel: string, ctx: Extract<CompletionContext, { kind: 'header' }>): CompletionItem[] {
  const group = folderOf(rel).replace(/\//g, '.');
  const items: [string, string][] = [
    ['_global_', 'Merge this file at the root of the config'],
    ['_group_', 'The package of the file\'s group (the default)'],
    ['_here_', 'The package of the defaults list that includes it'],
  ];
  if (group) items.push([group, 'This file\'s group as an explicit package']);
  return items.map(([label, documentation]) => ({ label, kind: 'package', documentation, replace: ctx.replace }));
}

function defaultsItemItems(project: ConfigProject, rel: string, ctx: Extract<CompletionContext, { kind: 'defaults-item' }>): CompletionItem[] {
  const out: CompletionItem[] = [];
  const abs = ctx.prefix.startsWith('/');
  // `- /data_type/` and `- group/` list that folder: its configs and subfolders, written with the typed path.
  const typedFolder = ctx.prefix.includes('/') ? ctx.prefix.slice(0, ctx.prefix.lastIndexOf('/') + 1) : abs ? '/' : '';
  const folder = typedFolder.replace(/\/+$/, '');
  const dir = abs ? resolveGroup(rel, typedFolder) : folder ? resolveGroup(rel, folder) : folderOf(rel);
  const listing = project.source.list(dir);
  const mark = typedFolder;
  for (const g of listing?.dirs ?? []) {
    const path = dir ? `${dir}/${g}` : g;
    // Sweep specifications (BAIT's `sweeps/`) are W&B files, not config groups.
    if (project.isSweepFile(`${path}/x.yaml`)) continue;
    const options = project.source.list(path)?.files.filter((f) => /\.ya?ml$/.test(f)).length ?? 0;
    out.push({ label: mark + g, kind: 'group', detail: `group, ${options} option${options === 1 ? '' : 's'}`,
      insertText: `${mark}${g}: `, replace: ctx.replace, sortText: `1${g}` });
  }
  for (const f of listing?.files ?? []) {
    if (!/\.ya?ml$/.test(f)) continue;
    const path = dir ? `${dir}/${f}` : f;
    if (path === rel || project.isSweepFile(path)) continue;
    const name = f.replace(/\.ya?ml$/, '');
    out.push({ label: mark + name, kind: 'config', detail: path, replace: ctx.replace, sortText: `2${name}` });
  }
  if (!typedFolder) {
    out.push({ label: '_self_', kind: 'keyword', documentation: 'Where this file\'s own content merges (last when omitted)', replace: ctx.replace, sortText: '0_self_' });
    out.push({ label: 'override', kind: 'keyword', insertText: 'override ', documentation: 'Change the option of a group chosen earlier in the defaults tree', replace: ctx.replace, sortText: '3override' });
    out.push({ label: 'optional', kind: 'keyword', insertText: 'optional ', documentation: 'A group whose option may be missing', replace: ctx.replace, sortText: '3optional' });
  }
  return out;
}

function optionItems(project: ConfigProject, rel: string, ctx: Extract<CompletionContext, { kind: 'defaults-option' }>): CompletionItem[] {
  const group = resolveGroup(rel, ctx.group);
  const out: CompletionItem[] = [];
  for (const f of project.source.list(group)?.files ?? []) {
    if (!/\.ya?ml$/.test(f)) continue;
    const name = f.replace(/\.ya?ml$/, '');
    out.push({ label: name, kind: 'option', detail: `${group}/${f}`, replace: ctx.replace, sortText: `0${name}` });
  }
  if (!out.length && configFile(project, group) === undefined) return [];
  out.push({ label: 'null', kind: 'keyword', documentation: 'Select no option for this group', replace: ctx.replace, sortText: '1null' });
  out.push({ label: '???', kind: 'keyword', documentation: 'The option must be chosen (on the command line or by an including config)', replace: ctx.replace, sortText: '1???' });
  return out;
}

/**
 * The composed config and the package this file's keys land at. When the file does not compose as it stands
 * (the line being typed breaks it), it is composed with that line's value blanked out: same offsets, valid context.
 */
function composedAt(project: ConfigProject, rel: string, offset: number) {
  const ctx = project.context(rel);
  const clean = ctx?.composition.result.config && !ctx.composition.result.errors.length;
  if (ctx && clean) return { root: ctx.composition.result.config!, pkg: packagePath(ctx.loaded.package), composition: ctx.composition, defaults: ctx.composition.result.defaults };
  const text = project.source.read(rel);
  if (text !== undefined) {
    const start = offset > 0 ? text.lastIndexOf('\n', offset - 1) + 1 : 0;
    const nl = text.indexOf('\n', offset);
    const end = Math.max(start, nl < 0 ? text.length : nl);
    // Keep the line's `key:` so the mapping around it stays a mapping; blank what follows.
    const key = /^(\s*(?:-\s+)*[^\s:#'"][^:#]*:)(?=\s|$)/.exec(text.slice(start, end));
    const keep = start + (key ? key[1]!.length : 0);
    const blanked = text.slice(0, keep) + ' '.repeat(end - keep) + text.slice(end);
    const primary = ctx ? ctx.composition.name : rel;
    const result = project.composeWithText(primary, rel, blanked, ctx?.composition.overrides ?? []);
    const loaded = result.defaults.find((d) => project.fileOf(d) === rel);
    if (result.config && loaded) {
      return { root: result.config, pkg: packagePath(loaded.package), composition: { name: primary.replace(/\.ya?ml$/, '') }, defaults: result.defaults };
    }
  }
  if (!ctx?.composition.result.config) return undefined;
  return { root: ctx.composition.result.config, pkg: packagePath(ctx.loaded.package), composition: ctx.composition, defaults: ctx.composition.result.defaults };
}

function keyItems(project: ConfigProject, rel: string, ctx: Extract<CompletionContext, { kind: 'key' }>, targets: TargetCatalogue, python?: PythonTargets): CompletionItem[] {
  const out: CompletionItem[] = [];
  const syntax = project.syntax(rel);
  const present = syntax ? keysAtPath(syntax, ctx.path) : new Set<string>();
  present.delete(ctx.prefix);
  const at = composedAt(project, rel, ctx.replace[0]);
  if (at) {
    const composedPath = [...at.pkg, ...ctx.path];
    const node = nodeAtComposedPath(at.root, composedPath);
    const entries = node?.kind === 'dict'
      ? node.entries
      : inheritedEntries(at.defaults, (d) => project.fileOf(d), (f) => project.loadFile(f)?.node, rel, composedPath);
    for (const [key, entry] of entries) {
      if (present.has(key)) continue;
      const origin = entry.keyOrigin ?? entry.node.origin;
      if (origin?.kind === 'file' && origin.file === rel) continue;
      out.push({
        label: key,
        kind: 'key',
        detail: shortValue(entry.node),
        documentation: `Inherited from \`${describeOrigin(project, origin)}\` in \`${at.composition.name}\``,
        insertText: entry.node.kind === 'scalar' || entry.node.kind === 'list' ? `${key}: ` : `${key}:`,
        replace: ctx.replace,
        sortText: `0${key}`,
      });
    }
    // The parameters of the node's built-in `_target_` (as composed), those not set yet.
    const target = node?.kind === 'dict' ? node.entries.get('_target_')?.node : entries.get('_target_')?.node;
    const info = target?.kind === 'scalar' && typeof target.value === 'string' ? targets.lookup(target.value) : undefined;
    for (const [param, spec] of Object.entries(info?.params ?? {})) {
      if (present.has(param) || out.some((i) => i.label === param)) continue;
      out.push({ label: param, kind: 'key', detail: spec.type + (spec.required ? ', required' : ''),
        documentation: `Parameter of \`${info!.name}\`: ${spec.doc}`, insertText: `${param}: `, replace: ctx.replace, sortText: `1${param}` });
    }
    if (!info && python && target?.kind === 'scalar' && typeof target.value === 'string') {
      for (const item of pythonParameterItems(python, target.value, ctx.replace)) {
        if (present.has(item.label) || out.some((i) => i.label === item.label)) continue;
        out.push(item);
      }
    }
  }
  if (ctx.path.length === 0 && !present.has('defaults')) {
    out.push({ label: 'defaults', kind: 'keyword', insertText: 'defaults:', documentation: 'The defaults list: the configs this one is composed from', replace: ctx.replace, sortText: '1defaults' });
  }
  if (!present.has('_target_') && ctx.path.length > 0) {
    out.push({ label: '_target_', kind: 'keyword', insertText: '_target_: ', documentation: 'The class or function this node instantiates', replace: ctx.replace, sortText: '2_target_' });
  }
  return out;
}

/**
 * A `_target_` value: the built-in catalogue, the Python index's answer, and the names the config files use, from
 * the files read so far (never a read of the whole tree): incomplete until the tree and the Python index are read.
 */
function targetValueItems(project: ConfigProject, ctx: Extract<CompletionContext, { kind: 'value' }>, targets: TargetCatalogue, used: TargetUses, python?: PythonTargets): CompletionResult {
  const out: CompletionItem[] = [];
  for (const name of targets.names()) {
    const t = targets.lookup(name)!;
    out.push({ label: name, kind: 'target', detail: name === t.name ? 'built-in' : `built-in ${t.name}`, documentation: describeTarget(t, name), replace: ctx.replace, sortText: `0${name}` });
  }
  const seen = new Set(out.map((i) => i.label));
  if (python) for (const item of pythonTargetItems(python, ctx.prefix, ctx.replace)) if (!seen.has(item.label)) out.push(item), seen.add(item.label);
  const inTree = used.inProject(project);
  for (const t of inTree.uses.values()) {
    if (seen.has(t.name)) continue;
    out.push({ label: t.name, kind: 'target', detail: `used in ${t.file}`, replace: ctx.replace, sortText: `1${t.name}` });
  }
  return { items: out, isIncomplete: !inTree.complete || (python !== undefined && !python.index.crawled) };
}

function valueItems(project: ConfigProject, rel: string, ctx: Extract<CompletionContext, { kind: 'value' }>): CompletionItem[] {
  const out: CompletionItem[] = [];
  const at = composedAt(project, rel, ctx.replace[0]);
  const composedPath = at ? [...at.pkg, ...ctx.path] : [];
  let node = at ? nodeAtComposedPath(at.root, composedPath) : undefined;
  let what = 'current value';
  // The value on this very line is the one being typed (a new `batch_size: ` is null): offer what the
  // configs merged before this file give the key, the value the run would get without this line.
  const origin = node?.origin;
  if (at && origin?.kind === 'file' && origin.file === rel && lineOf(project, rel, origin.valueRange[0]) === lineOf(project, rel, ctx.replace[0])) {
    const inherited = inheritedEntries(at.defaults, (d) => project.fileOf(d), (f) => project.loadFile(f)?.node, rel, composedPath.slice(0, -1));
    node = inherited.get(String(composedPath[composedPath.length - 1]))?.node;
    what = 'inherited value';
  }
  if (node?.kind === 'scalar') {
    const v = shortValue(node, 1000);
    const text = node.type === 'str' ? String(node.value) : v;
    out.push({ label: text, kind: 'value', detail: `${what} (${describeOrigin(project, node.origin)})`, replace: ctx.replace, sortText: '0' });
    if (node.type === 'bool') {
      for (const b of ['true', 'false']) if (b !== text) out.push({ label: b, kind: 'value', replace: ctx.replace, sortText: '1' + b });
    }
  }
  if (!ctx.prefix || '${'.startsWith(ctx.prefix)) {
    out.push({ label: '${…}', kind: 'reference', insertText: '${', detail: 'interpolation', replace: ctx.replace, sortText: '9' });
  }
  return out;
}

function lineOf(project: ConfigProject, rel: string, offset: number): number {
  const text = project.source.read(rel) ?? '';
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function interpolationItems(project: ConfigProject, rel: string, ctx: Extract<CompletionContext, { kind: 'interpolation' }>): CompletionItem[] {
  const out: CompletionItem[] = [];
  const at = composedAt(project, rel, ctx.replace[0]);
  let prefix = ctx.prefix;
  let base: PathSegment[] = [];
  let resolverPrefix = false;
  const hydra = /^hydra:(.*)$/.exec(prefix);
  if (hydra) {
    base = ['hydra'];
    prefix = hydra[1]!;
  } else if (/^[\w.]*:/.test(prefix)) {
    return out;
  }
  const lastDot = prefix.lastIndexOf('.');
  const partial = prefix.slice(lastDot + 1);
  const head = lastDot < 0 ? '' : prefix.slice(0, lastDot);
  const replace: [number, number] = [ctx.replace[1] - partial.length, ctx.replace[1]];
  if (head.startsWith('.') || (head === '' && prefix.startsWith('.'))) {
    // Relative: one dot is the mapping holding this value, every further dot one level up.
    const container = [...(at?.pkg ?? []), ...ctx.path.slice(0, -1)];
    const dots = /^\.*/.exec(prefix)![0].length;
    const rest = prefix.slice(dots, lastDot < dots ? dots : lastDot).split('.').filter(Boolean);
    base = [...container.slice(0, Math.max(0, container.length - (dots - 1))), ...rest];
  } else {
    if (head) base = [...base, ...head.split('.')];
    resolverPrefix = !head && !hydra;
  }
  const node = at ? nodeAtComposedPath(at.root, base) : undefined;
  // The key whose value is being typed: `foo: ${foo}` would refer to itself.
  const own = at ? dotted([...at.pkg, ...ctx.path]) : undefined;
  if (node?.kind === 'dict') {
    for (const [key, entry] of node.entries) {
      if (!hydra && base.length === 0 && key === 'hydra') continue;
      if (!hydra && dotted([...base, key]) === own) continue;
      out.push({ label: key, kind: 'reference', detail: shortValue(entry.node),
        documentation: `\`${dotted([...base, key])}\` set in \`${describeOrigin(project, entry.keyOrigin ?? entry.node.origin)}\``,
        replace, sortText: `0${key}` });
    }
  }
  if (resolverPrefix) {
    for (const [name, documentation] of RESOLVERS) {
      out.push({ label: name, kind: 'resolver', insertText: `${name}:`, documentation, replace, sortText: `1${name}` });
    }
  }
  return out;
}
