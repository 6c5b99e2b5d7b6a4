// All file access of the config engine goes through a ConfigSource, so the same engine reads the disk (runner),
// editor buffers over the disk (language server) or an in-memory tree (tests). Paths are '/'-separated and
// relative to the config dir (the root of the search path), without a leading slash: `db/mysql.yaml`.

export interface ConfigSource {
  /** The text of a file, or undefined when it does not exist. */
  read(path: string): string | undefined;
  /** The entries of a directory ('' is the root): file names with extension, and sub-directory names. */
  list(dir: string): { files: string[]; dirs: string[] } | undefined;
  /** A cheap change counter or undefined; caches are keyed on it. */
  version?(path: string): number | string | undefined;
}

/** An in-memory tree: `{ 'config.yaml': '...', 'db/mysql.yaml': '...' }`. */
export class MemorySource implements ConfigSource {
  private readonly files = new Map<string, string>();
  private readonly versions = new Map<string, number>();
  private clock = 0;
  constructor(files: Record<string, string> = {}) {
    for (const [p, t] of Object.entries(files)) this.files.set(p.replace(/^\/+/, ''), t);
  }
  set(path: string, text: string): void {
    const p = path.replace(/^\/+/, '');
    this.files.set(p, text);
    this.versions.set(p, ++this.clock);
  }
  delete(path: string): void {
    const p = path.replace(/^\/+/, '');
    this.files.delete(p);
    this.versions.set(p, ++this.clock);
  }
  version(path: string): number | undefined {
    return this.files.has(path) ? (this.versions.get(path) ?? 0) : undefined;
  }
  read(path: string): string | undefined {
    return this.files.get(path);
  }
  list(dir: string): { files: string[]; dirs: string[] } | undefined {
    const prefix = dir === '' ? '' : dir.replace(/\/+$/, '') + '/';
    const files = new Set<string>();
    const dirs = new Set<string>();
    let found = dir === '';
    for (const p of this.files.keys()) {
      if (!p.startsWith(prefix)) continue;
      found = true;
      const rest = p.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash < 0) files.add(rest);
      else dirs.add(rest.slice(0, slash));
    }
    return found ? { files: [...files].sort(), dirs: [...dirs].sort() } : undefined;
  }
}
