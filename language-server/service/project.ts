// One config root (a config dir) as the server sees it: the files in it, every file composed as a primary
// config, and which compositions include which file. Compositions are cached and recomposed only when a file
// they read changes, which is what keeps an edit cheap on a large tree.
import { compose, Repository, type ComposeResult, type ConfigSource, type LoadedConfig, type ResolvedDefault } from './engine.js';
import type { DocumentStore } from './documents.js';
import { analysisLimit, type AnalysisLimit } from './budget.js';
import { folderOf, resolveGroup } from './defaults-paths.js';
import { parseHeader, parseSyntax, type FileSyntax } from './yaml-syntax.js';

export interface Composition {
  /** The primary config's path relative to the root (`premise_selection/hol4/gnn.yaml`). */
  file: string;
  /** Its config name as Hydra takes it (`premise_selection/hol4/gnn`), or the root config it runs on. */
  name: string;
  /** Overrides that select the file on top of `name` (`experiment=example`); empty for a primary config. */
  overrides: string[];
  result: ComposeResult;
  /** Every file the composition read, for invalidation. */
  reads: Set<string>;
  /** A final config: `# @package _global_` (BAIT's final configs) or a file at the root of the config dir. */
  final: boolean;
  /** A final config that composes without errors: it gets the Run/Sweep lenses. */
  runnable: boolean;
}

export interface FileContext {
  composition: Composition;
  /** The defaults-tree node that loaded the file (its package is where the file's keys land). */
  loaded: ResolvedDefault;
}

export interface ProjectOptions {
  versionBase: '1.1' | null;
}

const CONFIG_EXT = /\.ya?ml$/;

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * How a defaults list names a config (`db/mysql`): as a group option (`db: mysql`, `/db@x: [a, mysql]`,
 * `override db: mysql`) or as a path (`- /db/mysql`, `- mysql` beside it). Only ranks candidates: a miss
 * costs composing more configs, never a wrong answer.
 */
function namingPattern(config: string): RegExp {
  const slash = config.lastIndexOf('/');
  const option = escapeRe(config.slice(slash + 1));
  if (slash < 0) return new RegExp(`(^|[\\s/-])${option}(@[\\w.]*)?\\s*$`, 'm');
  const group = escapeRe(config.slice(0, slash).split('/').pop()!);
  return new RegExp(`(\\b${group}(@[\\w.]*)?\\s*:[^\\n#]*\\b${option}\\b)|(\\b${group}/${option}\\b)`);
}

export class ConfigProject {
  readonly source: ConfigSource;
  /** The engine's repository, shared by every composition so each file is parsed once per version. */
  readonly repository: Repository;
  private files?: string[];
  private readonly compositions = new Map<string, Composition>();
  private readonly syntaxCache = new Map<string, { version: unknown; syntax: FileSyntax | undefined }>();
  private readonly limitCache = new Map<string, { version: unknown; limit: AnalysisLimit | undefined }>();
  /**
   * The last context in which a file composed cleanly. Half-typed text rarely composes, and completion is
   * asked exactly then, so features fall back to the last good composition while the file is broken.
   */
  /** File -> compositions that read it; rebuilt after any composition changes. */
  private readers?: Map<string, Composition[]>;
  private patches = 0;
  /** Bumped by every invalidation; caches over the whole tree are keyed on it. */
  generation = 0;
  private readonly lastGood = new Map<string, FileContext>();
  private groupsOfRoots?: { generation: number; groups: Set<string> };
  /** The final config the user picked as a file's context (by its file), when several include it. */
  private readonly chosen = new Map<string, string>();
  /**
   * The context found for a file, until the tree changes (`generation`) or the user picks another: finding it
   * walks the final configs in context order, which every hover and completion would otherwise repeat.
   */
  private readonly contextCache = new Map<string, { generation: number; context: FileContext | undefined }>();
  /** Whether a file is a final config, per version of its text (read from its header). */
  private readonly finalCache = new Map<string, { version: unknown; final: boolean }>();

  constructor(
    readonly root: string,
    private readonly store: DocumentStore,
    private readonly options: ProjectOptions,
  ) {
    this.source = store.sourceFor(root);
    this.repository = new Repository(this.source, { versionBase: options.versionBase });
  }

  /** The user file a resolved default loaded (`db/mysql` -> `db/mysql.yaml`); undefined for Hydra's own. */
  fileOf(d: ResolvedDefault): string | undefined {
    if (d.configPath === null) return undefined;
    const found = this.repository.findFile(d.configPath);
    return found && !found.builtin ? found.path : undefined;
  }

  /** Path relative to the root, or undefined when the file is outside it. */
  relative(absPath: string): string | undefined {
    const prefix = this.root.endsWith('/') ? this.root : this.root + '/';
    return absPath.startsWith(prefix) ? absPath.slice(prefix.length) : undefined;
  }

  absolute(rel: string): string {
    return `${this.root}/${rel}`;
  }

  /** Every config file under the root, sorted. */
  configFiles(): string[] {
    if (!this.files) {
      const out: string[] = [];
      const walk = (dir: string, depth: number) => {
        const entries = this.source.list(dir);
        if (!entries || depth > 32) return;
        for (const f of entries.files) if (CONFIG_EXT.test(f)) out.push(dir ? `${dir}/${f}` : f);
        for (const d of entries.dirs) walk(dir ? `${dir}/${d}` : d, depth + 1);
      };
      walk('', 0);
      this.files = out.sort();
    }
    return this.files;
  }

  /** BAIT's W&B sweep specifications live under `sweeps/`; they are not Hydra configs. */
  isSweepFile(rel: string): boolean {
    return rel.startsWith('sweeps/') || rel.includes('/sweeps/');
  }

  /**
   * The parsed syntax of a file (cached on the store's version of it); undefined for a file beyond the
   * analysis budget (see `limit`), so every feature built on the syntax tree degrades to nothing there.
   */
  syntax(rel: string): FileSyntax | undefined {
    const version = this.source.version?.(rel);
    const hit = this.syntaxCache.get(rel);
    if (hit && hit.version === version) return hit.syntax;
    const text = this.source.read(rel);
    if (text === undefined) return undefined;
    const syntax = analysisLimit(text) ? undefined : parseSyntax(text);
    this.syntaxCache.set(rel, { version, syntax });
    return syntax;
  }

  /** Why a file gets composition errors only (too large, nested too deep), or undefined for full analysis. */
  limit(rel: string): AnalysisLimit | undefined {
    const version = this.source.version?.(rel);
    const hit = this.limitCache.get(rel);
    if (hit && hit.version === version && version !== undefined) return hit.limit;
    const text = this.source.read(rel);
    const limit = text === undefined ? undefined : analysisLimit(text);
    this.limitCache.set(rel, { version, limit });
    return limit;
  }

  loadFile(rel: string): LoadedConfig | null {
    return this.repository.load(rel);
  }

  /** `rel` composed as the primary config, cached until a file it read changes. */
  composition(rel: string): Composition {
    let c = this.compositions.get(rel);
    if (!c) {
      const final = this.isFinal(rel);
      let name = rel.replace(CONFIG_EXT, '');
      let overrides: string[] = [];
      // A global config in a group that a root config selects (`- debug: null` in train.yaml) is an option
      // run as `train debug=fdr`, not a config run on its own: compose it on top of that root config.
      const option = final && rel.includes('/') && this.selectedGroups().has(folderOf(rel));
      const hostedFirst = option ? this.hostedComposition(rel) : undefined;
      let result = hostedFirst ? hostedFirst.result : this.composeNamed(name, overrides);
      if (hostedFirst) ({ name, overrides } = hostedFirst);
      // A global config in a group folder whose `override` entries match nothing on its own is an option
      // that runs on top of a root config (`experiment=example` in lightning-hydra-template): compose it so.
      if (!hostedFirst && final && rel.includes('/') && result.errors.length && result.errors.every((e) => e.code === 'override-not-found')) {
        const hosted = this.hostedComposition(rel);
        if (hosted) ({ name, overrides, result } = hosted);
      }
      // The defaults tree is only for `--info defaults-tree`; a large workspace keeps a thousand compositions.
      delete result.tree;
      if (!final) {
        // Only a primary config gets Hydra's "missing _self_" warning; this file is not one in real use.
        result.warnings = result.warnings.filter((w) => !/missing `_self_`/.test(w.message));
      }
      const reads = new Set(result.filesRead.map((f) => f.replace(/^\/+/, '')));
      reads.add(rel);
      // A composition that failed part-way reports no files read; the files its errors point into are
      // read all the same, and it must be recomposed on any edit (it may have read more than we know).
      for (const e of result.errors) {
        if (e.origin?.kind === 'file') reads.add(e.origin.file);
        for (const r of e.related ?? []) if (r.origin.kind === 'file') reads.add(r.origin.file);
      }
      c = { file: rel, name, overrides, result, reads, final, runnable: final && !!result.config && result.errors.length === 0 };
      if (final) this.readers = undefined;
      this.compositions.set(rel, c);
    }
    return c;
  }

  private composeNamed(name: string, overrides: string[]): ComposeResult {
    return compose({ source: this.source, configName: name, overrides, versionBase: this.options.versionBase, repository: this.repository });
  }

  /** `rel` (`experiment/example.yaml`) selected as `experiment=example` on the first root config that takes it. */
  private hostedComposition(rel: string): { name: string; overrides: string[]; result: ComposeResult } | undefined {
    const slash = rel.lastIndexOf('/');
    const override = `${rel.slice(0, slash)}=${rel.slice(slash + 1).replace(CONFIG_EXT, '')}`;
    const roots = this.configFiles().filter((f) => !f.includes('/'));
    for (const root of roots) {
      const name = root.replace(CONFIG_EXT, '');
      const result = this.composeNamed(name, [override]);
      if (result.config && !result.errors.length) return { name, overrides: [override], result };
    }
    return undefined;
  }

  /** Groups (folders) the root configs' defaults lists select an option of (`- debug: null` -> `debug`). */
  selectedGroups(): Set<string> {
    if (!this.groupsOfRoots || this.groupsOfRoots.generation !== this.generation) {
      const groups = new Set<string>();
      for (const root of this.configFiles()) {
        if (root.includes('/')) continue;
        for (const item of this.syntax(root)?.defaults ?? []) {
          if (item.isGroup) groups.add(resolveGroup(root, item.name));
        }
      }
      this.groupsOfRoots = { generation: this.generation, groups };
    }
    return this.groupsOfRoots.groups;
  }

  /**
   * A final config: `# @package _global_` (BAIT's runnable configs) or a file at the root of the config dir
   * (Hydra's usual primary config). Read from the header alone, without parsing the file.
   */
  isFinal(rel: string): boolean {
    if (this.isSweepFile(rel)) return false;
    if (!rel.includes('/')) return true;
    const version = this.source.version?.(rel);
    const hit = this.finalCache.get(rel);
    if (hit && version !== undefined && hit.version === version) return hit.final;
    const text = this.source.read(rel);
    const final = text !== undefined && parseHeader(text)?.value === '_global_';
    // Read after the text: reading a file for the first time bumps nothing, but a cached answer must match
    // the version the text was read at.
    this.finalCache.set(rel, { version: this.source.version?.(rel), final });
    return final;
  }

  /**
   * `primary` composed with `rel` read as `text` instead of its real content; nothing is cached. Completion
   * uses it to compose around the line being typed when that line breaks the file. A file that runs on top
   * of a root config is composed there with its selecting overrides.
   */
  composeWithText(primary: string, rel: string, text: string, overrides: string[] = []): ComposeResult {
    const base = this.source;
    const tag = `patched:${++this.patches}`;
    const source: ConfigSource = {
      read: (p) => (p === rel ? text : base.read(p)),
      list: (d) => base.list(d),
      version: (p) => (p === rel ? tag : base.version?.(p)),
    };
    return compose({ source, configName: primary.replace(CONFIG_EXT, ''), overrides, versionBase: this.options.versionBase,
      repository: new Repository(source, { versionBase: this.options.versionBase }) });
  }

  /** Compositions of every final config: what includers, lenses and diagnostics are computed from. */
  allCompositions(): Composition[] {
    return this.configFiles().filter((f) => this.isFinal(f)).map((f) => this.composition(f));
  }

  runnableConfigs(): Composition[] {
    return this.allCompositions().filter((c) => c.runnable);
  }

  /**
   * The composition a file is seen in: the file itself when it is runnable, else the first runnable config
   * that includes it (its own folder first), else the file composed on its own.
   */
  context(rel: string): FileContext | undefined {
    if (this.isSweepFile(rel)) return undefined;
    const found = this.findContext(rel);
    if (found && found.composition.result.errors.length === 0) {
      this.lastGood.set(rel, found);
      return found;
    }
    return this.lastGood.get(rel) ?? found;
  }

  private findContext(rel: string): FileContext | undefined {
    const hit = this.contextCache.get(rel);
    if (hit && hit.generation === this.generation) return hit.context;
    const context = this.searchContext(rel);
    this.contextCache.set(rel, { generation: this.generation, context });
    return context;
  }

  private searchContext(rel: string): FileContext | undefined {
    const picked = this.chosen.get(rel);
    const pickedContext = picked !== undefined ? this.contexts(rel).find((c) => c.composition.file === picked) : undefined;
    const found = pickedContext ?? this.ownContext(rel) ?? this.firstIncluder(rel);
    if (found) return found;
    // Not part of any runnable config: the file composed on its own.
    const own = this.composition(rel);
    const loaded = this.loadedIn(own, rel);
    return loaded ? { composition: own, loaded } : undefined;
  }

  private loadedIn(c: Composition, rel: string): ResolvedDefault | undefined {
    return c.result.defaults.find((d) => this.fileOf(d) === rel);
  }

  /** The file itself, when it is a runnable final config. */
  private ownContext(rel: string): FileContext | undefined {
    if (!this.isFinal(rel)) return undefined;
    const own = this.composition(rel);
    const loaded = own.runnable ? this.loadedIn(own, rel) : undefined;
    return loaded ? { composition: own, loaded } : undefined;
  }

  /**
   * Final configs in the order a file's contexts are offered: its own folder's first, then configs run as they
   * are before options of selected groups, then those whose text names the file (`- /g0: o7` names `o7`), then by path. The textual test is only an order: it lets the
   * first context be found by composing a handful of configs while the whole tree is still being indexed.
   */
  private contextOrder(rel: string, finals: readonly Composition[] | readonly string[]): string[] {
    const dir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/') + 1) : '';
    const names = namingPattern(rel.replace(CONFIG_EXT, ''));
    const files = finals.map((f) => (typeof f === 'string' ? f : f.file)).filter((f) => f !== rel);
    // Options of a group a root config selects (`debug/default.yaml`, run as `train debug=default`) come after
    // the configs that are run as they are: a file is seen in `train` before `train debug=default`.
    const options = this.selectedGroups();
    const rank = (f: string) => (f.startsWith(dir) ? 0 : 4) + (options.has(folderOf(f)) ? 2 : 0) + (names.test(this.source.read(f) ?? '') ? 0 : 1);
    const ranks = new Map(files.map((f) => [f, rank(f)]));
    return files.sort((a, b) => ranks.get(a)! - ranks.get(b)! || (a < b ? -1 : 1));
  }

  /**
   * `contextOrder` over every final config, produced lazily: within each rank, the files that name `rel` come
   * as they are found, in path order, so the first context is usually found after reading a few files, not
   * the whole tree (on a fresh start, before the tree is read and composed).
   */
  private *finalsInContextOrder(rel: string): Generator<string> {
    const dir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/') + 1) : '';
    const names = namingPattern(rel.replace(CONFIG_EXT, ''));
    const options = this.selectedGroups();
    // The files by rank in one pass (in path order within each); a folder's rank is the same for all its files.
    const ranks: string[][] = [[], [], [], []];
    let folder: string | undefined;
    let rank = 0;
    for (const f of this.configFiles()) {
      if (f === rel) continue;
      const fFolder = folderOf(f);
      if (fFolder !== folder) {
        folder = fFolder;
        rank = ((f.startsWith(dir) ? 0 : 4) + (options.has(fFolder) ? 2 : 0)) / 2;
      }
      ranks[rank]!.push(f);
    }
    for (const files of ranks) {
      const unnamed: string[] = [];
      for (const f of files) {
        if (!this.isFinal(f)) continue;
        if (names.test(this.source.read(f) ?? '')) yield f;
        else unnamed.push(f);
      }
      yield* unnamed;
    }
  }

  /** The first runnable final config that loads the file, composing no more configs than it must. */
  private firstIncluder(rel: string): FileContext | undefined {
    const candidates = this.readers ? this.contextOrder(rel, this.includers(rel)) : this.finalsInContextOrder(rel);
    for (const f of candidates) {
      const c = this.composition(f);
      if (!c.runnable || !c.reads.has(rel)) continue;
      const loaded = this.loadedIn(c, rel);
      if (loaded) return { composition: c, loaded };
    }
    return undefined;
  }

  /**
   * Every runnable final config that loads a file, the file itself first, then in `contextOrder`: the
   * contexts a user can pick from for hover, completion and the composed values.
   */
  contexts(rel: string): FileContext[] {
    if (this.isSweepFile(rel)) return [];
    const out: FileContext[] = [];
    const own = this.ownContext(rel);
    if (own) out.push(own);
    for (const f of this.contextOrder(rel, this.includers(rel))) {
      const c = this.composition(f);
      const loaded = c.runnable ? this.loadedIn(c, rel) : undefined;
      if (loaded) out.push({ composition: c, loaded });
    }
    return out;
  }

  /** Picks the final config (by its file) a file is seen in; undefined goes back to the first one. */
  chooseContext(rel: string, finalFile: string | undefined): void {
    if (finalFile === undefined) this.chosen.delete(rel);
    else this.chosen.set(rel, finalFile);
    this.lastGood.delete(rel);
    this.contextCache.delete(rel);
  }

  /** The picked context's final config file, if the user picked one. */
  chosenContext(rel: string): string | undefined {
    return this.chosen.get(rel);
  }

  /**
   * Remembers the context a file composes in now, before an edit breaks it: completion in a line that arrives
   * in one edit (`foo: ${`) composes around that line in the last good context.
   */
  rememberContext(rel: string): void {
    if (!this.lastGood.has(rel)) this.context(rel);
  }

  /**
   * Composes final configs not composed yet until `stop()` says the slice is over; true when every one is.
   * Background indexing calls this between requests, so that no single step holds the server for long.
   */
  indexSome(stop: () => boolean): boolean {
    const files = this.configFiles();
    // Files before the cursor are composed (or not final) as of this generation: a slice starts where the last
    // one stopped instead of walking the tree from the top again.
    if (this.indexCursor.generation !== this.generation || this.indexCursor.files !== files) this.indexCursor = { generation: this.generation, files, next: 0 };
    for (; this.indexCursor.next < files.length; this.indexCursor.next++) {
      const f = files[this.indexCursor.next]!;
      if (this.compositions.has(f) || !this.isFinal(f)) continue;
      if (stop()) return false;
      this.composition(f);
    }
    return true;
  }

  private indexCursor: { generation: number; files: readonly string[] | undefined; next: number } = { generation: -1, files: undefined, next: 0 };

  /** How far background indexing got: config files walked, of all of them (for the client's progress bar). */
  indexProgress(): { done: number; total: number } {
    const total = this.configFiles().length;
    if (this.indexed()) return { done: total, total };
    const current = this.indexCursor.generation === this.generation && this.indexCursor.files === this.files;
    return { done: current ? this.indexCursor.next : 0, total };
  }

  /** Whether every final config is composed and the file -> includers index built (counting contexts is cheap). */
  indexed(): boolean {
    return this.readers !== undefined;
  }

  /** Final configs whose composition read a file. */
  includers(rel: string): Composition[] {
    if (!this.readers) {
      const readers = new Map<string, Composition[]>();
      for (const c of this.allCompositions()) {
        for (const f of c.reads) {
          let list = readers.get(f);
          if (!list) readers.set(f, (list = []));
          list.push(c);
        }
      }
      this.readers = readers;
    }
    return this.readers.get(rel) ?? [];
  }

  /**
   * A file changed. Content edits drop the compositions that read it; a file that appeared or disappeared can
   * change any group listing, so it drops everything. Returns the files whose diagnostics may have changed.
   */
  invalidate(rel: string, structural: boolean): { touched: Set<string>; dropped: string[] } {
    this.generation++;
    const touched = new Set<string>([rel]);
    const dropped: string[] = [];
    if (structural) {
      this.files = undefined;
      this.readers = undefined;
    }
    for (const [key, c] of this.compositions) {
      if (structural || c.reads.has(rel) || key === rel || !c.result.config) {
        for (const f of c.reads) touched.add(f);
        this.compositions.delete(key);
        dropped.push(key);
        this.readers = undefined;
      }
    }
    if (structural) for (const f of this.configFiles()) touched.add(f);
    return { touched, dropped };
  }
}
