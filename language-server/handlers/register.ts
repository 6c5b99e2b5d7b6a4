// Wires the language service to an LSP connection. Handlers only convert (handlers/convert.ts) and delegate;
// diagnostics are published for the whole tree once the client is ready, then only for the files an edit
// touched, shortly after the edit (so a burst of keystrokes recomposes once).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as lsp from 'vscode-languageserver/node.js';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ServerTimingsMethod, type InitializationOptions, type ServerTimingsResult } from '../protocol.js';
import { nodeFileSystem } from '../service/file-system.js';
import { DiagnosticsScheduler, type SchedulerHost } from '../service/scheduler.js';
import { LanguageService } from '../service/service.js';
import { warmUp } from '../service/warm-up.js';
import { parseSeverities } from '../service/diagnostic-settings.js';
import { interpreterPath } from '../python/interpreter.js';
import type { TargetInfo } from '../service/targets.js';
import type { CompletionItem } from '../service/types.js';
import { Converter } from './convert.js';
import { registerCustomRequests } from './custom.js';
import { editingCapabilities, registerEditingFeatures } from './editing.js';
import type { IncomingMessages } from './incoming.js';

const DIAGNOSTICS_DELAY_MS = 30;

export interface ServerOptions {
  /** The runner's built-in `_target_`s, for completion, hover and diagnostics. */
  targets?: readonly TargetInfo[];
  /** The connection's incoming messages: background work resumes only once every queued one is handled. */
  incoming?: IncomingMessages;
}

/** `bait.versionBase` as the engine takes it: "1.1" keeps Hydra 1.1's rules; "1.2", "1.3" and unset are 1.3's. */
const versionBaseOf = (setting: unknown): '1.1' | null => (setting === '1.1' ? '1.1' : null);

export function registerHandlers(connection: lsp.Connection, serverOptions: ServerOptions = {}): void {
  let service: LanguageService | undefined;
  let pythonPathOf: (setting: unknown) => string | undefined = () => undefined;
  let convert: Converter | undefined;
  const documents = new lsp.TextDocuments(TextDocument);
  const published = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let ready = false;

  const log = (what: string, error: unknown) =>
    connection.console.error(`${what} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);

  let watchFiles = false;
  let canRenameFiles = false;
  /** The client takes a list's shared edit range once (LSP 3.17 `itemDefaults.editRange`). */
  let listDefaults = false;
  /** The client asks for an item's documentation when it shows it (`completionItem/resolve`). */
  let resolveDocs = false;
  /** The last completion answer's items, for `completionItem/resolve` (by index). */
  let lastCompletion: CompletionItem[] | undefined;
  connection.onInitialize((params) => {
    watchFiles = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    const completion = params.capabilities.textDocument?.completion;
    listDefaults = completion?.completionList?.itemDefaults?.includes('editRange') === true;
    resolveDocs = completion?.completionItem?.resolveSupport?.properties.includes('documentation') === true;
    const edit = params.capabilities.workspace?.workspaceEdit;
    canRenameFiles = edit?.documentChanges === true && (edit.resourceOperations ?? []).includes(lsp.ResourceOperationKind.Rename);
    const options = (params.initializationOptions ?? {}) as InitializationOptions;
    const folders = (params.workspaceFolders ?? []).map((f) => f.uri);
    if (!folders.length && params.rootUri) folders.push(params.rootUri);
    const toPath = (u: string) => {
      try {
        return fileURLToPath(u);
      } catch {
        return undefined;
      }
    };
    const workspaceFolders = folders.map(toPath).filter((p): p is string => !!p);
    pythonPathOf = (setting) => interpreterPath(typeof setting === 'string' && setting ? setting : undefined, workspaceFolders[0], existsSync);
    const pythonPath = pythonPathOf(options.pythonPath);
    service = new LanguageService({
      fs: nodeFileSystem,
      workspaceFolders,
      ...(Array.isArray(options.configDirs) ? { configDirs: options.configDirs.filter((d) => typeof d === 'string') } : {}),
      versionBase: versionBaseOf(options.versionBase),
      ...(pythonPath ? { pythonPath } : {}),
      severities: parseSeverities(options.diagnostics),
      env: process.env,
      ...(serverOptions.targets ? { targets: serverOptions.targets } : {}),
      ...(serverOptions.incoming ? { yieldNow: () => serverOptions.incoming!.drain() } : {}),
    });
    service.onInternalError = log;
    // Before answering: the first hover, completion and diagnostics paths run once on a tree in memory, while
    // the editor is still starting, instead of on the user's first request (service/warm-up.ts).
    const missed = warmUp(serverOptions.targets);
    if (missed.length) connection.console.log(`warm-up: no answer from ${missed.join(', ')}`);
    // Python answers changed (parser loaded, crawl finished, a .py file changed): every file's target checks may differ.
    service.onPythonChanged = () => schedule(true);
    convert = new Converter((p) => service!.text(p));
    return {
      capabilities: {
        textDocumentSync: lsp.TextDocumentSyncKind.Incremental,
        completionProvider: { triggerCharacters: [':', ' ', '.', '{', '/', '@', '-'], resolveProvider: resolveDocs },
        definitionProvider: true,
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [lsp.CodeActionKind.QuickFix] },
        codeLensProvider: { resolveProvider: false },
        documentSymbolProvider: true,
        ...editingCapabilities,
      },
      serverInfo: { name: 'bait-config-language-server', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    ready = true;
    // Files changed outside the editor (git checkout, another tool) change compositions too.
    if (watchFiles) {
      void connection.client.register(lsp.DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{yaml,yml}' }, { globPattern: '**/*.{py,pyi}' }] })
        .catch((e: unknown) => log('register file watcher', e));
    }
    // The config files are read off the main thread while the first requests are answered.
    void service?.prefetch().catch((e: unknown) => log('read config files', e));
    schedule(true, 0);
    // The workspace's Python is read in the background; lookups answer before it ends.
    void service?.python?.index.crawl().catch((e: unknown) => log('python index', e));
  });

  // Background work runs in slices (service/scheduler.ts): requests are answered between two slices, open
  // files come first, and an edit cancels the pass in progress. Publishing is the only LSP-aware part.
  let scheduler: DiagnosticsScheduler | undefined;
  const host: SchedulerHost = {
    publish: (path, diagnostics) => {
      if (!convert) return;
      if (!diagnostics.length && !published.has(path) && !documents.get(convert.uri(path))) return;
      if (diagnostics.length) published.add(path);
      else published.delete(path);
      void connection.sendDiagnostics({ uri: convert.uri(path), diagnostics: diagnostics.map((d) => convert!.diagnostic(path, d)) });
    },
    // Every message that arrived is handled before the next slice (handlers/incoming.ts).
    yieldNow: () => serverOptions.incoming?.drain() ?? new Promise<void>((resolve) => setImmediate(resolve)),
    now: () => performance.now(),
    indexing: (progress) => showIndexing(progress),
  };

  // Indexing as work-done progress (a status-bar item in VS Code) while the tree is composed in the background.
  interface IndexingProgress { reporter?: lsp.WorkDoneProgressServerReporter; ended: boolean; percent: number }
  let indexingProgress: IndexingProgress | undefined;
  const showIndexing = (progress: { done: number; total: number } | undefined) => {
    if (!progress) {
      if (indexingProgress) {
        indexingProgress.ended = true;
        indexingProgress.reporter?.done();
        indexingProgress = undefined;
      }
      return;
    }
    const percent = progress.total ? Math.floor((100 * progress.done) / progress.total) : 0;
    const message = `${progress.done}/${progress.total} config files`;
    if (!indexingProgress) {
      const state: IndexingProgress = { ended: false, percent };
      indexingProgress = state;
      void connection.window.createWorkDoneProgress().then((reporter) => {
        reporter.begin('Indexing configs', state.percent, message);
        if (state.ended) reporter.done();
        else state.reporter = reporter;
      }, (e: unknown) => log('indexing progress', e));
    } else if (percent !== indexingProgress.percent) {
      indexingProgress.percent = percent;
      indexingProgress.reporter?.report(percent, message);
    }
  };
  /** When the pending pass starts (performance.now), while `timer` is set. */
  let timerDue = 0;
  /**
   * `delay`: the pass starts after this many ms (0 when nothing is being typed). Only typing (`debounce`)
   * postpones a pass already due sooner: a burst of keystrokes recomposes once, but a change that is not the
   * user's (the Python parser loaded at start-up) must not hold back the work of a file just opened.
   */
  const schedule = (all = false, delay = DIAGNOSTICS_DELAY_MS, debounce = false) => {
    if (!service) return;
    scheduler ??= new DiagnosticsScheduler(service, host);
    if (all) scheduler.wholeTree();
    // Stop the pass in progress now; start the next one once the burst of keystrokes is over.
    scheduler.cancel();
    if (!ready) return;
    const due = performance.now() + delay;
    if (timer && !debounce && timerDue <= due) return;
    if (timer) clearTimeout(timer);
    timerDue = due;
    timer = setTimeout(() => {
      timer = undefined;
      void scheduler!.run().catch((e: unknown) => log('publishDiagnostics', e));
    }, delay);
  };

  const pathOf = (uri: string) => convert?.path(uri);

  // Settings apply at once (the client sends the `bait` section, or the keys that changed): severities,
  // version_base (recomposes the config dirs no entry point decides for), and the interpreter (third-party
  // `_target_`s are looked up in its site-packages from then on).
  connection.onDidChangeConfiguration((params) => {
    const bait = (params.settings as { bait?: Record<string, unknown> } | undefined)?.bait;
    if (!service || !bait || typeof bait !== 'object') return;
    if ('diagnostics' in bait) service.severities = parseSeverities(bait.diagnostics);
    if ('versionBase' in bait) service.setVersionBase(versionBaseOf(bait.versionBase));
    if ('pythonPath' in bait) service.setPythonPath(pythonPathOf(bait.pythonPath));
    schedule(true);
  });

  documents.onDidOpen((e) => {
    const p = pathOf(e.document.uri);
    if (p && service) service.open(p, e.document.getText(), e.document.version);
    // Opening is not typing: the open file's work starts now (once the requests sent with the open are answered:
    // its syntax and context first, which its next hover or completion needs, then its diagnostics).
    schedule(false, 0);
  });
  documents.onDidChangeContent((e) => {
    const p = pathOf(e.document.uri);
    if (p && service) service.change(p, e.document.getText(), e.document.version);
    schedule(false, DIAGNOSTICS_DELAY_MS, true);
  });
  documents.onDidClose((e) => {
    const p = pathOf(e.document.uri);
    if (p && service) service.close(p);
    schedule();
  });
  connection.onDidChangeWatchedFiles((params) => {
    for (const change of params.changes) {
      const p = pathOf(change.uri);
      if (!p || !service) continue;
      const kind = change.type === lsp.FileChangeType.Created ? 'created' : change.type === lsp.FileChangeType.Deleted ? 'deleted' : 'changed';
      service.diskChanged(p, kind);
    }
    schedule();
  });

  /** Runs a position request on a file the server knows, or answers `fallback`. */
  const at = <T>(uri: string, fallback: T, fn: (path: string, c: Converter, s: LanguageService) => T): T => {
    const p = pathOf(uri);
    if (!p || !service || !convert) return fallback;
    try {
      return fn(p, convert, service);
    } catch (e) {
      log('request', e);
      return fallback;
    }
  };

  connection.onCompletion((params) =>
    at(params.textDocument.uri, [] as lsp.CompletionItem[] | lsp.CompletionList, (p, c, s) => {
      const { items, isIncomplete } = s.completionList(p, c.offset(p, params.position));
      lastCompletion = items;
      const compact = listDefaults ? c.compactCompletions(p, items, resolveDocs, isIncomplete) : undefined;
      if (compact) return compact;
      const full = items.map((i) => c.completion(p, i));
      // A plain array means complete; a list says the client should ask again as the user types.
      return isIncomplete ? { isIncomplete, items: full } : full;
    }));

  connection.onCompletionResolve((item) => {
    const source = typeof item.data === 'number' ? lastCompletion?.[item.data] : undefined;
    if (source?.label === item.label && source.documentation && convert) item.documentation = convert.markdown(source.documentation);
    return item;
  });

  connection.onDefinition((params) =>
    at(params.textDocument.uri, [] as lsp.Location[], (p, c, s) =>
      s.definition(p, c.offset(p, params.position)).map((l) => c.location(l))));

  connection.onHover((params) =>
    at(params.textDocument.uri, null as lsp.Hover | null, (p, c, s) => {
      const h = s.hover(p, c.offset(p, params.position));
      return h ? c.hover(p, h) : null;
    }));

  connection.onCodeAction((params) =>
    at(params.textDocument.uri, [] as lsp.CodeAction[], (p, c, s) => {
      const diagnostics = params.context.diagnostics.map((d) => c.fromDiagnostic(p, d));
      return s.codeActions(p, diagnostics).map((a) => c.codeAction(a, params.context.diagnostics));
    }));

  connection.onCodeLens((params) =>
    at(params.textDocument.uri, [] as lsp.CodeLens[], (p, c, s) => s.codeLenses(p).map((l) => c.codeLens(p, l))));

  connection.onDocumentSymbol((params) =>
    at(params.textDocument.uri, [] as lsp.DocumentSymbol[], (p, c, s) => s.documentSymbols(p).map((d) => c.symbol(p, d))));

  connection.onRequest(ServerTimingsMethod, (): ServerTimingsResult => serverOptions.incoming?.takeTimings() ?? []);

  registerCustomRequests(connection, () => (service && convert ? { service, convert } : undefined), log);
  registerEditingFeatures(connection, () => (service && convert ? { service, convert } : undefined), log, () => canRenameFiles);

  documents.listen(connection);
}
