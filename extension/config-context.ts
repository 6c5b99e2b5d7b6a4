// The final config an option file is seen in. A group option (`model/mnist.yaml`) is composed through a final
// config that selects it, and hover shows values as that config composes them; when several select it, this
// status-bar item says which one is used and lets the user pick another (the server remembers the choice).
import * as vscode from 'vscode';
import type { ConfigContext } from '../language-server/protocol.js';
import type { BaitClient } from './client.js';

export const PICK_CONTEXT_COMMAND = 'bait.pickConfigContext';

const label = (c: ConfigContext) => [c.configName, ...c.overrides].join(' ');

export class ConfigContextItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('bait.configContext', vscode.StatusBarAlignment.Left, 49);
  private readonly disposables: vscode.Disposable[] = [];
  private generation = 0;

  constructor(private readonly client: BaitClient) {
    this.item.name = 'BAIT config context';
    this.item.command = PICK_CONTEXT_COMMAND;
    this.disposables.push(
      this.item,
      vscode.commands.registerCommand(PICK_CONTEXT_COMMAND, () => this.pick()),
      vscode.window.onDidChangeActiveTextEditor(() => void this.update()),
      vscode.workspace.onDidSaveTextDocument(() => void this.update()),
    );
    void this.update();
  }

  private async contexts(): Promise<{ uri: string; contexts: ConfigContext[] } | undefined> {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || doc.languageId !== 'yaml' || doc.uri.scheme !== 'file') return undefined;
    const uri = doc.uri.toString();
    const contexts = await this.client.configContexts({ uri }).catch(() => undefined);
    return contexts ? { uri, contexts } : undefined;
  }

  /** Shown only for a file several final configs select: with one, there is nothing to pick. */
  async update(): Promise<void> {
    const generation = ++this.generation;
    const found = await this.contexts();
    if (generation !== this.generation) return;
    const chosen = found?.contexts.find((c) => c.chosen);
    if (!found || found.contexts.length < 2 || !chosen) {
      this.item.hide();
      return;
    }
    this.item.text = `$(layers) ${label(chosen)}`;
    this.item.tooltip = `Hover and completion compose this file through \`${label(chosen)}\` (${found.contexts.length} final configs select it). Click to pick another.`;
    this.item.show();
  }

  async pick(): Promise<void> {
    const found = await this.contexts();
    if (!found?.contexts.length) {
      void vscode.window.showInformationMessage('BAIT: this file is not selected by any runnable final config.');
      return;
    }
    const items = found.contexts.map((c) => ({
      label: label(c), description: c.chosen ? 'current' : '', detail: vscode.Uri.parse(c.uri).fsPath, context: c,
    }));
    const picked = await vscode.window.showQuickPick(items, { placeHolder: 'Compose this file through which final config?' });
    if (!picked) return;
    await this.client.chooseConfigContext({ uri: found.uri, context: picked.context.uri });
    await this.update();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
