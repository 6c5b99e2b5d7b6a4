// What `bait run --cfg ...` and `--info ...` print, as strings (the CLI writes them; tests compare them).

import { selectNode } from '../config/apply-override.js';
import type { ComposeResult } from '../config/compose.js';
import { hydraNode, jobConfig } from '../config/compose.js';
import type { DefaultsTreeNode, InputDefault } from '../config/defaults.js';
import { configPathOf, finalPackage } from '../config/defaults.js';
import { toJson, toYaml } from '../config/emit.js';
import type { ConfigError } from '../config/errors.js';
import { dict, type ConfigNode, type DictNode } from '../config/nodes.js';
import { resolveSelected } from './resolve-run.js';

export interface PrintOptions {
  which: 'job' | 'hydra' | 'all';
  resolve: boolean;
  json: boolean;
  package?: string;
}

export function printComposed(cfg: DictNode, opts: PrintOptions): { text: string } | { errors: ConfigError[] } {
  let root: DictNode;
  if (opts.which === 'job') root = jobConfig(cfg);
  else if (opts.which === 'hydra') {
    root = dict();
    root.entries.set('hydra', { key: 'hydra', node: hydraNode(cfg) });
  } else root = cfg;

  let pkg = opts.package;
  if (pkg === '_global_') pkg = undefined;
  let node: ConfigNode | undefined = pkg === undefined ? root : selectNode(root, pkg);
  if (node === undefined) {
    return { errors: [{ code: 'override-key-missing', message: `The package '${pkg}' is not in the composed ${opts.which} config.` }] };
  }
  if (opts.resolve) {
    // Resolve against the whole config so `${hydra:...}` and cross-package references work; then select.
    const selected = opts.which === 'job' ? [...cfg.entries.keys()].filter((k) => k !== 'hydra') : opts.which === 'hydra' ? ['hydra'] : [''];
    const prefixes = pkg === undefined ? selected : [opts.which === 'hydra' ? pkg : pkg];
    const r = resolveSelected(cfg, prefixes);
    if ('errors' in r) return r;
    const full = r.node;
    const base: DictNode =
      opts.which === 'job' ? jobConfig(full) : opts.which === 'hydra' ? (() => { const d = dict(); d.entries.set('hydra', { key: 'hydra', node: hydraNode(full) }); return d; })() : full;
    node = pkg === undefined ? base : selectNode(base, pkg)!;
  }
  if (opts.json) return { text: toJson(node!) + '\n' };
  if (node!.kind === 'scalar') return { text: `${node!.value}\n` };
  return { text: (pkg !== undefined ? `# @package ${pkg}\n` : '') + toYaml(node!) };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join(' | ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('-+-'), ...rows.slice(1).map(line)].join('\n') + '\n';
}

function treeLines(t: DefaultsTreeNode | InputDefault, depth: number, out: string[]): void {
  const node = 'kind' in t ? t : t.node;
  const children = 'kind' in t ? undefined : t.children;
  let label: string;
  if (node.kind === 'virtual') label = '<root>';
  else if (node.kind === 'config' && node.path === '_self_') label = '_self_';
  else if (node.kind === 'group') label = `${node.group}: ${Array.isArray(node.value) ? `[${node.value.join(', ')}]` : node.value}`;
  else label = configPathOf(node);
  if (node.deleted) label += ' (deleted)';
  else if (node.kind !== 'virtual' && !(node.kind === 'config' && node.path === '_self_')) {
    try {
      const pkg = finalPackage(node);
      if (pkg) label += ` @ ${pkg}`;
    } catch {
      // A node that never got a parent has no package to show.
    }
  }
  out.push(`${'  '.repeat(depth)}${label}`);
  for (const c of children ?? []) treeLines(c, depth + 1, out);
}

export function printSearchPath(configDir: string): string {
  return table([
    ['Provider', 'Search path'],
    ['hydra', 'pkg://hydra.conf (built in)'],
    ['main', `file://${configDir}`],
  ]);
}

export function printInfo(what: 'defaults' | 'defaults-tree' | 'config' | 'searchpath', r: ComposeResult, configDir: string): string {
  const searchpath = printSearchPath(configDir);
  const defaults = table([
    ['Config path', 'Package', 'Parent', '_self_'],
    ...r.defaults.map((d) => [d.configPath ?? '', d.package || '<root>', d.parent ?? '', d.isSelf ? 'yes' : '']),
  ]);
  if (what === 'searchpath') return searchpath;
  if (what === 'defaults') return defaults;
  if (what === 'defaults-tree') {
    const lines: string[] = [];
    if (r.tree) treeLines(r.tree, 0, lines);
    return lines.join('\n') + '\n';
  }
  return `Config search path\n${searchpath}\nDefaults list\n${defaults}\nComposed config\n${toYaml(jobConfig(r.config!))}`;
}
