// Document links: every defaults-list entry that names a file (`- /data_type/gnn@_here_`, `- model: mnist`,
// each option of `[a, b]`) links to that file, and every `_target_` the workspace defines links to its source.
import { isScalar, visit } from 'yaml';
import { configFile, resolveGroup } from './defaults-paths.js';
import type { ConfigProject } from './project.js';
import type { FileRange, Range } from './types.js';

export interface DocumentLink {
  range: Range;
  target: FileRange;
  tooltip: string;
}

export function documentLinks(project: ConfigProject, rel: string, target: (name: string) => FileRange | undefined): DocumentLink[] {
  const syntax = project.syntax(rel);
  if (!syntax) return [];
  const out: DocumentLink[] = [];
  const link = (range: Range, file: string | undefined, what: string) => {
    if (file) out.push({ range, target: { path: project.absolute(file), range: [0, 0] }, tooltip: `Open ${what} \`${file}\`` });
  };
  for (const item of syntax.defaults) {
    if (item.name === '_self_') continue;
    if (!item.isGroup) {
      link(item.nameRange, configFile(project, resolveGroup(rel, item.name)), 'config');
      continue;
    }
    const group = resolveGroup(rel, item.name);
    for (const o of item.options) {
      if (!o.text || o.text === '???' || o.text.includes('${')) continue;
      link(o.range, configFile(project, `${group}/${o.text}`), `option of \`${group}\``);
    }
  }
  visit(syntax.doc, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || pair.key.value !== '_target_' || !isScalar(pair.value) || typeof pair.value.value !== 'string') return;
      const r = pair.value.range;
      const name = pair.value.value;
      if (!r || name.includes('${')) return;
      const found = target(name);
      if (found) out.push({ range: [r[0], r[1]], target: found, tooltip: `Open the source of \`${name}\`` });
    },
  });
  return out.sort((a, b) => a.range[0] - b.range[0]);
}
