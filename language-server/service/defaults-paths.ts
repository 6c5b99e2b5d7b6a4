// Where a defaults-list item points, by Hydra's rules: a group or config path is relative to the folder of
// the file that lists it, unless it starts with `/`.
import type { ConfigProject } from './project.js';

export function folderOf(rel: string): string {
  const slash = rel.lastIndexOf('/');
  return slash < 0 ? '' : rel.slice(0, slash);
}

export function resolveGroup(fileRel: string, name: string): string {
  if (name.startsWith('/')) return name.replace(/^\/+/, '').replace(/\/+$/, '');
  const dir = folderOf(fileRel);
  return dir ? `${dir}/${name}` : name;
}

/** The file of a config name relative to the root (`.yaml` first, then `.yml`), or undefined. */
export function configFile(project: ConfigProject, configPath: string): string | undefined {
  for (const ext of ['.yaml', '.yml']) {
    if (project.source.read(configPath + ext) !== undefined) return configPath + ext;
  }
  return undefined;
}
