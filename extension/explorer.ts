// The run explorer: a TreeDataProvider over the plain tree of run-dirs/tree.ts. File watchers on the runs roots
// (run.json, sweep.json, checkpoint index) refresh it, debounced, so status changes show live.
import * as vscode from 'vscode';
import { join, relative, sep } from 'node:path';
import { failureReason } from './run-dirs/failure.js';
import { reconcile } from './run-dirs/reconcile.js';
import type { RunRecord } from './run-dirs/model.js';
import { scanRunsRoots, type ScanResult } from './run-dirs/scan.js';
import { buildExplorerTree, type ExplorerNode } from './run-dirs/tree.js';
import { settings } from './settings.js';

const STATUS_ICON: Record<string, string> = {
  running: 'sync~spin', completed: 'pass', failed: 'error', stopped: 'debug-stop', unknown: 'circle-outline',
  pending: 'clock',
};

/** Status icons in the theme's own colours: red for failed, green for completed. */
function statusIcon(status: string): vscode.ThemeIcon {
  const color = status === 'failed' ? 'testing.iconFailed' : status === 'completed' ? 'testing.iconPassed' : undefined;
  return new vscode.ThemeIcon(STATUS_ICON[status] ?? 'circle-outline', color ? new vscode.ThemeColor(color) : undefined);
}

/** Tooltip paragraphs as [bold label, text]; the text (paths, overrides, log lines) is user text, kept literal. */
function tooltip(parts: [string, string | undefined][]): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  parts.filter(([label, text]) => label || text).forEach(([label, text], i) => {
    if (i) md.appendMarkdown('\n\n');
    if (label) md.appendMarkdown(`**${label}** `);
    if (text) md.appendText(text);
  });
  return md;
}

export class RunExplorer implements vscode.TreeDataProvider<ExplorerNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ExplorerNode | ExplorerNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: ExplorerNode[] = [];
  /** For TreeView.reveal, which walks up from a node. */
  private parents = new Map<ExplorerNode, ExplorerNode>();
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

  /**
   * Re-reads every runs root now; `always` false skips the work when nothing on disk changed. Only rows that
   * changed are refreshed; `full` redraws the whole tree (the Refresh command).
   */
  reload(always = true, full = false): void {
    const scan = scanRunsRoots(settings.runsRoots());
    const signature = JSON.stringify(scan, (k, v) => (k === 'mtimeMs' ? undefined : v));
    if (!always && signature === this.signature) return;
    this.signature = signature;
    this.scan = scan;
    // Node objects are kept across reloads and only changed rows are refreshed (run-dirs/reconcile.ts says why).
    const { roots, changed } = reconcile(this.roots, buildExplorerTree(this.scan));
    this.roots = roots;
    this.parents = new Map();
    const walk = (n: ExplorerNode): void => n.children.forEach((c) => {
      this.parents.set(c, n);
      walk(c);
    });
    this.roots.forEach(walk);
    if (changed === undefined || full) this.changed.fire(undefined);
    else if (changed.length) this.changed.fire(changed);
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

  getParent(node: ExplorerNode): ExplorerNode | undefined {
    return this.parents.get(node);
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
      case 'run': {
        const run = node.run;
        item.iconPath = statusIcon(run.status);
        item.contextValue = run.status === 'running' ? 'run-running' : 'run';
        const reason = run.status === 'failed' ? failureReason(run.dir) : undefined;
        item.tooltip = tooltip([['', `${run.id} · ${run.status}`], [reason ? 'Failed:' : '', reason], ['', run.dir],
          ['', run.overrides.join(' ')], ...run.problems.map((p): [string, string] => ['⚠', p])]);
        // A failed run's first question is why: its log; the metrics stay one inline click away.
        item.command = run.status === 'failed'
          ? { command: 'bait.openLog', title: 'Open Log', arguments: [node] }
          : { command: 'bait.openMetrics', title: 'Open Metrics', arguments: [node] };
        break;
      }
      case 'attempt':
        item.iconPath = new vscode.ThemeIcon(STATUS_ICON[node.attempt.status]);
        item.contextValue = 'attempt';
        break;
      case 'checkpoint':
        item.iconPath = new vscode.ThemeIcon(node.checkpoint.isBest ? 'star-full' : 'save');
        item.contextValue = 'checkpoint';
        item.tooltip = node.checkpoint.dir;
        break;
      case 'job': {
        const { job } = node;
        item.iconPath = statusIcon(job.status);
        item.contextValue = job.status === 'running' ? 'job-running' : 'job';
        const reason = job.status === 'failed' || job.status === 'stopped' ? failureReason(job.dir, job.error) : undefined;
        item.tooltip = tooltip([['', `job #${job.num} · ${job.status}`],
          [reason ? (job.status === 'failed' ? 'Failed:' : 'Stopped:') : '', reason], ['', job.dir], ['', job.overrides.join(' ')]]);
        if (job.dir) item.command = { command: 'bait.openLog', title: 'Open Log', arguments: [node] };
        break;
      }
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
  if (n.kind === 'job' && 'job' in n && n.job) return n.job.dir ? [n.job.dir] : [];
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
