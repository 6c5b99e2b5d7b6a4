// Hosts the checkpoint & resume tree for a run's family (its root and every fork below it) or for all runs, and
// turns the page's actions into the extension's commands.
import * as vscode from 'vscode';
import type { GraphRun, ResumeTreeHostMessage, ResumeTreeWebviewMessage } from '../../webview/contract.js';
import type { RunExplorer } from '../explorer.js';
import type { RunRecord } from '../run-dirs/model.js';
import { attemptSteps } from '../run-dirs/attempt-steps.js';
import { resolveParent } from '../run-dirs/tree.js';
import { createPanel, type PanelHandle } from './panel.js';
import { toGraphRun } from './to-webview.js';

/** The runs to show: with a focus run, its oldest ancestor and all descendants; else every run. */
export function familyOf(all: RunRecord[], focus: string | undefined): GraphRun[] {
  const byDir = new Map(all.map((r) => [r.dir, r]));
  const byId = new Map(all.map((r) => [r.id, r]));
  const parentOf = (r: RunRecord): RunRecord | undefined => resolveParent(r, byDir, byId);
  let chosen = all;
  if (focus && byDir.has(focus)) {
    let root = byDir.get(focus)!;
    const seen = new Set<string>([root.dir]);
    for (let p = parentOf(root); p && !seen.has(p.dir); p = parentOf(p)) {
      seen.add(p.dir);
      root = p;
    }
    const members = new Set<string>([root.dir]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const r of all) {
        const p = parentOf(r);
        if (p && members.has(p.dir) && !members.has(r.dir)) {
          members.add(r.dir);
          grew = true;
        }
      }
    }
    chosen = all.filter((r) => members.has(r.dir));
  }
  return chosen.map((r) => toGraphRun(r, parentOf(r)?.dir, attemptSteps(r.dir)));
}

export class ResumeTreePanel implements vscode.Disposable {
  readonly handle: PanelHandle<ResumeTreeHostMessage>;
  private readonly subscription: vscode.Disposable;
  private ready = false;

  constructor(context: vscode.ExtensionContext, private readonly explorer: RunExplorer, private readonly focus: string | undefined,
    onDispose: () => void) {
    this.handle = createPanel<ResumeTreeHostMessage, ResumeTreeWebviewMessage>(context, {
      viewType: 'bait.resumeTree', bundle: 'resume-tree', title: 'Checkpoint & Resume Tree',
      onInitialized: (h) => {
        this.ready = true;
        void h.post({ type: 'init', title: 'Checkpoint & resume tree', runs: familyOf(explorer.current().runs, focus), focus });
      },
      onMessage: (m) => {
        switch (m.type) {
          case 'resume':
            void vscode.commands.executeCommand('bait.resumeRun', { dir: m.key, from: m.from });
            break;
          case 'fork':
            void vscode.commands.executeCommand('bait.forkFromCheckpoint', { dir: m.key, checkpoint: m.checkpoint });
            break;
          case 'openConfig':
            void vscode.commands.executeCommand('bait.openConfig', { dir: m.key });
            break;
          case 'openMetrics':
            void vscode.commands.executeCommand('bait.openMetrics', { dir: m.key });
            break;
        }
      },
    });
    this.subscription = explorer.onDidReload((scan) => {
      if (this.ready) void this.handle.post({ type: 'update', runs: familyOf(scan.runs, this.focus) });
    });
    this.handle.panel.onDidDispose(() => {
      this.dispose();
      onDispose();
    });
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
