// The extension's entry point: a thin client that wires the language client, the commands, the run explorer,
// the host status-bar item, the composed-config documents and the webview panels together. Activation happens
// when the workspace has configs (package.json's activationEvents) or a BAIT command or view is used.
import * as vscode from 'vscode';
import { BaitClient } from './client.js';
import { panels, registerCommands } from './commands.js';
import { ComposedConfigProvider, SCHEME } from './composed-config.js';
import { ConfigContextItem } from './config-context.js';
import { RunExplorer } from './explorer.js';
import type { ExplorerNode } from './run-dirs/tree.js';
import { HostRegistry } from './hosts.js';
import { reportRunEnd } from './run-end-report.js';
import { Runner } from './runner.js';
import { AppRegistry } from './apps/registry.js';

/** What activate() returns: used by the extension-host tests to look at the tree and the panels. */
export interface BaitApi {
  explorer: RunExplorer;
  client: BaitClient;
  hosts: HostRegistry;
  panels: typeof panels;
  apps: AppRegistry;
  runner: Runner;
  view: vscode.TreeView<ExplorerNode>;
}

let client: BaitClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<BaitApi> {
  const hosts = new HostRegistry(context.workspaceState);
  const runner = new Runner(context, hosts);
  const apps = new AppRegistry();
  runner.appLookup = (dir) => apps.appFor(dir);
  const explorer = new RunExplorer();
  client = new BaitClient();
  const composed = new ComposedConfigProvider(client, runner);
  const view = vscode.window.createTreeView('baitRuns', { treeDataProvider: explorer, showCollapseAll: true });
  context.subscriptions.push(view,
    hosts, explorer, apps, runner,
    runner.onDidEnd(({ launch, finish }) => {
      explorer.reload();
      void reportRunEnd(launch, finish, composed);
    }),
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, composed), composed,
    vscode.languages.registerHoverProvider({ scheme: SCHEME }, composed),
    vscode.languages.registerDefinitionProvider({ scheme: SCHEME }, composed),
    ...registerCommands({ context, client, runner, explorer, hosts, composed, view }),
    new ConfigContextItem(client),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('bait.runsRoots')) {
        explorer.watch();
        explorer.reload();
      }
      if (e.affectsConfiguration('bait.sshHosts')) hosts.refresh();
    }),
  );
  // The server's start must not hold up the commands and the explorer: a failure is reported, the rest works.
  const started = client.start(context).catch((e) => {
    void vscode.window.showErrorMessage(`BAIT: the language server did not start: ${e instanceof Error ? e.message : e}`);
  });
  context.subscriptions.push({ dispose: () => void client?.dispose() });
  await Promise.race([started, new Promise((r) => setTimeout(r, 5000))]);
  return { explorer, client, hosts, panels, apps, runner, view };
}

export async function deactivate(): Promise<void> {
  await client?.dispose();
}
