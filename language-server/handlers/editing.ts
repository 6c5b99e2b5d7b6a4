// The editing features yaml-language-server users expect, on the connection: formatting, folding ranges,
// selection ranges, document links, rename (keys across files; config files across defaults lists) and
// workspace symbols. Each converts offsets with the Converter and delegates to the service.
import * as lsp from 'vscode-languageserver/node.js';
import { RenameError } from '../service/rename.js';
import type { LanguageService } from '../service/service.js';
import type { FileRange, Range } from '../service/types.js';
import type { Converter } from './convert.js';

type Ctx = () => { service: LanguageService; convert: Converter } | undefined;

export const editingCapabilities: Partial<lsp.ServerCapabilities> = {
  documentFormattingProvider: true,
  foldingRangeProvider: true,
  selectionRangeProvider: true,
  documentLinkProvider: { resolveProvider: false },
  renameProvider: { prepareProvider: true },
  workspaceSymbolProvider: true,
};

export function registerEditingFeatures(connection: lsp.Connection, ctx: Ctx, log: (what: string, e: unknown) => void, canRenameFiles: () => boolean): void {
  const at = <T>(uri: string, fallback: T, fn: (path: string, c: Converter, s: LanguageService) => T): T => {
    const c = ctx();
    const path = c?.convert.path(uri);
    if (!c || !path) return fallback;
    try {
      return fn(path, c.convert, c.service);
    } catch (e) {
      if (e instanceof RenameError) throw new lsp.ResponseError(lsp.ErrorCodes.InvalidRequest, e.message);
      log('request', e);
      return fallback;
    }
  };
  const target = (c: Converter, t: FileRange) => {
    const uri = c.uri(t.path);
    if (t.range[0] === 0 && t.range[1] === 0) return uri;
    const p = c.range(t.path, t.range).start;
    return `${uri}#L${p.line + 1},${p.character + 1}`;
  };

  connection.onDocumentFormatting((params) =>
    at(params.textDocument.uri, [] as lsp.TextEdit[], (p, c, s) =>
      s.format(p, { tabSize: params.options.tabSize }).map((e) => ({ range: c.range(p, e.range), newText: e.newText }))));

  connection.onFoldingRanges((params) =>
    at(params.textDocument.uri, [] as lsp.FoldingRange[], (p, c, s) =>
      s.foldingRanges(p).flatMap((f) => {
        const r = c.range(p, f.range);
        if (r.end.line <= r.start.line) return [];
        return [{ startLine: r.start.line, endLine: r.end.line, ...(f.kind ? { kind: lsp.FoldingRangeKind.Comment } : {}) }];
      })));

  connection.onSelectionRanges((params) =>
    at(params.textDocument.uri, [] as lsp.SelectionRange[], (p, c, s) => {
      const offsets = params.positions.map((pos) => c.offset(p, pos));
      return s.selectionRanges(p, offsets).map((chain, i) => {
        // LSP wants the innermost range, its parents linked outward.
        let out: lsp.SelectionRange | undefined;
        for (const r of [...chain].reverse()) out = { range: c.range(p, r), ...(out ? { parent: out } : {}) };
        return out ?? { range: { start: params.positions[i]!, end: params.positions[i]! } };
      });
    }));

  connection.onDocumentLinks((params) =>
    at(params.textDocument.uri, [] as lsp.DocumentLink[], (p, c, s) =>
      s.documentLinks(p).map((l) => ({ range: c.range(p, l.range), target: target(c, l.target), tooltip: l.tooltip }))));

  connection.onWorkspaceSymbol((params) => {
    const c = ctx();
    if (!c) return [];
    try {
      return c.service.workspaceSymbols(params.query).map((sym) => ({
        name: sym.name, kind: sym.kind === 'file' ? lsp.SymbolKind.File : lsp.SymbolKind.Key, containerName: sym.container,
        location: { uri: c.convert.uri(sym.path), range: c.convert.range(sym.path, sym.range) },
      }));
    } catch (e) {
      log('workspaceSymbol', e);
      return [];
    }
  });

  connection.onPrepareRename((params) =>
    at(params.textDocument.uri, null as { range: lsp.Range; placeholder: string } | null, (p, c, s) => {
      const plan = s.prepareRename(p, c.offset(p, params.position));
      if (plan.kind === 'option' && !canRenameFiles()) throw new RenameError('Renaming a config file needs a client that can rename files.');
      return { range: c.range(p, plan.range), placeholder: plan.placeholder };
    }));

  connection.onRenameRequest((params) =>
    at(params.textDocument.uri, null as lsp.WorkspaceEdit | null, (p, c, s) => {
      const result = s.rename(p, c.offset(p, params.position), params.newName);
      const byFile = new Map<string, lsp.TextEdit[]>();
      for (const e of result.edits) {
        let list = byFile.get(e.path);
        if (!list) byFile.set(e.path, (list = []));
        list.push({ range: c.range(e.path, e.range as Range), newText: e.newText });
      }
      if (!result.files.length) return { changes: Object.fromEntries([...byFile].map(([path, edits]) => [c.uri(path), edits])) };
      if (!canRenameFiles()) throw new RenameError('Renaming a config file needs a client that can rename files.');
      const documentChanges: (lsp.TextDocumentEdit | lsp.RenameFile)[] = [...byFile].map(([path, edits]) =>
        lsp.TextDocumentEdit.create({ uri: c.uri(path), version: null }, edits));
      for (const f of result.files) documentChanges.push(lsp.RenameFile.create(c.uri(f.from), c.uri(f.to)));
      return { documentChanges };
    }));
}
