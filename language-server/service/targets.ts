// `_target_` names: the built-in catalogue, and the workspace module a dotted name points at
// (`models.premise.MyModel` -> `models/premise.ts`, export `MyModel`), as the runner resolves it.
import type { PythonTargets } from '../python/targets.js';
import type { FileSystem } from './file-system.js';
import type { FileRange } from './types.js';

const MODULE_EXTS = ['.ts', '.mts', '.js', '.mjs'];

/** The workspace source of a dotted target, with the range of its export when found. */
export function workspaceTarget(fs: FileSystem, workspaceRoot: string, target: string): FileRange | undefined {
  const parts = target.split('.');
  // The last part is the export; the rest is the module path (a trailing `index` file counts too).
  for (let cut = parts.length - 1; cut >= 1; cut--) {
    const mod = parts.slice(0, cut).join('/');
    const names = parts.slice(cut);
    for (const candidate of MODULE_EXTS.flatMap((e) => [`${mod}${e}`, `${mod}/index${e}`])) {
      const path = `${workspaceRoot}/${candidate}`;
      const text = fs.readFile(path);
      if (text === undefined) continue;
      const exported = names[0]!;
      const re = new RegExp(`export\\s+(?:default\\s+)?(?:abstract\\s+)?(?:class|function\\*?|const|let|var|async\\s+function)\\s+(${exported.replace(/[$]/g, '\\$')})\\b`);
      const m = re.exec(text);
      if (m) {
        const start = m.index + m[0].length - exported.length;
        return { path, range: [start, start + exported.length] };
      }
      return { path, range: [0, 0] };
    }
  }
  return undefined;
}


/**
 * What the server knows of a built-in `_target_`: the runner's registry entries without their constructors
 * (runner/instantiate/registry.ts `TargetSpec` is structurally one of these).
 */
export interface TargetInfo {
  name: string;
  aliases: readonly string[];
  doc: string;
  params: Readonly<Record<string, { type: string; doc: string; required?: boolean }>>;
}

/** Hydra's instantiate keywords, valid in any `_target_` node. */
export const INSTANTIATE_KEYS = new Set(['_target_', '_args_', '_partial_', '_recursive_', '_convert_']);

export class TargetCatalogue {
  private readonly byName = new Map<string, TargetInfo>();
  constructor(readonly targets: readonly TargetInfo[] = []) {
    for (const t of targets) for (const n of [t.name, ...t.aliases]) this.byName.set(n, t);
  }
  get size(): number {
    return this.byName.size;
  }
  lookup(name: string): TargetInfo | undefined {
    return this.byName.get(name);
  }
  names(): string[] {
    return [...this.byName.keys()].sort();
  }
  /** A name under the first segment of one of our canonical names (`bait.`): only the catalogue can have it. */
  ownsNamespace(name: string): boolean {
    const head = name.split('.')[0]!;
    return this.targets.some((t) => t.name.split('.')[0] === head);
  }
}

export function describeTarget(t: TargetInfo, name: string): string {
  const lines = [`**\`${name}\`**${name !== t.name ? ` (built-in \`${t.name}\`)` : ' (built-in)'}`, t.doc];
  const params = Object.entries(t.params);
  if (params.length) {
    lines.push(params.map(([p, s]) => `- \`${p}\`: ${s.type}${s.required ? ', required' : ''} — ${s.doc}`).join('\n'));
  }
  return lines.join('\n\n');
}

/** Resolves `_target_` names for hovers and diagnostics. */
export interface TargetCheck {
  catalogue: TargetCatalogue;
  workspace: (name: string) => FileRange | undefined;
  /** The workspace's Python (and `bait.pythonPath`'s site-packages). */
  python?: PythonTargets;
}
