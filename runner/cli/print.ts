// What `bait run --cfg ...` and `--info ...` print, as strings (the CLI writes them; tests compare them).

import { selectNode } from '../config/apply-override.js';
import type { ComposeResult } from '../config/compose.js';
import { hydraNode, jobConfig } from '../config/compose.js';
import type { DefaultsTreeNode, InputDefault } from '../config/defaults.js';
import { configPathOf, finalPackage } from '../config/defaults.js';
import { toJson, toYaml } from '../config/emit.js';
import type { ConfigError } from '../config/errors.js';
import { dict, type DictNode } from '../config/nodes.js';
import { resolveTree } from '../config/interpolation/resolve.js';
import { pythonStr } from '../config/interpolation/python.js';
import { nowFromEnv } from './resolve-run.js';

export interface PrintOptions {
  which: 'job' | 'hydra' | 'all';
  resolve: boolean;
  json: boolean;
  package?: string;
}

export function printComposed(cfg: DictNode, opts: PrintOptions, env: NodeJS.ProcessEnv = process.env): { text: string } | { errors: ConfigError[] } {
  let root: DictNode;
  if (opts.which === 'job') root = jobConfig(cfg);
  else if (opts.which === 'hydra') root = sanitizedHydra(cfg);
  else root = cfg;

  let pkg = opts.package;
  if (pkg === '_global_') pkg = undefined;
  if (pkg !== undefined && selectNode(root, pkg) === undefined) {
    return { errors: [{ code: 'override-key-missing', message: `The package '${pkg}' is not in the composed ${opts.which} config.` }] };
  }
  if (opts.resolve) {
    // As Hydra's show_cfg: the printed tree alone is resolved (the job config without `hydra`, whose values
    // `${hydra:...}` still reads), with OmegaConf.resolve's rule that reaching a `???` prints `???`.
    const r = resolveTree(root, { env, now: nowFromEnv(env), hydra: hydraNode(cfg), missingStaysMissing: true });
    const errors = pkg === undefined ? r.errors : r.errors.filter((e) => within(String(e.data?.key ?? ''), pkg!));
    if (errors.length) return { errors };
    root = r.node as DictNode;
  }
  const node = pkg === undefined ? root : selectNode(root, pkg)!;
  if (opts.json) return { text: toJson(node) + '\n' };
  if (node.kind === 'scalar') return { text: `${pythonStr(node)}\n` };
  return { text: (pkg !== undefined ? `# @package ${pkg}\n` : '') + toYaml(node) };
}

/** The hydra node as `--cfg hydra` shows it: Hydra's get_sanitized_hydra_cfg drops the two help texts. */
function sanitizedHydra(cfg: DictNode): DictNode {
  const h = dict();
  for (const [k, e] of hydraNode(cfg).entries) if (k !== 'help' && k !== 'hydra_help') h.entries.set(k, e);
  const root = dict();
  root.entries.set('hydra', { key: 'hydra', node: h });
  return root;
}

function within(key: string, prefix: string): boolean {
  return key === prefix || key.startsWith(prefix + '.') || key.startsWith(prefix + '[');
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
