// "Show Composed Config": the composed config as a virtual read-only YAML document (scheme bait-composed), named
// `<config> (composed).yaml` so its tab never reads like the source file. It is live: an edit to any config file
// (saved or not; the server composes with the editor's buffers) recomposes every open composed document. Each
// value hovers with where it was set (file:line:col or override, and what it overrode) and goes to that source
// with Go to Definition. The language server composes; without one the bundled CLI does (then no provenance).
import * as vscode from 'vscode';
import type { ComposedNode, ConfigRef } from '../language-server/protocol.js';
import type { BaitClient } from './client.js';
import { describeOrigin, dottedPath, provenanceAt } from './composed-provenance.js';
import type { Runner } from './runner.js';
import { settings } from './settings.js';

export const SCHEME = 'bait-composed';

interface Composed {
  ref: ConfigRef;
  overrides: string[];
  text: string;
  config: ComposedNode | null;
}

export class ComposedConfigProvider implements vscode.TextDocumentContentProvider, vscode.HoverProvider,
  vscode.DefinitionProvider, vscode.Disposable {
  private readonly docs = new Map<string, Composed>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private timer: NodeJS.Timeout | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly client: BaitClient, private readonly runner: Runner) {
    const configEdited = (doc: vscode.TextDocument): void => {
      if (doc.uri.scheme !== 'file' || !/\.ya?ml$/.test(doc.uri.fsPath)) return;
      if (!settings.configDirs().some((d) => doc.uri.fsPath.startsWith(`${d}/`))) return;
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.refreshAll(), 300);
    };
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((e) => configEdited(e.document)),
      vscode.workspace.onDidSaveTextDocument(configEdited),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.uri.scheme === SCHEME) this.docs.delete(d.uri.toString());
      }),
    ];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.toString())?.text ?? '# Not composed yet.\n';
  }

  async compose(ref: ConfigRef, overrides: string[] = []): Promise<{ text: string; config: ComposedNode | null }> {
    let result;
    try {
      result = await this.client.composedConfig({ ...ref, overrides });
    } catch {
      result = undefined;
    }
    if (result) {
      if (result.yaml !== null) return { text: result.yaml, config: result.config };
      const errors = result.errors.map((e) => `# ${e.code}: ${e.message}`).join('\n');
      return { text: `# ${ref.configName} does not compose:\n${errors}\n`, config: null };
    }
    try {
      return { text: await this.runner.exec(['run', ref.configName, ...overrides, '--config-dir', ref.configDir, '--cfg', 'job']), config: null };
    } catch (e) {
      return { text: `# ${ref.configName} could not be composed:\n${String(e instanceof Error ? e.message : e).replace(/^/gm, '# ')}\n`, config: null };
    }
  }

  uriOf(ref: ConfigRef, overrides: string[]): vscode.Uri {
    return vscode.Uri.from({ scheme: SCHEME, path: `/${ref.configName} (composed).yaml`,
      query: new URLSearchParams({ dir: ref.configDir, o: JSON.stringify(overrides) }).toString() });
  }

  async show(ref: ConfigRef, overrides: string[] = []): Promise<vscode.TextEditor> {
    const uri = this.uriOf(ref, overrides);
    this.docs.set(uri.toString(), { ref, overrides, ...(await this.compose(ref, overrides)) });
    this.changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'yaml');
    return vscode.window.showTextDocument(doc, { preview: false });
  }

  /** Recomposes every open composed document; only changed texts are re-sent to the editor. */
  async refreshAll(): Promise<void> {
    for (const [key, d] of [...this.docs]) {
      const next = await this.compose(d.ref, d.overrides);
      const cur = this.docs.get(key);
      if (!cur) continue;
      cur.config = next.config;
      if (next.text !== cur.text) {
        cur.text = next.text;
        this.changed.fire(vscode.Uri.parse(key));
      }
    }
  }

  private at(document: vscode.TextDocument, position: vscode.Position): ReturnType<typeof provenanceAt> {
    const d = this.docs.get(document.uri.toString());
    if (!d || document.getText() !== d.text) return undefined;
    return provenanceAt(d.text, d.config, document.offsetAt(position));
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const p = this.at(document, position);
    if (!p?.origin) return undefined;
    const shorten = (uri: string): string => vscode.workspace.asRelativePath(vscode.Uri.parse(uri));
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`\`${dottedPath(p.spot.path).replace(/`/g, '')}\` set by `);
    md.appendMarkdown(`\`${describeOrigin(p.origin, shorten).replace(/`/g, '')}\``);
    if (p.history.length) {
      md.appendMarkdown('\n\noverrides: ');
      md.appendMarkdown(p.history.map((h) => `\`${describeOrigin(h, shorten).replace(/`/g, '')}\``).join(' ← '));
    }
    if (p.origin.kind === 'file') md.appendMarkdown('\n\n_Go to Definition (F12) opens it._');
    return new vscode.Hover(md, new vscode.Range(document.positionAt(p.spot.start), document.positionAt(p.spot.end)));
  }

  provideDefinition(document: vscode.TextDocument, position: vscode.Position): vscode.Location | undefined {
    const p = this.at(document, position);
    if (p?.origin?.kind !== 'file') return undefined;
    const { uri, range } = p.origin.location;
    return new vscode.Location(vscode.Uri.parse(uri), new vscode.Range(range.start.line, range.start.character,
      range.end.line, range.end.character));
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}
