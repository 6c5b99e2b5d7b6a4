// The one place where the service's offsets and paths become LSP positions and URIs, and back. A document the
// client opened keeps the URI string the client sent, so answers point at exactly the document it knows.
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as lsp from 'vscode-languageserver/node.js';
import { LineIndex } from '../service/text.js';
import type * as svc from '../service/types.js';

export class Converter {
  private readonly uris = new Map<string, string>();
  private readonly indexes = new Map<string, { text: string; index: LineIndex }>();

  /** @param text the service's text of a file (open buffer over disk) */
  constructor(private readonly text: (path: string) => string | undefined) {}

  path(uri: string): string | undefined {
    if (!uri.startsWith('file:')) return undefined;
    try {
      const p = fileURLToPath(uri);
      this.uris.set(p, uri);
      return p;
    } catch {
      return undefined;
    }
  }

  uri(path: string): string {
    return this.uris.get(path) ?? pathToFileURL(path).href;
  }

  index(path: string): LineIndex {
    const text = this.text(path) ?? '';
    const hit = this.indexes.get(path);
    if (hit && hit.text === text) return hit.index;
    const index = new LineIndex(text);
    this.indexes.set(path, { text, index });
    return index;
  }

  offset(path: string, pos: lsp.Position): number {
    return this.index(path).offset(pos);
  }

  range(path: string, r: svc.Range | readonly [number, number]): lsp.Range {
    const idx = this.index(path);
    return { start: idx.position(r[0]), end: idx.position(r[1]) };
  }

  offsets(path: string, r: lsp.Range): [number, number] {
    const idx = this.index(path);
    return [idx.offset(r.start), idx.offset(r.end)];
  }

  location(loc: svc.FileRange): lsp.Location {
    return { uri: this.uri(loc.path), range: this.range(loc.path, loc.range) };
  }

  diagnostic(path: string, d: svc.Diagnostic): lsp.Diagnostic {
    const out: lsp.Diagnostic = {
      range: this.range(path, d.range),
      severity: SEVERITY[d.severity],
      code: d.code,
      source: 'bait',
      message: d.message,
    };
    if (d.related?.length) {
      out.relatedInformation = d.related.map((r) => ({ location: this.location(r.location), message: r.message }));
    }
    if (d.data) {
      const data: { options?: string[]; replace?: lsp.Range } = {};
      if (d.data.options) data.options = d.data.options;
      if (d.data.replace) data.replace = this.range(path, d.data.replace);
      out.data = data;
    }
    return out;
  }

  /** An LSP diagnostic sent back in a code-action request, as the service's plain form. */
  fromDiagnostic(path: string, d: lsp.Diagnostic): svc.Diagnostic {
    const severity = (Object.keys(SEVERITY) as svc.Severity[]).find((k) => SEVERITY[k] === d.severity) ?? 'error';
    const out: svc.Diagnostic = { range: this.offsets(path, d.range), severity, code: String(d.code ?? ''), message: d.message };
    const data = d.data as { options?: unknown; replace?: lsp.Range } | undefined;
    if (data && Array.isArray(data.options)) {
      out.data = { options: data.options.filter((o): o is string => typeof o === 'string') };
      if (data.replace?.start && data.replace.end) out.data.replace = this.offsets(path, data.replace);
    }
    return out;
  }

  completion(path: string, item: svc.CompletionItem): lsp.CompletionItem {
    const out: lsp.CompletionItem = {
      label: item.label,
      kind: COMPLETION_KIND[item.kind],
      textEdit: { range: this.range(path, item.replace), newText: item.insertText ?? item.label },
    };
    if (item.detail) out.detail = item.detail;
    if (item.documentation) out.documentation = this.markdown(item.documentation);
    if (item.sortText) out.sortText = item.sortText;
    return out;
  }

  /**
   * A completion list in its compact form, for clients that take list defaults and resolve documentation
   * later (VS Code does): the shared replace range is sent once, and each item's documentation only when it is
   * selected (`completionItem/resolve` with `data`, the item's index). A `_target_` value offers about a
   * thousand items; sent whole they are a quarter of a megabyte to serialize, send and parse per keystroke.
   */
  compactCompletions(path: string, items: svc.CompletionItem[], lazyDocs: boolean, isIncomplete = false): lsp.CompletionList | undefined {
    const first = items[0];
    if (!first || items.some((i) => i.replace[0] !== first.replace[0] || i.replace[1] !== first.replace[1])) return undefined;
    return {
      isIncomplete,
      itemDefaults: { editRange: this.range(path, first.replace) },
      items: items.map((item, index) => {
        const out: lsp.CompletionItem = { label: item.label, kind: COMPLETION_KIND[item.kind] };
        if (item.insertText !== undefined && item.insertText !== item.label) out.textEditText = item.insertText;
        if (item.detail) out.detail = item.detail;
        if (item.documentation) {
          if (lazyDocs) out.data = index;
          else out.documentation = this.markdown(item.documentation);
        }
        // `0<label>`, `1<label>`: the rank alone says the same to a client that breaks ties by label, as VS Code does.
        if (item.sortText) out.sortText = item.sortText.endsWith(item.label) && item.sortText.length > item.label.length
          ? item.sortText.slice(0, -item.label.length) : item.sortText;
        return out;
      }),
    };
  }

  markdown(value: string): lsp.MarkupContent {
    return { kind: 'markdown', value };
  }

  hover(path: string, h: svc.Hover): lsp.Hover {
    return { contents: { kind: 'markdown', value: h.contents }, range: this.range(path, h.range) };
  }

  symbol(path: string, s: svc.DocumentSymbol): lsp.DocumentSymbol {
    const out: lsp.DocumentSymbol = {
      name: s.name || ' ',
      kind: SYMBOL_KIND[s.kind],
      range: this.range(path, s.range),
      selectionRange: this.range(path, s.selectionRange),
      children: s.children.map((c) => this.symbol(path, c)),
    };
    if (s.detail) out.detail = s.detail;
    return out;
  }

  codeAction(a: svc.CodeAction, diagnostics: lsp.Diagnostic[]): lsp.CodeAction {
    const changes: Record<string, lsp.TextEdit[]> = {};
    for (const e of a.edits) (changes[this.uri(e.path)] ??= []).push({ range: this.range(e.path, e.range), newText: e.newText });
    const out: lsp.CodeAction = { title: a.title, kind: lsp.CodeActionKind.QuickFix, edit: { changes } };
    if (a.diagnostic) out.diagnostics = diagnostics.filter((d) => d.code === a.diagnostic!.code && d.message === a.diagnostic!.message);
    if (a.isPreferred) out.isPreferred = true;
    return out;
  }

  codeLens(path: string, l: svc.CodeLens): lsp.CodeLens {
    // Paths in lens arguments become URIs, the form the client opens documents by.
    const args = l.arguments.map((a) => {
      if (!a || typeof a !== 'object') return a;
      const { file, ...rest } = a as { file?: string };
      return file ? { ...rest, uri: this.uri(file) } : rest;
    });
    return { range: this.range(path, l.range), command: { title: l.title, command: l.command, arguments: args } };
  }
}

const SEVERITY: Record<svc.Severity, lsp.DiagnosticSeverity> = {
  error: lsp.DiagnosticSeverity.Error,
  warning: lsp.DiagnosticSeverity.Warning,
  information: lsp.DiagnosticSeverity.Information,
  hint: lsp.DiagnosticSeverity.Hint,
};

const COMPLETION_KIND: Record<svc.CompletionKind, lsp.CompletionItemKind> = {
  key: lsp.CompletionItemKind.Property,
  group: lsp.CompletionItemKind.Folder,
  option: lsp.CompletionItemKind.File,
  keyword: lsp.CompletionItemKind.Keyword,
  config: lsp.CompletionItemKind.File,
  target: lsp.CompletionItemKind.Class,
  reference: lsp.CompletionItemKind.Reference,
  resolver: lsp.CompletionItemKind.Function,
  package: lsp.CompletionItemKind.Module,
  value: lsp.CompletionItemKind.Value,
};

const SYMBOL_KIND: Record<svc.DocumentSymbol['kind'], lsp.SymbolKind> = {
  key: lsp.SymbolKind.Property,
  list: lsp.SymbolKind.Array,
  item: lsp.SymbolKind.Object,
  defaults: lsp.SymbolKind.Namespace,
  entry: lsp.SymbolKind.File,
};
