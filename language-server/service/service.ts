// The language service: every editor feature as a plain function of (file path, offset) over the workspace.
// It knows nothing of LSP; handlers/ wires it to a connection. Every entry point catches its own failures, so
// bad input degrades one answer and never the server (rust-analyzer: "partially available even when broken").
import { quickFixes } from './actions.js';
import { complete, type CompletionResult } from './completion.js';
import { definition } from './definition.js';
import { fileDiagnostics } from './diagnostics.js';
import type { FileSystem } from './file-system.js';
import { hover } from './hover.js';
import { codeLenses } from './lenses.js';
import type { ConfigProject } from './project.js';
import { documentSymbols } from './symbols.js';
import { workspaceTarget, type TargetCheck } from './targets.js';
import { formatDocument, type FormatEdit, type FormatOptions } from './formatting.js';
import { documentLinks, type DocumentLink } from './links.js';
import { prepareRename, rename, RenameError, type RenamePlan, type RenameResult } from './rename.js';
import { foldingRanges, selectionRanges, type FoldingRange } from './structure.js';
import type { CodeAction, CodeLens, CompletionItem, Diagnostic, DocumentSymbol, FileRange, Hover, Range } from './types.js';
import { workspaceSymbols, type WorkspaceSymbol } from './workspace-symbols.js';
import { PythonTargets } from '../python/targets.js';
import { applySeverities, type SeveritySetting } from './diagnostic-settings.js';
import { versionBaseFor, type VersionBaseSource } from '../python/version-base.js';
import { Workspace, type WorkspaceOptions } from './workspace.js';
import { maskedEnv } from '../../runner/config/secrets.js';

export interface ServiceOptions extends WorkspaceOptions {
  /** Environment `${oc.env:...}` resolves against in hovers (the server passes its own). */
  env?: Record<string, string | undefined>;
  /** A fixed clock for `${now:...}` in hovers (tests); the current time otherwise. */
  now?: Date;
  /** `bait.pythonPath`: an interpreter whose installed sources are read for `_target_`s. */
  pythonPath?: string;
  /** false: no Python `_target_` support (the parser is not loaded). */
  python?: boolean;
  /** `bait.diagnostics.<code>`: a severity per code, or `off`. */
  severities?: ReadonlyMap<string, SeveritySetting>;
  /** How the Python crawl lets requests run between its slices (the server passes its message drain). */
  yieldNow?: () => Promise<void>;
}

export class LanguageService {
  readonly workspace: Workspace;
  /** Files whose diagnostics may have changed since `takeDirty()`. */
  private dirty = new Set<string>();
  /** Primary configs dropped by edits: what they read after recomposing joins the dirty files. */
  private recomposed = new Map<ConfigProject, Set<string>>();
  /** Workspace `_target_` lookups for diagnostics, per project and tree generation. */
  private readonly workspaceTargets = new WeakMap<
    ConfigProject,
    { generation: number; found: Map<string, FileRange | undefined>; files: Map<string, string | undefined> }
  >();
  /** Called with errors a feature swallowed, so the server can log them. */
  onInternalError: (what: string, error: unknown) => void = () => {};
  /** The workspace's Python modules, for `_target_`s (undefined when disabled). */
  readonly python?: PythonTargets;
  /** Called when Python answers may have changed (parser loaded, crawl done, a .py file changed). */
  onPythonChanged: () => void = () => {};
  /** `bait.diagnostics.<code>` (the client may change it at any time). */
  severities: ReadonlyMap<string, SeveritySetting>;

  constructor(readonly options: ServiceOptions) {
    this.workspace = new Workspace(options);
    this.severities = options.severities ?? new Map();
    if (options.python !== false) {
      const folders = this.workspace.folders.length
        ? this.workspace.folders
        : [...new Set(this.workspace.allProjects().map((p) => this.workspace.workspaceRootOf(p)))];
      this.python = new PythonTargets({
        fs: options.fs, folders, ...(options.pythonPath ? { pythonPath: options.pythonPath } : {}),
        ...(options.yieldNow ? { yieldNow: options.yieldNow } : {}),
        onError: (e) => this.onInternalError('python parser', e),
        onChange: () => {
          this.guard('versionBase', undefined, () => this.applyVersionBases());
          this.onPythonChanged();
        },
      });
    }
  }

  get fs(): FileSystem {
    return this.options.fs;
  }

  /** Where each config dir's version_base comes from (an entry point or the setting). */
  readonly versionBases = new Map<string, VersionBaseSource>();

  /**
   * `bait.versionBase` changed: config dirs that no entry point decides for take the new value and are
   * recomposed (their files' diagnostics are due again).
   */
  setVersionBase(versionBase: '1.1' | null): void {
    if ((this.options.versionBase ?? null) === versionBase) return;
    this.options.versionBase = versionBase;
    this.guard('versionBase', undefined, () => this.applyVersionBases());
  }

  /** `bait.pythonPath` changed: third-party `_target_`s are looked up in the new interpreter's site-packages. */
  setPythonPath(pythonPath: string | undefined): void {
    this.python?.index.setPythonPath(pythonPath);
  }

  /** Reads version_base from the entry points found so far; a config dir whose value changed is recomposed. */
  private applyVersionBases(): void {
    const entries = this.python?.index.entryPointFiles() ?? [];
    for (const p of this.workspace.allProjects()) {
      const found = versionBaseFor(p.root, entries, this.options.versionBase ?? null);
      this.versionBases.set(p.root, found);
      if (this.workspace.setVersionBase(p.root, found.versionBase)) {
        for (const f of p.configFiles()) this.dirty.add(p.absolute(f));
      }
    }
  }

  // --- documents ---------------------------------------------------------------------------------------------

  open(path: string, text: string, version: number): void {
    const existed = this.workspace.store.exists(path);
    const changed = this.workspace.store.read(path) !== text;
    this.workspace.store.setOpen(path, text, version);
    if (changed || !existed) this.invalidate(path, !existed);
    else this.dirty.add(path);
  }

  change(path: string, text: string, version: number): void {
    const same = this.workspace.store.isOpen(path) && this.workspace.store.read(path) === text;
    // The context the file composes in before this edit: completion right after it needs one even when the
    // edit (a whole line pasted or inserted at once) breaks the file.
    if (!same) this.withFile('rememberContext', path, undefined, (p, rel) => p.rememberContext(rel));
    this.workspace.store.setOpen(path, text, version);
    if (!same) this.invalidate(path, false);
  }

  close(path: string): void {
    const before = this.workspace.store.read(path);
    this.workspace.store.close(path);
    const after = this.workspace.store.read(path);
    if (before !== after) this.invalidate(path, after === undefined);
  }

  /** A watched file changed on disk (created, changed or deleted). */
  diskChanged(path: string, kind: 'created' | 'changed' | 'deleted'): void {
    this.workspace.store.diskChanged(path);
    if (/\.pyi?$/.test(path)) {
      this.python?.index.fileChanged(path);
      return;
    }
    if (!this.workspace.store.isOpen(path)) this.invalidate(path, kind !== 'changed');
  }

  private invalidate(path: string, structural: boolean): void {
    this.guard('invalidate', undefined, () => {
      const project = this.workspace.projectOf(path);
      if (!project) return;
      const rel = project.relative(path);
      if (rel === undefined) return;
      const { touched, dropped } = project.invalidate(rel, structural);
      for (const f of touched) this.dirty.add(project.absolute(f));
      let set = this.recomposed.get(project);
      if (!set) this.recomposed.set(project, (set = new Set()));
      for (const f of dropped) set.add(f);
      this.dirty.add(path);
    });
  }

  /**
   * The files whose diagnostics must be published again: those touched by edits since the last call, plus
   * every file the recomposed configs read now (an edit can pull a new file into a composition).
   */
  takeDirty(): string[] {
    const out = new Set(this.dirty);
    this.dirty.clear();
    for (const [project, files] of this.recomposed) {
      this.guard('recompose', undefined, () => {
        for (const f of files) {
          if (project.source.read(f) === undefined) continue;
          for (const r of project.composition(f).reads) out.add(project.absolute(r));
        }
      });
    }
    this.recomposed.clear();
    return [...out].sort();
  }

  /**
   * One slice of background indexing: composes final configs until `stop()`; true when every project is
   * fully composed (then diagnostics of any file need no further composing).
   */
  indexSome(stop: () => boolean): boolean {
    return this.guard('index', true, () => this.workspace.allProjects().every((p) => p.indexSome(stop)));
  }

  /** Background indexing's progress over every config dir: config files walked, of all of them. */
  indexProgress(): { done: number; total: number } {
    return this.guard('index', { done: 0, total: 0 }, () => this.workspace.allProjects().reduce((sum, p) => {
      const { done, total } = p.indexProgress();
      return { done: sum.done + done, total: sum.total + total };
    }, { done: 0, total: 0 }));
  }

  /** Reads every config file off the main thread (start-up), so requests that need the tree's text find it. */
  async prefetch(): Promise<void> {
    this.workspace.targetUses.crawlStarted();
    try {
      await this.workspace.store.prefetch(this.allFiles());
    } finally {
      // From here on a config file whose text is not in memory (closed, changed on disk) is read when asked.
      this.workspace.targetUses.crawlDone();
    }
  }

  /**
   * What the first request on a just-opened file needs, done now: its syntax tree and the context it composes
   * in (for a group option, the first final config that selects it; the rest of the tree is not composed).
   */
  prepare(path: string): void {
    this.withFile('prepare', path, undefined, (p, rel) => {
      p.syntax(rel);
      p.context(rel);
    });
  }

  /** Open files (the ones the user looks at), for publishing their diagnostics first. */
  openFiles(): string[] {
    return this.workspace.store.openPaths();
  }

  /**
   * Diagnostics from the file's own context only (the file itself, or the first final config that loads it),
   * without composing the rest of the tree: what an open file shows while the tree is still being indexed.
   * The full set follows once indexing is done.
   */
  quickDiagnostics(path: string): Diagnostic[] {
    if (this.text(path) === undefined) return [];
    return this.withFile('diagnostics', path, [], (p, rel) =>
      applySeverities(fileDiagnostics(p, rel, this.diagnosticsTargetCheck(p), !p.indexed()), this.severities));
  }

  /** Every config file of every known config dir, for whole-workspace diagnostics. */
  allFiles(): string[] {
    const out: string[] = [];
    for (const p of this.workspace.allProjects()) {
      this.guard('allFiles', undefined, () => {
        for (const f of p.configFiles()) out.push(p.absolute(f));
      });
    }
    return out;
  }

  // --- features ----------------------------------------------------------------------------------------------

  completions(path: string, offset: number): CompletionItem[] {
    return this.completionList(path, offset).items;
  }

  /** The items, and whether the client should ask again as it types (the tree is still being read). */
  completionList(path: string, offset: number): CompletionResult {
    return this.withFile('completion', path, { items: [], isIncomplete: false },
      (p, rel) => complete(p, rel, offset, this.workspace.targets, this.workspace.targetUses, this.python));
  }

  definition(path: string, offset: number): FileRange[] {
    return this.withFile('definition', path, [], (p, rel) => definition(p, rel, offset, this.fs, this.workspace.workspaceRootOf(p), this.python));
  }

  hover(path: string, offset: number): Hover | undefined {
    return this.withFile('hover', path, undefined, (p, rel) =>
      // Values from the environment may be secrets: a hover shows `<env:NAME>` where the run would read NAME.
      hover(p, rel, offset, this.targetCheck(p), { env: this.hoverEnv(), ...(this.options.now ? { now: this.options.now } : {}) }));
  }

  private maskedEnvCache?: Record<string, string>;

  /** The environment as hovers show it, masked once: reading every variable of process.env is not free. */
  private hoverEnv(): Record<string, string> {
    return (this.maskedEnvCache ??= maskedEnv(this.options.env ?? {}));
  }

  diagnostics(path: string): Diagnostic[] {
    // A file that is gone (deleted, renamed away) has no diagnostics: composing it would report it missing.
    if (this.text(path) === undefined) return [];
    return this.withFile('diagnostics', path, [], (p, rel) =>
      applySeverities(fileDiagnostics(p, rel, this.diagnosticsTargetCheck(p)), this.severities));
  }

  codeActions(path: string, diagnostics: Diagnostic[]): CodeAction[] {
    return this.withFile('codeActions', path, [], (p, rel) => quickFixes(p, rel, diagnostics));
  }

  codeLenses(path: string): CodeLens[] {
    return this.withFile('codeLens', path, [], (p, rel) => codeLenses(p, rel));
  }

  documentSymbols(path: string): DocumentSymbol[] {
    return this.withFile('documentSymbol', path, [], (p, rel) => {
      const syntax = p.syntax(rel);
      return syntax ? documentSymbols(syntax) : [];
    });
  }

  foldingRanges(path: string): FoldingRange[] {
    return this.withFile('foldingRange', path, [], (p, rel) => {
      const syntax = p.syntax(rel);
      return syntax ? foldingRanges(syntax) : [];
    });
  }

  selectionRanges(path: string, offsets: number[]): Range[][] {
    return this.withFile('selectionRange', path, offsets.map(() => []), (p, rel) => {
      const syntax = p.syntax(rel);
      return syntax ? selectionRanges(syntax, offsets) : offsets.map(() => []);
    });
  }

  documentLinks(path: string): DocumentLink[] {
    return this.withFile('documentLink', path, [], (p, rel) => documentLinks(p, rel, (name) => this.targetCheck(p).workspace(name)));
  }

  workspaceSymbols(query: string): WorkspaceSymbol[] {
    return this.guard('workspaceSymbol', [], () => workspaceSymbols(this.workspace.allProjects(), query));
  }

  format(path: string, options: FormatOptions): FormatEdit[] {
    return this.withFile('formatting', path, [], (p, rel) => {
      const syntax = p.syntax(rel);
      return syntax ? formatDocument(syntax, options) : [];
    });
  }

  /** What a rename at the offset would rename; a RenameError (its message is for the user) when nothing. */
  prepareRename(path: string, offset: number): RenamePlan {
    const project = this.workspace.projectOf(path);
    const rel = project?.relative(path);
    if (!project || rel === undefined) throw new RenameError('This file is not under a config dir.');
    return prepareRename(project, rel, offset);
  }

  rename(path: string, offset: number, newName: string): RenameResult {
    const project = this.workspace.projectOf(path);
    const rel = project?.relative(path);
    if (!project || rel === undefined) throw new RenameError('This file is not under a config dir.');
    return rename(project, rel, offset, newName);
  }

  /** How `_target_` names of a project resolve: the built-in catalogue, then the workspace's own modules. */
  private targetCheck(project: ConfigProject): TargetCheck {
    const root = this.workspace.workspaceRootOf(project);
    return { catalogue: this.workspace.targets, workspace: (name) => workspaceTarget(this.fs, root, name), ...(this.python ? { python: this.python } : {}) };
  }

  /**
   * The target check for diagnostics, with workspace lookups remembered per tree generation. Every final
   * config that includes a group option checks the option's `_target_` again, and a name that is not built
   * in is looked for on disk under up to sixteen module paths each time: thousands of failed reads per
   * whole-tree pass on a large tree. Diagnostics of a composition are computed once per generation anyway.
   */
  private diagnosticsTargetCheck(project: ConfigProject): TargetCheck {
    let cache = this.workspaceTargets.get(project);
    if (!cache || cache.generation !== project.generation) {
      this.workspaceTargets.set(project, (cache = { generation: project.generation, found: new Map(), files: new Map() }));
    }
    const { found, files } = cache;
    // Names share module paths (`models.group0.A` and `models.group0.B` both probe `models/group0.ts`), so
    // the files read are remembered too.
    const fs: FileSystem = {
      readFile: (p) => {
        if (!files.has(p)) files.set(p, this.fs.readFile(p));
        return files.get(p);
      },
      readDir: (p) => this.fs.readDir(p),
    };
    const root = this.workspace.workspaceRootOf(project);
    return {
      catalogue: this.workspace.targets,
      workspace: (name) => {
        if (!found.has(name)) found.set(name, workspaceTarget(fs, root, name));
        return found.get(name);
      },
      ...(this.python ? { python: this.python } : {}),
    };
  }

  /** The final configs a file can be seen in (several when it is a group option many configs select). */
  contexts(path: string): { file: string; name: string; overrides: string[]; chosen: boolean }[] {
    return this.withFile('contexts', path, [], (p, rel) => {
      const current = p.context(rel)?.composition.file;
      return p.contexts(rel).map((c) => ({ file: p.absolute(c.composition.file), name: c.composition.name, overrides: c.composition.overrides,
        chosen: c.composition.file === current }));
    });
  }

  /** Sees a file in the final config `finalPath` (one of `contexts`), or in the default one when undefined. */
  chooseContext(path: string, finalPath: string | undefined): void {
    this.withFile('chooseContext', path, undefined, (p, rel) => {
      p.chooseContext(rel, finalPath === undefined ? undefined : p.relative(finalPath));
    });
  }

  /** The text the service sees for a file (open buffer over disk). */
  text(path: string): string | undefined {
    return this.workspace.store.read(path);
  }

  private withFile<T>(what: string, path: string, fallback: T, fn: (project: ConfigProject, rel: string) => T): T {
    return this.guard(what, fallback, () => {
      const project = this.workspace.projectOf(path);
      const rel = project?.relative(path);
      if (!project || rel === undefined) return fallback;
      return fn(project, rel);
    });
  }

  guard<T>(what: string, fallback: T, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      this.onInternalError(what, error);
      return fallback;
    }
  }
}
