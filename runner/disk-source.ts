// The runner's ConfigSource: a config dir on disk. The config engine never touches the file system itself.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigSource } from './config/source.js';

export class DiskSource implements ConfigSource {
  constructor(readonly root: string) {}

  read(path: string): string | undefined {
    try {
      return readFileSync(join(this.root, path), 'utf8');
    } catch {
      return undefined;
    }
  }

  list(dir: string): { files: string[]; dirs: string[] } | undefined {
    let names: string[];
    try {
      names = readdirSync(join(this.root, dir));
    } catch {
      return undefined;
    }
    const files: string[] = [];
    const dirs: string[] = [];
    for (const n of names) {
      try {
        (statSync(join(this.root, dir, n)).isDirectory() ? dirs : files).push(n);
      } catch {
        // A dangling link or a file removed while listing is simply not there.
      }
    }
    return { files: files.sort(), dirs: dirs.sort() };
  }

  version(path: string): number | undefined {
    try {
      const s = statSync(join(this.root, path));
      return s.mtimeMs * 1e6 + s.size;
    } catch {
      return undefined;
    }
  }
}
