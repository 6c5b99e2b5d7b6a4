// The run explorer: a TreeDataProvider over the plain tree of run-dirs/tree.ts. File watchers on the runs roots
// (run.json, sweep.json, checkpoint index) refresh it, debounced, so status changes show live.
import * as vscode from 'vscode';
import { join, relative, sep } from 'node:path';
import type { RunRecord } from './run-dirs/model.js';
import { scanRunsRoots, type ScanResult } from './run-dirs/scan.js';
import { buildExplorerTree, type ExplorerNode } from './run-dirs/tree.js';
import { settings } from './settings.js';

const STATUS_ICON: Record<string, string> = {
  running: 'sync~spin', completed: 'pass', failed: 'error', stopped: 'debug-stop', unknown: 'circle-outline',
  pending: 'clock',
};

export class RunExplorer implements vscode.TreeDataProvider<ExplorerNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ExplorerNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: ExplorerNode[] = [];
  private scan: ScanResult = { runs: [], sweeps: [] };
  private watchers: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners: ((scan: ScanResult) => void)[] = [];

  private readonly poll: NodeJS.Timeout;
  private signature = '';

  constructor() {
    this.reload();
    this.watch();
    // File events can be lost (network mounts, remote hosts syncing run dirs back, watcher limits): a slow
    // re-scan catches what they miss, and only fires a change when something did change.
    this.poll = setInterval(() => this.reload(false), 3000);
  }

  /** Re-reads every runs root now; `always` false skips the update when nothing changed. */
  reload(always = true): void {
    const scan = scanRunsRoots(settings.runsRoots());
    const signature = JSON.stringify(scan, (k, v) => (k === 'mtimeMs' ? undefined : v));
    if (!always && signature === this.signature) return;
    this.signature = signature;
    this.scan = scan;
    this.roots = buildExplorerTree(this.scan);
    this.changed.fire(undefined);
    for (const l of this.listeners) l(this.scan);
  }

  /** Called after each reload with the fresh scan (the webview hosts use it to update their runs). */
  onDidReload(listener: (scan: ScanResult) => void): vscode.Disposable {
    this.listeners.push(listener);
    return new vscode.Disposable(() => this.listeners.splice(this.listeners.indexOf(listener), 1));
  }

  current(): ScanResult {
    return this.scan;
  }

  topLevel(): ExplorerNode[] {
    return this.roots;
  }

  findRun(dir: string): RunRecord | undefined {
    return this.scan.runs.find((r) => r.dir === dir);
  }

  /** Watches the roots for the files whose changes matter; a burst of writes gives one reload. */
  watch(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    const schedule = (): void => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => this.reload(), 200);
    };
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    for (const root of settings.runsRoots()) {
      // A root that does not exist yet (no run so far) cannot be watched itself: watch it from the workspace
      // folder that contains it, so the first run shows up too.
      const folder = folders.find((f) => root.startsWith(f + sep));
      const prefix = folder ? `${relative(folder, root).split(sep).join('/')}/` : '';
      for (const pattern of ['**/run.json', '**/sweep.json', '**/checkpoints/index.json', '**/.hydra/config.yaml']) {
        const w = folder
          ? vscode.workspace.createFileSystemWatcher(prefix + pattern)
          : vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(root), pattern));
        w.onDidCreate(schedule);
        w.onDidChange(schedule);
        w.onDidDelete(schedule);
        this.watchers.push(w);
      }
    }
  }

  getChildren(node?: ExplorerNode): ExplorerNode[] {
    return node ? node.children : this.roots;
  }

  getTreeItem(node: ExplorerNode): vscode.TreeItem {
    const collapsible = node.children.length === 0 ? vscode.TreeItemCollapsibleState.None
      : node.kind === 'experiment' || node.kind === 'name' ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(node.label, collapsible);
    item.id = node.id;
    item.description = node.description;
    switch (node.kind) {
      case 'experiment':
        item.iconPath = new vscode.ThemeIcon('beaker');
        item.contextValue = 'group';
        break;
      case 'name':
        item.iconPath = new vscode.ThemeIcon('folder');
        item.contextValue = 'group';
        break;
      case 'sweep':
        item.iconPath = new vscode.ThemeIcon('list-tree');
        item.contextValue = 'sweep';
        item.tooltip = node.sweep.dir;
        break;
      case 'run':
        item.iconPath = new vscode.ThemeIcon(STATUS_ICON[node.run.status]);
        item.contextValue = node.run.status === 'running' ? 'run-running' : 'run';
        item.tooltip = new vscode.MarkdownString(
          [`**${node.run.id}** · ${node.run.status}`, node.run.dir, node.run.overrides.join(' '),
            ...node.run.problems.map((p) => `⚠ ${p}`)].filter(Boolean).join('\n\n'));
        item.command = { command: 'bait.openMetrics', title: 'Open Metrics', arguments: [node] };
        break;
      case 'attempt':
        item.iconPath = new vscode.ThemeIcon(STATUS_ICON[node.attempt.status]);
        item.contextValue = 'attempt';
        break;
      case 'checkpoint':
        item.iconPath = new vscode.ThemeIcon(node.checkpoint.isBest ? 'star-full' : 'save');
        item.contextValue = 'checkpoint';
        item.tooltip = node.checkpoint.dir;
        break;
      case 'job':
        item.iconPath = new vscode.ThemeIcon(STATUS_ICON[node.job.status]);
        item.contextValue = 'job';
        break;
    }
    return item;
  }

  dispose(): void {
    clearInterval(this.poll);
    for (const w of this.watchers) w.dispose();
    if (this.timer) clearTimeout(this.timer);
    this.changed.dispose();
  }
}

/** The run directories a command argument names: a tree node, a run dir string, or a `{ dir }` object. */
export function runDirsOf(arg: unknown): string[] {
  if (typeof arg === 'string') return [arg];
  if (!arg || typeof arg !== 'object') return [];
  const n = arg as Partial<ExplorerNode> & { dir?: string };
  if (typeof n.dir === 'string') return [n.dir];
  if ((n.kind === 'run' || n.kind === 'attempt' || n.kind === 'checkpoint') && 'run' in n && n.run) return [n.run.dir];
  const out: string[] = [];
  const walk = (x: ExplorerNode): void => {
    if (x.kind === 'run') out.push(x.run.dir);
    x.children.forEach(walk);
  };
  if (n.kind && Array.isArray(n.children)) walk(n as ExplorerNode);
  return out;
}

export function metricsFile(runDir: string): string {
  return join(runDir, 'metrics.jsonl');
}
