// "Show Composed Config": the composed config as a virtual read-only YAML document (scheme bait-composed). The
// language server composes it (with the editor's unsaved buffers); without a server the bundled CLI does.
import * as vscode from 'vscode';
import type { ConfigRef } from '../language-server/protocol.js';
import type { BaitClient } from './client.js';
import type { Runner } from './runner.js';

export const SCHEME = 'bait-composed';

export class ComposedConfigProvider implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly client: BaitClient, private readonly runner: Runner) {}

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '# Not composed yet.\n';
  }

  async compose(ref: ConfigRef, overrides: string[] = []): Promise<string> {
    let result;
    try {
      result = await this.client.composedConfig({ ...ref, overrides });
    } catch {
      result = undefined;
    }
    if (result) {
      if (result.yaml !== null) return result.yaml;
      const errors = result.errors.map((e) => `# ${e.code}: ${e.message}`).join('\n');
      return `# ${ref.configName} does not compose:\n${errors}\n`;
    }
    return this.runner.exec(['run', ref.configName, ...overrides, '--config-dir', ref.configDir, '--cfg', 'job']);
  }

  async show(ref: ConfigRef, overrides: string[] = []): Promise<vscode.TextEditor> {
    let text: string;
    try {
      text = await this.compose(ref, overrides);
    } catch (e) {
      text = `# ${ref.configName} could not be composed:\n${String(e instanceof Error ? e.message : e).replace(/^/gm, '# ')}\n`;
    }
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${ref.configName}.yaml`,
      query: new URLSearchParams({ dir: ref.configDir, o: JSON.stringify(overrides) }).toString() });
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'yaml');
    return vscode.window.showTextDocument(doc, { preview: false });
  }
}
