// `_target_` names: the ones the config tree already uses, and the workspace module a dotted name points at
// (`models.premise.MyModel` -> `models/premise.ts`, export `MyModel`), as the runner resolves it.
import { isScalar, visit } from 'yaml';
import type { FileSystem } from './file-system.js';
import type { ConfigProject } from './project.js';
import type { FileRange } from './types.js';

export interface TargetUse {
  name: string;
  file: string;
  offset: number;
}

/** Every `_target_` value written in the project's files, first use of each name. */
export function targetsInProject(project: ConfigProject): Map<string, TargetUse> {
  const out = new Map<string, TargetUse>();
  for (const file of project.configFiles()) {
    const syntax = project.syntax(file);
    if (!syntax) continue;
    visit(syntax.doc, {
      Pair(_, pair) {
        if (isScalar(pair.key) && pair.key.value === '_target_' && isScalar(pair.value) && typeof pair.value.value === 'string') {
          const name = pair.value.value;
          if (!out.has(name)) out.set(name, { name, file, offset: pair.value.range?.[0] ?? 0 });
        }
      },
    });
  }
  return out;
}

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

