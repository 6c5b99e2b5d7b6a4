// Hosts the runs table: every run and sweep job under the runs roots as rows (run-dirs/table-rows.ts), refreshed
// whenever the explorer's scan changes; the page's edits (tags, notes) are written to run.json, a row opens its
// metrics (or its log when it failed), and "Compare" opens the compare view for the selected runs.
import * as vscode from 'vscode';
import type { RunsTableHostMessage, RunsTableWebviewMessage } from '../../webview/contract.js';
import type { RunExplorer } from '../explorer.js';
import { annotateRun } from '../run-dirs/annotate.js';
import { tableRows } from '../run-dirs/table-rows.js';
import { createPanel, type PanelHandle } from './panel.js';

export class RunsTablePanel implements vscode.Disposable {
  readonly handle: PanelHandle<RunsTableHostMessage>;
  private readonly subscription: vscode.Disposable;
  private ready = false;

  constructor(context: vscode.ExtensionContext, private readonly explorer: RunExplorer, onDispose: () => void) {
    this.handle = createPanel<RunsTableHostMessage, RunsTableWebviewMessage>(context, {
      viewType: 'bait.runsTable', bundle: 'runs-table', title: 'BAIT: Runs Table',
      onInitialized: (h) => {
        this.ready = true;
        void h.post({ type: 'init', runs: tableRows(explorer.current()) });
      },
      onMessage: (m) => this.onMessage(m),
    });
    this.subscription = explorer.onDidReload((scan) => {
      if (this.ready) void this.handle.post({ type: 'update', runs: tableRows(scan) });
    });
    this.handle.panel.onDidDispose(() => {
      this.dispose();
      onDispose();
    });
  }

  private onMessage(m: RunsTableWebviewMessage): void {
    try {
      switch (m.type) {
        case 'open': {
          const run = this.explorer.findRun(m.key);
          void vscode.commands.executeCommand(!run || run.status === 'failed' ? 'bait.openLog' : 'bait.openMetrics', { dir: m.key });
          break;
        }
        case 'setTags':
          annotateRun(m.key, { tags: m.tags });
          this.explorer.reload();
          break;
        case 'setNotes':
          annotateRun(m.key, { notes: m.notes });
          this.explorer.reload();
          break;
        case 'compare':
          void vscode.commands.executeCommand('bait.compareRuns', m.keys);
          break;
      }
    } catch (e) {
      void vscode.window.showErrorMessage(`BAIT: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
