// Hover: the composed value (and a preview of what it resolves to) with its provenance chain, newest first.
import { isInterpolation, type ConfigNode, type DictNode, type Origin } from '../../runner/config/nodes.js';
import { resolveNode } from './engine.js';
import { definitionChain, dotted, entryAtComposedPath, nodeAtComposedPath, shortValue } from './composed.js';
import { describeOrigin, originText } from './locate.js';
import { targetAt } from './navigation.js';
import type { Composition, ConfigProject, FileContext } from './project.js';
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
      if (loaded) lines.push(`at package \`${loaded.package || '(root)'}\` in ${contextLabel(ctx!.composition)}`);
      return lines.length ? { contents: lines.join('\n\n'), range: t.range } : undefined;
    }
    case 'target': {
      const info = targets.catalogue.lookup(t.name);
      const python = targets.python?.describe(t.name);
      if (info) return { contents: [describeTarget(info, t.name), python].filter(Boolean).join('\n\n---\n\n'), range: t.range };
      if (python) return { contents: python, range: t.range };
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
    return { contents: `**\`${dotted(path)}\`** is not in the composed config of ${contextLabel(ctx.composition)}.`, range: [range[0], range[1]] };
  }
  const lines = [`**\`${dotted(path)}\`** = \`${shortValue(node, 200)}\``];
  const resolved = resolvedText(root, node, path, resolveEnv);
  if (resolved) lines.push(resolved);
  lines.push(contextLine(project, ctx));
  lines.push(provenance(project, node, entry?.keyOrigin));
  return { contents: lines.join('\n\n'), range: [range[0], range[1]] };
}

/** How the value resolves, by the engine's resolver (as the run will see it); a failure says why. */
function resolvedText(root: DictNode, node: ConfigNode, path: PathSegment[], resolveEnv: ResolveEnv): string | undefined {
  if (!isInterpolation(node)) return undefined;
  try {
    const hydra = root.entries.get('hydra')?.node;
    const r = resolveNode(root, path, { env: resolveEnv.env, ...(resolveEnv.now ? { now: resolveEnv.now } : {}), ...(hydra?.kind === 'dict' ? { hydra } : {}) });
    const runtime = runTimeValue(root, node, resolveEnv);
    if (runtime && (r.errors.length || (r.node?.kind === 'scalar' && (r.node.type === 'null' || r.node.type === 'missing')))) return runtime;
    if (r.errors.length) return `does not resolve: ${r.errors[0]!.message}`;
    if (r.node) return `resolves to \`${r.node.kind === 'scalar' && r.node.type === 'str' ? String(r.node.value) : shortValue(r.node, 200)}\``;
  } catch {
    // The engine's resolver failing outright falls back to following plain references here.
  }
  const preview = previewResolved(root, node, path);
  return preview === undefined ? undefined : `resolves to \`${preview}\``;
}

/** `train` or `train` with `experiment=example`: the final config a value is composed in, as a run names it. */
export function contextLabel(c: Pick<Composition, 'name' | 'overrides'>): string {
  return `\`${c.name}\`${c.overrides.length ? ` with \`${c.overrides.join(' ')}\`` : ''}`;
}

/** Which final config the hover composed through, and how to pick another when several select this file. */
function contextLine(project: ConfigProject, ctx: FileContext): string {
  const own = ctx.loaded && project.fileOf(ctx.loaded) === ctx.composition.file && !ctx.composition.overrides.length;
  const line = own ? `in ${contextLabel(ctx.composition)}` : `composed through ${contextLabel(ctx.composition)}, a final config that selects this file`;
  const file = project.fileOf(ctx.loaded);
  // Counting the others needs every final config composed; while the tree is still being indexed, say nothing.
  const others = file !== undefined && project.indexed() ? project.contexts(file).length - 1 : 0;
  if (others <= 0) return line;
  return `${line} (${others} other final config${others === 1 ? '' : 's'} select it: pick one with **BAIT: Pick Config Context** in the status bar)`;
}

/**
 * `${hydra:runtime.output_dir}`, `${hydra:job.num}` and the like are filled in by Hydra when a run starts;
 * the composed config holds null there. Say so, and for the output dir show what a run would get.
 */
function runTimeValue(root: DictNode, node: ConfigNode, resolveEnv: ResolveEnv): string | undefined {
  if (node.kind !== 'scalar' || typeof node.value !== 'string') return undefined;
  const m = /\$\{hydra:((?:runtime|job)\.[\w.]+)\}/.exec(node.value);
  if (!m) return undefined;
  const key = m[1]!;
  if (key !== 'runtime.output_dir') return `\`hydra.${key}\` is set by Hydra when the run starts; the composed config has no value for it yet.`;
  const hydra = root.entries.get('hydra')?.node;
  const sweep = nodeAtComposedPath(root, ['hydra', 'sweep', 'dir']);
  let runDir: string | undefined;
  try {
    const r = resolveNode(root, ['hydra', 'run', 'dir'], { env: resolveEnv.env, ...(resolveEnv.now ? { now: resolveEnv.now } : {}), ...(hydra?.kind === 'dict' ? { hydra } : {}) });
    if (r.node?.kind === 'scalar' && !r.errors.length) runDir = String(r.node.value);
  } catch {
    runDir = undefined;
  }
  const written = nodeAtComposedPath(root, ['hydra', 'run', 'dir']);
  const run = runDir !== undefined ? `a run started now would get \`${runDir}\` (\`hydra.run.dir\`)`
    : `a run gets \`hydra.run.dir\`${written ? ` = \`${shortValue(written, 120)}\`` : ''}`;
  const multi = sweep ? '; each job of a sweep gets its own folder under `hydra.sweep.dir`' : '';
  return `set by Hydra when the run starts: the run's output directory; ${run}${multi}.`;
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
