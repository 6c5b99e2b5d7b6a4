// Diagnostics of one file: the engine's errors and warnings located in it, from the final configs that include
// it (or from the file composed on its own when none does), plus the server's own checks on composed configs:
// interpolations to keys that do not exist, `???` left unset in a final config, and sweep files whose
// parameters name keys the swept config does not have.
import type { ConfigError, ConfigWarning } from './engine.js';
import type { ConfigNode, DictNode } from '../../runner/config/nodes.js';
import { jobConfig, resolveTree } from './engine.js';
import { dotted, nodeAtComposedPath } from './composed.js';
import { folderOf, resolveGroup } from './defaults-paths.js';
import { interpolationSpans, referencePath, type InterpolationSpan } from './interpolation-text.js';
import { originLocation } from './locate.js';
import type { Composition, ConfigProject } from './project.js';
import { parseSweep, sweepTarget } from './sweep-file.js';
import { INSTANTIATE_KEYS, type TargetCheck } from './targets.js';
import { checkPythonTarget } from '../python/diagnostics.js';
import type { Diagnostic, Range } from './types.js';
import type { PathSegment } from './yaml-syntax.js';

/** Per composition, with the Python index generation the target checks saw (a .py edit changes them). */
const perComposition = new WeakMap<Composition, { python: number; map: Map<string, Diagnostic[]> }>();

/**
 * `quick`: only the compositions the file's context needs (itself, or the first final config that loads it),
 * for an open file while the rest of the tree is still being composed; otherwise every final config that
 * reads the file.
 */
export function fileDiagnostics(project: ConfigProject, rel: string, targets?: TargetCheck, quick = false): Diagnostic[] {
  if (project.isSweepFile(rel)) return sweepDiagnostics(project, rel);
  const readers = quick ? quickSources(project, rel) : project.includers(rel).filter((c) => c.final);
  const sources = readers.length ? readers : [project.composition(rel)];
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const limit = project.limit(rel);
  if (limit) {
    out.push({ range: limit.range, severity: 'information', code: 'analysis-limit', message: limit.message });
    // The engine's own parser overflowing on the same nesting says nothing more, and says it worse.
    seen.add('stack');
  }
  for (const c of sources) {
    for (const d of byFile(project, c, targets).get(rel) ?? []) {
      if (seen.has('stack') && /Maximum call stack/.test(d.message)) continue;
      const key = `${d.code}|${d.range[0]}|${d.range[1]}|${d.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(d);
    }
  }
  return out.map((d) => withSiblingOptions(project, rel, d)).sort((a, b) => a.range[0] - b.range[0]);
}

function quickSources(project: ConfigProject, rel: string): Composition[] {
  const out = new Set<Composition>();
  if (project.isFinal(rel)) out.add(project.composition(rel));
  const ctx = project.context(rel);
  if (ctx?.composition.final) out.add(ctx.composition);
  return [...out];
}

/**
 * A missing config inside a group folder (`- /data_type/gnnn@_here_`) is a typo of one of the folder's
 * configs as often as a missing group option is: give it the same options, so the same quick fix applies.
 */
function withSiblingOptions(project: ConfigProject, rel: string, d: Diagnostic): Diagnostic {
  if (d.code !== 'missing-config' || d.data?.options) return d;
  const item = project.syntax(rel)?.defaults.find((i) => !i.isGroup && i.range[0] <= d.range[1] && d.range[0] <= i.range[1]);
  if (!item) return d;
  const folder = folderOf(resolveGroup(rel, item.name));
  const options = (project.source.list(folder)?.files ?? [])
    .filter((f) => /\.ya?ml$/.test(f) && `${folder ? folder + '/' : ''}${f}` !== rel)
    .map((f) => f.replace(/\.ya?ml$/, ''));
  if (!options.length) return d;
  return { ...d, message: `${d.message}\n\nAvailable configs in '${folder || '/'}':\n\t${options.join('\n\t')}`, data: { options } };
}

/** Every diagnostic a composition yields, grouped by the file it is located in (computed once per composition). */
function byFile(project: ConfigProject, c: Composition, targets?: TargetCheck): Map<string, Diagnostic[]> {
  const python = targets?.python?.generation ?? 0;
  const hit = perComposition.get(c);
  if (hit && hit.python === python) return hit.map;
  const map = new Map<string, Diagnostic[]>();
  const add = (file: string, d: Diagnostic) => {
    let list = map.get(file);
    if (!list) map.set(file, (list = []));
    list.push(d);
  };
  for (const e of c.result.errors) {
    const d = fromError(project, e);
    add(e.origin?.kind === 'file' ? e.origin.file : c.file, d);
  }
  for (const w of c.result.warnings) {
    add(w.origin?.kind === 'file' ? w.origin.file : c.file, fromWarning(w));
  }
  // A file beyond the analysis budget gets the engine's errors only (budget.ts).
  const limited = [...c.reads].some((f) => project.limit(f));
  if (c.final && c.result.config && !limited) {
    const graph: RefGraph = { refs: new Map(), complex: false };
    checkReferences(project, c.result.config, c.result.config, [], add, graph);
    // The engine's resolver is the judge of cycles and resolvers, but it costs a full resolution per config:
    // run it only where the reference graph has a cycle or uses what this walk cannot follow.
    if (graph.complex || hasCycle(graph.refs)) checkResolution(c.result.config, add, project);
    if (targets?.catalogue.size || targets?.python) checkTargets(c.result.config, targets, add, true, c.name);
    const missing = missingValues(c.result.config, []);
    if (missing.length) {
      const range = project.syntax(c.file)?.header?.range ?? firstLine(project, c.file);
      add(c.file, {
        range, severity: 'warning', code: 'missing-value',
        message: `This final config leaves ${missing.map((p) => `\`${dotted(p)}\``).join(', ')} as \`???\`: set ${missing.length === 1 ? 'it' : 'them'} here or on the command line before running.`,
      });
    }
  }
  perComposition.set(c, { python, map });
  return map;
}

function firstLine(project: ConfigProject, rel: string): Range {
  const text = project.source.read(rel) ?? '';
  const nl = text.indexOf('\n');
  return [0, nl < 0 ? text.length : nl];
}

function fromError(project: ConfigProject, e: ConfigError): Diagnostic {
  const d: Diagnostic = { range: errorRange(e.origin), severity: 'error', code: e.code, message: e.message };
  if (e.related?.length) {
    d.related = [];
    for (const r of e.related) {
      const loc = originLocation(project, r.origin, false);
      if (loc) d.related.push({ location: loc, message: r.message });
    }
  }
  if (e.data?.options) d.data = { options: [...e.data.options] };
  return d;
}

function fromWarning(w: ConfigWarning): Diagnostic {
  return { range: errorRange(w.origin), severity: 'warning', code: 'warning', message: w.message };
}

function errorRange(origin: ConfigError['origin']): Range {
  if (origin?.kind !== 'file') return [0, 0];
  return [origin.valueRange[0], origin.valueRange[1]];
}

/**
 * `${a.b}` whose key does not exist in the composed config; reported where the interpolation is written.
 * One walk over the tree with a shared path stack (this runs over every final config of the workspace).
 */
const spanCache = new WeakMap<ConfigProject, Map<string, { version: unknown; byStart: Map<number, InterpolationSpan[]> }>>();

/**
 * The interpolation spans of a value as written, cached per file version: the same file's values are checked
 * once for every final config that includes it.
 */
function spansOf(project: ConfigProject, file: string, range: readonly [number, number]): InterpolationSpan[] | undefined {
  let files = spanCache.get(project);
  if (!files) spanCache.set(project, (files = new Map()));
  const version = project.source.version?.(file);
  let entry = files.get(file);
  if (!entry || entry.version !== version || version === undefined) files.set(file, (entry = { version, byStart: new Map() }));
  let spans = entry.byStart.get(range[0]);
  if (!spans) {
    const source = project.source.read(file)?.slice(range[0], range[1]);
    if (source === undefined) return undefined;
    spans = interpolationSpans(source, range[0]);
    entry.byStart.set(range[0], spans);
  }
  return spans;
}

interface RefGraph {
  /** Interpolated node (path key) -> the paths (keys) its plain references name. */
  refs: Map<string, string[]>;
  /** Something only the engine can follow: a resolver that reads keys, an unknown resolver, a nested `${`. */
  complex: boolean;
}

const SEP = '\u0001';
const SIMPLE_RESOLVERS = new Set(['oc.env', 'now', 'hydra']);
const KNOWN_RESOLVERS = new Set(['oc.env', 'oc.select', 'oc.decode', 'oc.create', 'oc.dict.keys', 'oc.dict.values', 'now', 'hydra']);

/**
 * A cycle among interpolated nodes, where a reference reaches a node at, under or above the path it names.
 * Linear in the size of the paths: instead of an edge from a reference to every node under or above the path
 * it names (quadratic on a large file), the graph gets two helper vertices per path prefix: `down:p` reaches
 * the node at p and `down:` of p's children; `up:p` reaches the node at p and `up:` of p's parent. A
 * reference to r goes to `down:r` and `up:parent(r)`. Helper edges only go down or only go up, so every
 * cycle passes through real nodes, and it exists exactly when the direct graph has one.
 */
export function hasCycle(refs: Map<string, string[]>): boolean {
  // Vertices are numbers: 3 per path (its node, `down:`, `up:`), so the graph lives in plain arrays.
  const ids = new Map<string, number>();
  const out: number[][] = [];
  const id = (path: string): number => {
    let i = ids.get(path);
    if (i === undefined) {
      ids.set(path, (i = out.length));
      out.push([], [], []);
    }
    return i;
  };
  const NODE = 0;
  const DOWN = 1;
  const UP = 2;
  const isNode = new Set<number>();
  // Chains every prefix of a path once: down:parent -> down:child, up:child -> up:parent.
  const chained = new Set<number>();
  const chain = (path: string) => {
    let child = path;
    while (child !== '') {
      const c = id(child);
      if (chained.has(c)) return;
      chained.add(c);
      const cut = child.lastIndexOf(SEP);
      const parent = cut < 0 ? '' : child.slice(0, cut);
      const p = id(parent);
      out[p + DOWN]!.push(c + DOWN);
      out[c + UP]!.push(p + UP);
      child = parent;
    }
  };
  for (const node of refs.keys()) {
    chain(node);
    const n = id(node);
    isNode.add(n);
    out[n + DOWN]!.push(n + NODE);
    out[n + UP]!.push(n + NODE);
  }
  for (const [node, named] of refs) {
    const n = id(node);
    for (const r of named) {
      if (r === '') continue;
      chain(r);
      out[n + NODE]!.push(id(r) + DOWN);
      const cut = r.lastIndexOf(SEP);
      out[n + NODE]!.push(id(cut < 0 ? '' : r.slice(0, cut)) + UP);
    }
  }
  // Iterative depth-first search (a deep reference chain must not overflow the stack).
  const state = new Uint8Array(out.length);
  const stack: number[] = [];
  const next: number[] = [];
  for (const start of isNode) {
    if (state[start]) continue;
    state[start] = 1;
    stack.push(start);
    next.push(0);
    while (stack.length) {
      const v = stack[stack.length - 1]!;
      const edges = out[v]!;
      const i = next[next.length - 1]!;
      if (i < edges.length) {
        next[next.length - 1] = i + 1;
        const w = edges[i]!;
        if (state[w] === 1) return true;
        if (state[w] === 0) {
          state[w] = 1;
          stack.push(w);
          next.push(0);
        }
      } else {
        state[v] = 2;
        stack.pop();
        next.pop();
      }
    }
  }
  return false;
}

function checkReferences(project: ConfigProject, root: ConfigNode, node: ConfigNode, path: PathSegment[], add: (file: string, d: Diagnostic) => void, graph: RefGraph): void {
  // forEach, not for-of over entries: this visits every node of every final config, and the entry arrays
  // for-of allocates dominate the walk.
  if (node.kind === 'dict') {
    node.entries.forEach((e, k) => {
      if (path.length === 0 && k === 'hydra') return;
      if (e.node.kind === 'scalar' && (e.node.type !== 'str' || typeof e.node.value !== 'string' || !e.node.value.includes('${'))) return;
      path.push(k);
      checkReferences(project, root, e.node, path, add, graph);
      path.pop();
    });
    return;
  }
  if (node.kind === 'list') {
    for (let i = 0; i < node.items.length; i++) {
      path.push(i);
      checkReferences(project, root, node.items[i]!, path, add, graph);
      path.pop();
    }
    return;
  }
  if (node.type !== 'str' || typeof node.value !== 'string' || !node.value.includes('${')) return;
  const o = node.origin;
  if (o?.kind !== 'file') return;
  const spans = spansOf(project, o.file, o.valueRange);
  if (!spans) return;
  const here = path.map(String).join(SEP);
  const named: string[] = [];
  graph.refs.set(here, named);
  for (const span of spans) {
    if (!span.closed) continue;
    if (span.inner.includes('${') || (span.resolver && !SIMPLE_RESOLVERS.has(span.resolver))) graph.complex = true;
    if (span.resolver && !KNOWN_RESOLVERS.has(span.resolver)) graph.complex = true;
    const ref = referencePath(span.inner, path.slice(0, -1));
    if (ref) named.push(ref.map(String).join(SEP));
    if (!ref || nodeAtComposedPath(root, ref)) continue;
    // The deepest existing mapping on the way names the keys the last segment could have meant.
    let depth = ref.length - 1;
    while (depth > 0 && !nodeAtComposedPath(root, ref.slice(0, depth))) depth--;
    const container = nodeAtComposedPath(root, ref.slice(0, depth));
    const options = container?.kind === 'dict' ? [...container.entries.keys()].filter((k) => depth > 0 || k !== 'hydra') : [];
    const d: Diagnostic = {
      range: span.range, severity: 'error', code: 'interpolation-key',
      message: `\`\${${span.inner.trim()}}\` refers to \`${dotted(ref)}\`, which the composed config does not have: check the key's spelling or define it.`,
    };
    const wrong = String(ref[depth]);
    const at = span.inner.lastIndexOf(wrong);
    if (options.length && depth === ref.length - 1 && at >= 0) {
      d.data = { options, replace: [span.innerStart + at, span.innerStart + at + wrong.length] };
    }
    add(o.file, d);
  }
}

/** Cycles and unknown resolvers, found by the engine's own resolver over the job config. */
function checkResolution(cfg: DictNode, add: (file: string, d: Diagnostic) => void, project: ConfigProject): void {
  const hydra = cfg.entries.get('hydra')?.node;
  let result;
  try {
    result = resolveTree(jobConfig(cfg), { env: {}, ...(hydra?.kind === 'dict' ? { hydra } : {}) });
  } catch {
    return;
  }
  for (const e of result.errors) {
    const keep = e.code === 'interpolation-cycle' || (e.code === 'interpolation-resolver' && /Unsupported interpolation type/.test(e.message));
    if (!keep || e.origin?.kind !== 'file') continue;
    const d = fromError(project, e);
    delete d.data;
    add(e.origin.file, d);
  }
}

/**
 * `_target_` names neither built in nor found in the workspace, and parameters a built-in target does not take.
 * Reported where they are written; the runner refuses both before building anything.
 */
function checkTargets(node: ConfigNode, targets: TargetCheck, add: (file: string, d: Diagnostic) => void, root: boolean, configName: string): void {
  if (node.kind === 'list') {
    for (const n of node.items) checkTargets(n, targets, add, false, configName);
    return;
  }
  if (node.kind !== 'dict') return;
  const target = node.entries.get('_target_');
  const name = target?.node.kind === 'scalar' && typeof target.node.value === 'string' ? target.node.value : undefined;
  if (name !== undefined && !name.includes('${')) {
    const info = targets.catalogue.lookup(name);
    const o = target!.node.origin;
    if (!info && !targets.workspace(name) && o?.kind === 'file') {
      // A Python target is checked against the workspace's sources; one that is not there (torch, lightning)
      // is left alone, unless it names one of the catalogue's own namespaces (`bait.`) or no module at all.
      const verdict = targets.python ? checkPythonTarget(targets.python, node, name, add, configName) : 'unknown';
      if (verdict === 'unknown' && targets.catalogue.size && (!targets.python || !name.includes('.') || targets.catalogue.ownsNamespace(name))) {
        add(o.file, { range: [o.valueRange[0], o.valueRange[1]], severity: 'warning', code: 'unknown-target',
          message: `\`${name}\` is not a built-in target and no workspace module exports it: the run would stop here. Check the name, or add the module under the workspace.` });
      }
    }
    if (info) {
      for (const [k, e] of node.entries) {
        if (INSTANTIATE_KEYS.has(k) || k in info.params) continue;
        const ko = e.keyOrigin ?? e.node.origin;
        if (ko?.kind !== 'file') continue;
        add(ko.file, { range: ko.keyRange ? [ko.keyRange[0], ko.keyRange[1]] : [ko.valueRange[0], ko.valueRange[1]], severity: 'warning', code: 'unknown-target-param',
          message: `\`${info.name}\` takes no parameter \`${k}\`; it takes ${Object.keys(info.params).map((p) => `\`${p}\``).join(', ')}.` });
      }
    }
  }
  for (const [k, e] of node.entries) if (!(root && k === 'hydra')) checkTargets(e.node, targets, add, false, configName);
}

function missingValues(node: ConfigNode, path: PathSegment[], out: PathSegment[][] = []): PathSegment[][] {
  if (node.kind === 'dict') {
    for (const [k, e] of node.entries) {
      if (path.length === 0 && k === 'hydra') continue;
      path.push(k);
      missingValues(e.node, path, out);
      path.pop();
    }
  } else if (node.kind === 'list') {
    for (let i = 0; i < node.items.length; i++) {
      path.push(i);
      missingValues(node.items[i]!, path, out);
      path.pop();
    }
  } else if (node.type === 'missing') out.push([...path]);
  return out;
}

function sweepDiagnostics(project: ConfigProject, rel: string): Diagnostic[] {
  const syntax = project.syntax(rel);
  if (!syntax) return [];
  const out: Diagnostic[] = syntax.doc.errors.map((e) => ({
    range: [e.pos[0], e.pos[1]] as Range, severity: 'error' as const, code: 'yaml-syntax', message: e.message.split('\n')[0]!,
  }));
  const spec = parseSweep(syntax);
  if (!spec) return out;
  const target = sweepTarget(project, spec, rel);
  if (!target) {
    if (spec.configName) {
      out.push({ range: spec.configName.range, severity: 'warning', code: 'missing-config',
        message: `No config named \`${spec.configName.text}\` under the config dir: name an existing config so the sweep can be checked and launched.` });
    }
    return out;
  }
  const config = project.composition(target).result.config;
  if (!config) return out;
  for (const p of spec.parameters) {
    if (nodeAtComposedPath(config, p.key.split('.'))) continue;
    out.push({ range: p.keyRange, severity: 'warning', code: 'sweep-unknown-key',
      message: `\`${p.key}\` is not a key of \`${target.replace(/\.ya?ml$/, '')}\`: the sweep would add it instead of changing a setting. Check the key path.` });
  }
  return out;
}
