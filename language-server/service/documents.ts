// The document store: open editor buffers layered over the disk. Every config root gets a ConfigSource view of
// it, so an unsaved edit in one buffer changes what every composition that reads the file sees.
import type { ConfigSource } from '../../runner/config/source.js';
import type { FileSystem } from './file-system.js';

interface OpenDocument {
  text: string;
  version: number;
}

export class DocumentStore {
  private readonly open = new Map<string, OpenDocument>();
  private readonly diskText = new Map<string, string | undefined>();
  private readonly diskDirs = new Map<string, { files: string[]; dirs: string[] } | undefined>();
  /** Bumped on every change to a path, so caches keyed on `version()` see edits and disk changes alike. */
  private readonly generation = new Map<string, number>();
  private clock = 0;
  private readonly listeners: ((absPath: string) => void)[] = [];

  constructor(private readonly fs: FileSystem) {}

  /**
   * Calls `fn` after a path's text became known or changed, or was forgotten (read, prefetched, opened, edited,
   * closed, changed on disk): indexes over the text follow each file as it comes, never rescanning the tree.
   */
  onText(fn: (absPath: string) => void): void {
    this.listeners.push(fn);
  }

  /** The text of a path when it is in memory (`{ text: undefined }`: known to be missing); never reads. */
  cached(absPath: string): { text: string | undefined } | undefined {
    const doc = this.open.get(absPath);
    if (doc) return { text: doc.text };
    return this.diskText.has(absPath) ? { text: this.diskText.get(absPath) } : undefined;
  }

  isOpen(absPath: string): boolean {
    return this.open.has(absPath);
  }

  openPaths(): string[] {
    return [...this.open.keys()];
  }

  setOpen(absPath: string, text: string, version: number): void {
    const existedBefore = this.exists(absPath);
    this.open.set(absPath, { text, version });
    this.bump(absPath);
    if (!existedBefore) this.forgetListing(absPath);
    this.changed(absPath);
  }

  close(absPath: string): void {
    this.open.delete(absPath);
    this.diskText.delete(absPath);
    this.bump(absPath);
    this.forgetListing(absPath);
    this.changed(absPath);
  }

  /** The disk changed under a path (a watched-file event): drop what was cached about it. */
  diskChanged(absPath: string): void {
    this.diskText.delete(absPath);
    this.diskDirs.delete(absPath);
    this.forgetListing(absPath);
    this.bump(absPath);
    this.changed(absPath);
  }

  read(absPath: string): string | undefined {
    const doc = this.open.get(absPath);
    if (doc) return doc.text;
    if (!this.diskText.has(absPath)) {
      this.diskText.set(absPath, this.fs.readFile(absPath));
      this.changed(absPath);
    }
    return this.diskText.get(absPath);
  }

  /**
   * Reads files from disk off the main thread (a few at a time), so that the first request that needs the
   * whole tree's text (a group option's context: which final configs name it) finds it read. A file read
   * synchronously meanwhile, opened, or changed on disk keeps what it has: a late result never replaces it.
   */
  async prefetch(absPaths: readonly string[], parallel = 16): Promise<void> {
    const readAsync = this.fs.readFileAsync?.bind(this.fs);
    if (!readAsync) return;
    let next = 0;
    const worker = async () => {
      while (next < absPaths.length) {
        const p = absPaths[next++]!;
        if (this.open.has(p) || this.diskText.has(p)) continue;
        const before = this.version(p);
        const text = await readAsync(p);
        if (this.version(p) === before && !this.open.has(p) && !this.diskText.has(p)) {
          this.diskText.set(p, text);
          this.changed(p);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, absPaths.length) }, worker));
  }

  exists(absPath: string): boolean {
    return this.read(absPath) !== undefined;
  }

  /** Directory entries on disk plus open buffers that are not saved yet. */
  list(absDir: string): { files: string[]; dirs: string[] } | undefined {
    if (!this.diskDirs.has(absDir)) this.diskDirs.set(absDir, this.fs.readDir(absDir));
    const disk = this.diskDirs.get(absDir);
    const prefix = absDir.endsWith('/') ? absDir : absDir + '/';
    let files: Set<string> | undefined;
    let dirs: Set<string> | undefined;
    for (const p of this.open.keys()) {
      if (!p.startsWith(prefix)) continue;
      files ??= new Set(disk?.files);
      dirs ??= new Set(disk?.dirs);
      const rest = p.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash < 0) files.add(rest);
      else dirs.add(rest.slice(0, slash));
    }
    if (!files || !dirs) return disk;
    return { files: [...files].sort(), dirs: [...dirs].sort() };
  }

  version(absPath: string): number {
    return this.generation.get(absPath) ?? 0;
  }

  /** A ConfigSource over one config root (paths relative to it, '/'-separated, no leading slash). */
  sourceFor(root: string): ConfigSource {
    const abs = (p: string) => (p === '' ? root : `${root}/${p.replace(/^\/+/, '')}`);
    return {
      read: (p) => this.read(abs(p)),
      list: (d) => this.list(abs(d).replace(/\/+$/, '')),
      version: (p) => this.version(abs(p)),
    };
  }

  private changed(absPath: string): void {
    for (const fn of this.listeners) fn(absPath);
  }

  private bump(absPath: string): void {
    this.generation.set(absPath, ++this.clock);
  }

  private forgetListing(absPath: string): void {
    // A file that appears or disappears changes the listing of every directory above it.
    let dir = absPath;
    for (;;) {
      const slash = dir.lastIndexOf('/');
      if (slash <= 0) break;
      dir = dir.slice(0, slash);
      this.diskDirs.delete(dir);
    }
  }
}
