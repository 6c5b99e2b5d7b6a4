// The workspace's Hydra apps, kept current: the `bait.apps` and `bait.pythonPath` settings, and the Python files
// with `@hydra.main(...)` (found once, then on every .py change). Runner.terminal asks it which app, if any, runs
// a config dir (extension/apps/detect.ts decides).
import * as vscode from 'vscode';
import { existsSync, readFileSync } from 'node:fs';
import { settings } from '../settings.js';
import { appFor, parseHydraMains, pythonFor, type AppChoice, type AppSetting, type HydraMain } from './detect.js';

const EXCLUDE = '{**/node_modules/**,**/.venv/**,**/venv/**,**/site-packages/**,**/.git/**,**/outputs/**,**/multirun/**,**/runs/**}';

export class AppRegistry implements vscode.Disposable {
  private mains: HydraMain[] = [];
  private readonly watcher: vscode.FileSystemWatcher;
  private timer: NodeJS.Timeout | undefined;
  /** Settles when the first scan of the workspace's Python files is done. */
  ready: Promise<void>;

  constructor() {
    this.ready = this.scan();
    this.watcher = vscode.workspace.createFileSystemWatcher('**/*.py');
    const later = (): void => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => (this.ready = this.scan()), 500);
    };
    this.watcher.onDidChange(later);
    this.watcher.onDidCreate(later);
    this.watcher.onDidDelete(later);
  }

  private async scan(): Promise<void> {
    const files = await vscode.workspace.findFiles('**/*.py', EXCLUDE, 2000);
    const mains: HydraMain[] = [];
    for (const f of files) {
      let text: string;
      try {
        text = readFileSync(f.fsPath, 'utf8');
      } catch {
        continue;
      }
      if (text.includes('hydra.main')) mains.push(...parseHydraMains(f.fsPath, text));
    }
    this.mains = mains;
  }

  /** The app that runs a config dir's configs, or undefined for our own runner. */
  appFor(configDir: string): AppChoice | undefined {
    const root = settings.workspaceRoot();
    if (!root) return undefined;
    const section = vscode.workspace.getConfiguration('bait');
    const apps = (section.get<AppSetting[]>('apps') ?? []).filter((a) => a && typeof a.configDir === 'string' && typeof a.command === 'string');
    const python = pythonFor(section.get<string>('pythonPath') || undefined, root, existsSync);
    return appFor(configDir, { settings: apps, mains: this.mains, python, workspaceRoot: root });
  }

  dispose(): void {
    this.watcher.dispose();
    if (this.timer) clearTimeout(this.timer);
  }
}
