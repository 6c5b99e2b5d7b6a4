// Hover: the composed value (and a preview of what it resolves to) with its provenance chain, newest first.
import { isInterpolation, type ConfigNode, type DictNode, type Origin } from '../../runner/config/nodes.js';
import { resolveNode } from './engine.js';
import { definitionChain, dotted, entryAtComposedPath, nodeAtComposedPath, shortValue } from './composed.js';
import { describeOrigin, originText } from './locate.js';
import { targetAt } from './navigation.js';
import type { ConfigProject, FileContext } from './project.js';
import { previewResolved } from './resolve-preview.js';
import { describeTarget, type TargetCheck } from './targets.js';
import type { Hover } from './types.js';
import type { PathSegment } from './yaml-syntax.js';

/** What `${oc.env:...}` and `${now:...}` see when a hover resolves a value. */
export interface ResolveEnv {
  env: Record<string, string | undefined>;
  now?: Date;
}

export function hover(project: ConfigProject, rel: string, offset: number, targets: TargetCheck, resolveEnv: ResolveEnv = { env: {} }): Hover | undefined {
  const t = targetAt(project, rel, offset);
  if (!t) return undefined;
  switch (t.kind) {
    case 'header':
      return { contents: headerDoc(t.value), range: t.range };
    case 'defaults': {
      const lines: string[] = [];
      if (t.file) lines.push(`Loads \`${t.file}\``);
      else if (t.item.name === '_self_') lines.push('This file\'s own content merges here.');
      else if (t.group) lines.push(`Group \`${t.group}\`${t.option === null ? ' (no option selected)' : ''}`);
      const ctx = project.context(rel);
      const loaded = ctx?.composition.result.defaults.find((d) => t.file && project.fileOf(d) === t.file);
      if (loaded) lines.push(`at package \`${loaded.package || '(root)'}\` in \`${ctx!.composition.name}\``);
      return lines.length ? { contents: lines.join('\n\n'), range: t.range } : undefined;
    }
    case 'target': {
      const info = targets.catalogue.lookup(t.name);
      if (info) return { contents: describeTarget(info, t.name), range: t.range };
      const source = targets.workspace(t.name);
      const where = source ? `defined in \`${source.path}\`` : 'not a built-in target and not found in the workspace';
      return { contents: `\`_target_\`: \`${t.name}\`, ${where}`, range: t.range };
    }
    case 'reference':
      if (!t.context) return undefined;
      return valueHover(project, t.context, t.path, t.span.range, resolveEnv);
    case 'key':
      if (!t.context || !t.composedPath) return undefined;
      return valueHover(project, t.context, t.composedPath, t.range, resolveEnv);
  }
}

function valueHover(project: ConfigProject, ctx: FileContext, path: PathSegment[], range: [number, number] | readonly [number, number], resolveEnv: ResolveEnv): Hover | undefined {
  const root = ctx.composition.result.config;
  if (!root) return undefined;
  const node = nodeAtComposedPath(root, path);
  const entry = entryAtComposedPath(root, path);
  if (!node) {
    return { contents: `**\`${dotted(path)}\`** is not in the composed config of \`${ctx.composition.name}\`.`, range: [range[0], range[1]] };
  }
  const lines = [`**\`${dotted(path)}\`** = \`${shortValue(node, 200)}\``];
  const resolved = resolvedText(root, node, path, resolveEnv);
  if (resolved) lines.push(resolved);
  lines.push(`in \`${ctx.composition.name}\``);
  lines.push(provenance(project, node, entry?.keyOrigin));
  return { contents: lines.join('\n\n'), range: [range[0], range[1]] };
}

/** How the value resolves, by the engine's resolver (as the run will see it); a failure says why. */
function resolvedText(root: DictNode, node: ConfigNode, path: PathSegment[], resolveEnv: ResolveEnv): string | undefined {
  if (!isInterpolation(node)) return undefined;
  try {
    const hydra = root.entries.get('hydra')?.node;
    const r = resolveNode(root, path, { env: resolveEnv.env, ...(resolveEnv.now ? { now: resolveEnv.now } : {}), ...(hydra?.kind === 'dict' ? { hydra } : {}) });
    if (r.errors.length) return `does not resolve: ${r.errors[0]!.message}`;
    if (r.node) return `resolves to \`${r.node.kind === 'scalar' && r.node.type === 'str' ? String(r.node.value) : shortValue(r.node, 200)}\``;
  } catch {
    // The engine's resolver failing outright falls back to following plain references here.
  }
  const preview = previewResolved(root, node, path);
  return preview === undefined ? undefined : `resolves to \`${preview}\``;
}

function provenance(project: ConfigProject, node: ConfigNode, keyOrigin?: Origin): string {
  const chain = definitionChain(node, keyOrigin).reverse();
  if (!chain.length) return '';
  return chain
    .map((o, i) => {
      const written = node.kind === 'scalar' ? originText(project, o) : undefined;
      const value = written !== undefined && written.length <= 80 ? `: \`${written}\`` : '';
      return `${i === 0 ? 'Set in' : 'overrides'} \`${describeOrigin(project, o)}\`${value}`;
    })
    .join('  \n');
}

function headerDoc(value: string): string {
  if (value === '_global_') return '`# @package _global_`: this file merges at the root of the config.';
  if (value === '_group_') return '`# @package _group_`: this file merges at its group\'s package.';
  if (value === '_here_') return '`# @package _here_`: this file merges where the including defaults list is.';
  return `\`# @package ${value}\`: this file merges at \`${value}\`.`;
}
