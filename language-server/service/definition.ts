// Go to definition ("go to base"): a defaults item opens its file; a key jumps to the definition it
// overrides; `${a.b}` jumps to where `a.b` is set; `_target_` opens the workspace source of the class.
import type { Origin } from '../../runner/config/nodes.js';
import { definitionChain, entryAtComposedPath, nodeAtComposedPath, packagePath } from './composed.js';
import type { FileSystem } from './file-system.js';
import { originLocation } from './locate.js';
import { targetAt } from './navigation.js';
import type { ConfigProject, FileContext } from './project.js';
import { keyRangeAtPath, type PathSegment } from './yaml-syntax.js';
import { workspaceTarget } from './targets.js';
import type { PythonTargets } from '../python/targets.js';
import { targetOfNode } from '../python/composed-target.js';
import type { FileRange, Range } from './types.js';

const overlaps = (a: Range, b: Range) => a[0] <= b[1] && b[0] <= a[1];

function sameOrigin(a: Origin, b: Origin): boolean {
  if (a.kind !== 'file' || b.kind !== 'file') return false;
  return a.file === b.file && a.valueRange[0] === b.valueRange[0] && a.valueRange[1] === b.valueRange[1];
}

export function definition(project: ConfigProject, rel: string, offset: number, fs: FileSystem, workspaceRoot: string, python?: PythonTargets): FileRange[] {
  const t = targetAt(project, rel, offset);
  if (!t) return [];
  switch (t.kind) {
    case 'header':
      return [];
    case 'defaults':
      return t.file ? [{ path: project.absolute(t.file), range: [0, 0] }] : [];
    case 'target': {
      const value = python?.value(t.name);
      const found = (value && python!.location(value)) ?? workspaceTarget(fs, workspaceRoot, t.name);
      return found ? [found] : [];
    }
    case 'reference': {
      if (!t.context?.composition.result.config) return [];
      const root = t.context.composition.result.config;
      const entry = entryAtComposedPath(root, t.path);
      const node = nodeAtComposedPath(root, t.path);
      const loc = originLocation(project, entry?.keyOrigin ?? node?.origin);
      return loc ? [loc] : [];
    }
    case 'key': {
      if (!t.composedPath || !t.context?.composition.result.config) return [];
      const root = t.context.composition.result.config;
      const entry = entryAtComposedPath(root, t.composedPath);
      const node = entry?.node ?? nodeAtComposedPath(root, t.composedPath);
      if (!node) return [];
      const chain: Origin[] = [];
      for (const o of definitionChain(node, entry?.keyOrigin)) if (!chain.some((c) => sameOrigin(c, o))) chain.push(o);
      const mine = (o: Origin) => o.kind === 'file' && o.file === rel && overlaps(o.keyRange ?? o.valueRange, t.range);
      const mineAt = chain.findIndex(mine);
      // The definition this one overrides is the one before it in the chain; a key the composed config
      // does not attribute to this file (this file's value lost) goes to the winner instead.
      const before = mineAt > 0 ? chain[mineAt - 1] : mineAt < 0 ? chain[chain.length - 1] : undefined;
      const loc = originLocation(project, before) ?? earlierDefinition(project, rel, t.context, t.composedPath);
      if (loc) return [loc];
      // The first definition of a `_target_`'s parameter: its base is the Python parameter.
      const target = python && targetOfNode(root, t.composedPath.slice(0, -1));
      const param = target && python!.parameterLocation(target, String(t.composedPath[t.composedPath.length - 1]));
      return param ? [param] : [];
    }
  }
}

/**
 * The last file merged before this one that sets the same composed path, read from the defaults in merge
 * order. It covers mappings, whose merged node keeps no chain of the files that contributed keys.
 */
function earlierDefinition(project: ConfigProject, rel: string, context: FileContext, composedPath: PathSegment[]): FileRange | undefined {
  const defaults = context.composition.result.defaults;
  let stop = defaults.findIndex((d) => project.fileOf(d) === rel && d.isSelf);
  if (stop < 0) stop = defaults.findIndex((d) => project.fileOf(d) === rel);
  let found: FileRange | undefined;
  for (let i = 0; i < stop; i++) {
    const d = defaults[i]!;
    const file = project.fileOf(d);
    if (!file || file === rel) continue;
    const pkg = packagePath(d.package);
    if (pkg.some((p, j) => composedPath[j] !== p)) continue;
    const syntax = project.syntax(file);
    const range = syntax && keyRangeAtPath(syntax, composedPath.slice(pkg.length));
    if (range) found = { path: project.absolute(file), range };
  }
  return found;
}
