// The server's view of the disk, injected so the service runs over an in-memory tree in tests and over the real
// disk in the server (yaml-language-server's `fileSystem` option plays the same role).
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface FileSystem {
  /** The text of a file, or undefined when it does not exist or cannot be read. */
  readFile(absPath: string): string | undefined;
  /** File and sub-directory names of a directory, or undefined when it is not one. */
  readDir(absPath: string): { files: string[]; dirs: string[] } | undefined;
  /** The path with symlinks resolved (the Python crawl uses it to end symlink loops); absent: no links. */
  realPath?(absPath: string): string | undefined;
  /**
   * The text of a file read off the main thread (libuv's thread pool), for reading a whole tree at start-up
   * while requests are answered; absent: files are read synchronously when first needed.
   */
  readFileAsync?(absPath: string): Promise<string | undefined>;
}

export const nodeFileSystem: FileSystem = {
  readFile(absPath) {
    // Most failed reads are probes (the module paths a `_target_` may live in); a missing file costs
    // readFileSync an exception, which is several times dearer than asking whether it exists.
    if (!existsSync(absPath)) return undefined;
    try {
      return readFileSync(absPath, 'utf8');
    } catch {
      return undefined;
    }
  },
  readDir(absPath) {
    try {
      const files: string[] = [];
      const dirs: string[] = [];
      for (const e of readdirSync(absPath, { withFileTypes: true })) {
        if (e.name.startsWith('.')) continue;
        if (e.isDirectory()) dirs.push(e.name);
        else if (e.isFile()) files.push(e.name);
        else if (e.isSymbolicLink()) {
          // A link counts as what it points to; a dangling link is skipped.
          const sub = nodeFileSystem.readDir(join(absPath, e.name));
          if (sub) dirs.push(e.name);
          else if (nodeFileSystem.readFile(join(absPath, e.name)) !== undefined) files.push(e.name);
        }
      }
      return { files: files.sort(), dirs: dirs.sort() };
    } catch {
      return undefined;
    }
  },
  realPath(absPath) {
    try {
      return realpathSync(absPath);
    } catch {
      return undefined;
    }
  },
  async readFileAsync(absPath) {
    try {
      return await readFile(absPath, 'utf8');
    } catch {
      return undefined;
    }
  },
};

/** A whole tree in memory, keyed by absolute '/'-separated path. */
export class MemoryFileSystem implements FileSystem {
  readonly files = new Map<string, string>();
  constructor(files: Record<string, string> = {}) {
    for (const [p, t] of Object.entries(files)) this.files.set(p, t);
  }
  readFile(absPath: string): string | undefined {
    return this.files.get(absPath);
  }
  readDir(absPath: string): { files: string[]; dirs: string[] } | undefined {
    const prefix = absPath.endsWith('/') ? absPath : absPath + '/';
    const files = new Set<string>();
    const dirs = new Set<string>();
    for (const p of this.files.keys()) {
      if (!p.startsWith(prefix)) continue;
      const rest = p.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash < 0) files.add(rest);
      else dirs.add(rest.slice(0, slash));
    }
    if (!files.size && !dirs.size) return undefined;
    return { files: [...files].sort(), dirs: [...dirs].sort() };
  }
}
