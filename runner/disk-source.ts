// The runner's ConfigSource: a config dir on disk. The config engine never touches the file system itself.
// Reads and listings are cached: a source is a consistent snapshot for the compositions of one command (a sweep
// composes every job against the same files), and repeated compositions cost no system calls. Call
// `refresh()` to see later changes.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import type { ConfigSource } from './config/source.js';

export class DiskSource implements ConfigSource {
  private texts = new Map<string, string | undefined>();
  private listings = new Map<string, { files: string[]; dirs: string[] } | undefined>();
  private generation = 0;

  constructor(readonly root: string) {}

  /** Forgets the snapshot so the next reads see the disk as it is now. */
  refresh(): void {
    this.texts.clear();
    this.listings.clear();
    this.generation++;
  }

  /** Whether a path stays inside the config dir (the engine refuses `..` already; this guards the disk). */
  private inside(path: string): boolean {
    const rel = relative(this.root, join(this.root, path));
    return !isAbsolute(rel) && rel !== '..' && !rel.startsWith('../');
  }

  read(path: string): string | undefined {
    if (this.texts.has(path)) return this.texts.get(path);
    let text: string | undefined;
    if (!this.inside(path)) return undefined;
    try {
      text = readFileSync(join(this.root, path), 'utf8');
    } catch {
      text = undefined;
    }
    this.texts.set(path, text);
    return text;
  }

  list(dir: string): { files: string[]; dirs: string[] } | undefined {
    if (this.listings.has(dir)) return this.listings.get(dir);
    const l = this.listUncached(dir);
    this.listings.set(dir, l);
    return l;
  }

  private listUncached(dir: string): { files: string[]; dirs: string[] } | undefined {
    let names: string[];
    if (!this.inside(dir)) return undefined;
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
    return this.read(path) === undefined ? undefined : this.generation;
  }
}
