// The workspace's Python, as the server knows it without running Python: where modules live (the search roots
// Python would put on sys.path), a summary of each file parsed so far, and a background crawl that parses the
// whole workspace a slice at a time. Answers never wait for the crawl: a lookup parses the files it needs.
import type { Parser } from 'web-tree-sitter';
import type { FileSystem } from '../service/file-system.js';
import type { PyModuleSummary } from './model.js';
import { NameIndex } from './name-index.js';
import { loadPythonParser } from './parser.js';
import { sitePackages } from './site-packages.js';
import { summarizePython } from './summarize.js';

export interface PythonIndexOptions {
  fs: FileSystem;
  /** Workspace folders: each is a search root, and so is its `src/`. */
  folders: string[];
  /** `bait.pythonPath`: an interpreter whose site-packages are read on demand (never crawled). */
  pythonPath?: string;
  /** Called when what the index answers may have changed (parser ready, crawl slice done, file changed). */
  onChange?: () => void;
  /** The parser could not be loaded: Python answers stay "unknown" (never a false diagnostic). */
  onError?: (error: unknown) => void;
  /**
   * How the crawl lets requests run between two slices: the server's resumes once every queued message is
   * answered (handlers/incoming.ts); one event-loop turn (one message) when absent.
   */
  yieldNow?: () => Promise<void>;
}

/** A module as Python's import system finds it: its file (none for a namespace package) and package dirs. */
export interface ModuleRef {
  name: string;
  file?: string;
  /** The package's directories (its `__path__`); empty for a plain module. */
  dirs: string[];
  /** A compiled extension module: it exists, its names cannot be read. */
  opaque?: boolean;
  /** Found under site-packages rather than the workspace. */
  installed: boolean;
}

/** Folders never crawled: environments, caches, VCS data, dependencies. */
const SKIP_DIRS = new Set(['node_modules', '__pycache__', 'site-packages', 'dist-packages', 'build', 'dist', 'wandb', 'outputs', 'multirun', 'runs']);
const SLICE_MS = 8;
/** A workspace opened at a home folder must not crawl forever: lookups still answer past this. */
const MAX_CRAWL_FILES = 200_000;
const MAX_DEPTH = 24;

export class PythonIndex {
  private parser?: Parser;
  private readonly summaries = new Map<string, PyModuleSummary | null>();
  private readonly listings = new Map<string, { files: Set<string>; dirs: Set<string> } | null>();
  /** Every workspace .py file the crawl has seen, in crawl order. */
  readonly files = new Set<string>();
  /** Classes and functions of those files by name (sorted once the crawl ends). */
  readonly names = new NameIndex();
  private callArgsCache?: { generation: number; args: Set<string> };
  private rootsCache?: { generation: number; roots: readonly { dir: string; installed: boolean }[] };
  /** Directories of files with a Hydra entry point: Python puts the script's folder first on sys.path. */
  private readonly appDirs = new Set<string>();
  private site: string[];
  /** Bumped whenever an answer may change; caches over the index are keyed on it. */
  generation = 0;
  crawled = false;
  private readonly readyPromise: Promise<void>;
  private crawlPromise?: Promise<void>;
  private stopped = false;

  constructor(readonly options: PythonIndexOptions) {
    this.site = options.pythonPath ? sitePackages(options.fs, options.pythonPath) : [];
    this.readyPromise = loadPythonParser().then(
      (p) => {
        this.parser = p;
        this.changed();
      },
      (e: unknown) => options.onError?.(e),
    );
  }

  /** Resolves once the parser is loaded: from then on every lookup answers. */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  get isReady(): boolean {
    return this.parser !== undefined;
  }

  /** Crawls the workspace in the background (idempotent); resolves when every file has been summarized. */
  crawl(): Promise<void> {
    this.crawlPromise ??= this.readyPromise.then(() => this.runCrawl());
    return this.crawlPromise;
  }

  stop(): void {
    this.stopped = true;
  }

  /**
   * `bait.pythonPath` changed: the old interpreter's site-packages are forgotten (their summaries and listings),
   * the new one's are read on demand like the first's; every answer is recomputed.
   */
  setPythonPath(pythonPath: string | undefined): void {
    if ((pythonPath ?? '') === (this.options.pythonPath ?? '')) return;
    const old = this.site;
    const under = (p: string) => old.some((d) => p === d || p.startsWith(d + '/'));
    for (const f of [...this.summaries.keys()]) if (under(f)) this.summaries.delete(f);
    for (const d of [...this.listings.keys()]) if (under(d)) this.listings.delete(d);
    this.options.pythonPath = pythonPath;
    this.site = pythonPath ? sitePackages(this.options.fs, pythonPath) : [];
    this.changed();
  }

  /** Workspace search roots first (app folders, the folders, their `src/`), then site-packages. */
  roots(): readonly { dir: string; installed: boolean }[] {
    if (this.rootsCache?.generation !== this.generation) this.rootsCache = { generation: this.generation, roots: this.rootsNow() };
    return this.rootsCache.roots;
  }

  private rootsNow(): { dir: string; installed: boolean }[] {
    const ws = new Set<string>();
    for (const d of this.appDirs) ws.add(d);
    for (const f of this.options.folders) {
      ws.add(f);
      if (this.listing(f)?.dirs.has('src')) ws.add(`${f}/src`);
    }
    return [...[...ws].map((dir) => ({ dir, installed: false })), ...this.site.map((dir) => ({ dir, installed: true }))];
  }

  /** A directory's entries (cached until a file under it changes). */
  listing(dir: string): { files: Set<string>; dirs: Set<string> } | undefined {
    if (!this.listings.has(dir)) {
      const l = this.options.fs.readDir(dir);
      this.listings.set(dir, l ? { files: new Set(l.files), dirs: new Set(l.dirs) } : null);
    }
    return this.listings.get(dir) ?? undefined;
  }

  /** The summary of a file, parsed on first use; undefined before the parser is ready or if unreadable. */
  summary(file: string): PyModuleSummary | undefined {
    if (!this.parser) return undefined;
    let s = this.summaries.get(file);
    if (s === undefined) {
      const text = this.options.fs.readFile(file);
      s = text === undefined ? null : summarizePython(this.parser, text);
      this.summaries.set(file, s);
      if (s?.entryPoints.some((e) => e.call === 'main')) this.addAppDir(file);
    }
    return s ?? undefined;
  }

  /** Every summarized file with Hydra entry points (read during the crawl or by lookups). */
  entryPointFiles(): { file: string; summary: PyModuleSummary }[] {
    const out: { file: string; summary: PyModuleSummary }[] = [];
    for (const [file, s] of this.summaries) if (s?.entryPoints.length && !this.isInstalled(file)) out.push({ file, summary: s });
    return out.sort((a, b) => (a.file < b.file ? -1 : 1));
  }

  /**
   * What the workspace's code passes to `instantiate`/`call` beyond the config (see `callArgs`), once the crawl
   * has read every file; undefined before (a required parameter may still turn out to be passed in code).
   */
  callArgs(): ReadonlySet<string> | undefined {
    if (!this.crawled) return undefined;
    if (this.callArgsCache?.generation !== this.generation) {
      const args = new Set<string>();
      for (const file of this.files) for (const a of this.summaries.get(file)?.callArgs ?? []) args.add(a);
      this.callArgsCache = { generation: this.generation, args };
    }
    return this.callArgsCache.args;
  }

  isInstalled(file: string): boolean {
    return this.site.some((d) => file.startsWith(d + '/'));
  }

  /** A top-level module (`models`) found on the search roots, as Python's path finder would. */
  findTop(name: string): ModuleRef | undefined {
    return this.find(name, name, this.roots());
  }

  /** A submodule of a package (`models` + `resnet`). */
  findSub(parent: ModuleRef, name: string): ModuleRef | undefined {
    return this.find(`${parent.name}.${name}`, name, parent.dirs.map((dir) => ({ dir, installed: parent.installed })));
  }

  private find(full: string, name: string, roots: readonly { dir: string; installed: boolean }[]): ModuleRef | undefined {
    const portions: string[] = [];
    let installed = false;
    for (const { dir, installed: inst } of roots) {
      const l = this.listing(dir);
      if (!l) continue;
      if (l.dirs.has(name)) {
        const pkg = `${dir}/${name}`;
        const inner = this.listing(pkg);
        for (const init of ['__init__.py', '__init__.pyi']) {
          if (inner?.files.has(init)) return { name: full, file: `${pkg}/${init}`, dirs: [pkg], installed: inst };
        }
        // A namespace package: later roots may hold a regular package or module of the same name, which wins.
        portions.push(pkg);
        installed ||= inst;
      }
      for (const ext of ['.py', '.pyi']) if (l.files.has(name + ext)) return { name: full, file: `${dir}/${name}${ext}`, dirs: [], installed: inst };
      for (const f of l.files) {
        if (f.startsWith(name + '.') && /\.(so|pyd)$/.test(f)) return { name: full, dirs: [], opaque: true, installed: inst };
      }
    }
    return portions.length ? { name: full, dirs: portions, installed } : undefined;
  }

  /** A file changed on disk (or appeared, or went away). */
  fileChanged(path: string): void {
    this.summaries.delete(path);
    const slash = path.lastIndexOf('/');
    // A new or removed file changes its folder's listing (and a new package its parent's).
    for (let d = path.slice(0, slash); d.length > 0; d = d.slice(0, d.lastIndexOf('/'))) this.listings.delete(d);
    if (/\.pyi?$/.test(path) && !this.isInstalled(path)) {
      if (this.options.fs.readFile(path) === undefined) this.files.delete(path);
      else this.files.add(path);
      // The name index moves this file's entries now (a parse of one file), not on the next request.
      this.names.set(path, this.files.has(path) ? this.summary(path) : undefined);
    }
    this.changed();
  }

  private addAppDir(file: string): void {
    const dir = file.slice(0, file.lastIndexOf('/'));
    if (this.appDirs.has(dir) || this.isInstalled(file)) return;
    this.appDirs.add(dir);
    this.generation++;
  }

  private changed(): void {
    this.generation++;
    this.options.onChange?.();
  }

  /**
   * Walks every workspace folder (symlinks followed once: a folder reached again by its real path is skipped,
   * so loops end), summarizing each Python file, yielding to the event loop every few milliseconds.
   */
  private async runCrawl(): Promise<void> {
    const seen = new Set<string>();
    const queue: { dir: string; depth: number }[] = this.options.folders.map((dir) => ({ dir, depth: 0 }));
    let sliceStart = Date.now();
    const fs = this.options.fs;
    while (queue.length && !this.stopped) {
      const { dir, depth } = queue.shift()!;
      const real = fs.realPath?.(dir) ?? dir;
      if (seen.has(real) || depth > MAX_DEPTH) continue;
      seen.add(real);
      const l = this.listing(dir);
      if (!l) continue;
      for (const d of l.dirs) {
        if (d.startsWith('.') || SKIP_DIRS.has(d) || fs.readFile(`${dir}/${d}/pyvenv.cfg`) !== undefined) continue;
        queue.push({ dir: `${dir}/${d}`, depth: depth + 1 });
      }
      for (const f of l.files) {
        if (!f.endsWith('.py')) continue;
        const file = `${dir}/${f}`;
        if (this.files.size >= MAX_CRAWL_FILES) break;
        this.files.add(file);
        this.names.set(file, this.summary(file));
        if (Date.now() - sliceStart >= SLICE_MS) {
          await (this.options.yieldNow?.() ?? new Promise((resolve) => setImmediate(resolve)));
          sliceStart = Date.now();
        }
      }
    }
    this.names.seal();
    this.crawled = true;
    this.changed();
  }
}
