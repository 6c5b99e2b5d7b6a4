// Hosts the metrics dashboard for one run or many (a sweep): sends every run's rows after the handshake, then
// the rows each metrics.jsonl gains, status changes, and jobs of the sweep that start later.
import * as vscode from 'vscode';
import { join } from 'node:path';
import type { ConfigDiff, MetricsHostMessage, MetricsWebviewMessage } from '../../webview/contract.js';
import type { RunExplorer } from '../explorer.js';
import type { RunRecord } from '../run-dirs/model.js';
import { MetricsWatcher } from '../run-dirs/watch-metrics.js';
import { createPanel, type PanelHandle } from './panel.js';
import { toColumns, toMetricsRun } from './to-webview.js';

export class MetricsPanel implements vscode.Disposable {
  readonly handle: PanelHandle<MetricsHostMessage>;
  private watcher: MetricsWatcher | undefined;
  private readonly runs = new Map<string, RunRecord>();
  private readonly subscription: vscode.Disposable;
  private ready = false;
  readonly key: string;

  constructor(context: vscode.ExtensionContext, explorer: RunExplorer, runs: RunRecord[], readonly title: string,
    private readonly sweepDir: string | undefined, onOpenRun: (dir: string) => void, onDispose: () => void,
    private readonly configDiff?: ConfigDiff, onOpenDiff?: (dirs: string[]) => void) {
    for (const r of runs) this.runs.set(r.dir, r);
    this.key = MetricsPanel.keyOf(runs.map((r) => r.dir), sweepDir, !!configDiff);
    this.handle = createPanel<MetricsHostMessage, MetricsWebviewMessage>(context, {
      viewType: 'bait.metrics', bundle: 'metrics', title,
      onInitialized: (h) => this.start(h),
      onMessage: (m) => {
        if (m.type === 'openRun') onOpenRun(m.key);
        else if (m.type === 'openDiff') onOpenDiff?.(m.keys);
      },
    });
    this.subscription = explorer.onDidReload((scan) => this.update(scan.runs));
    this.handle.panel.onDidDispose(() => {
      this.dispose();
      onDispose();
    });
  }

  static keyOf(dirs: string[], sweepDir?: string, compare = false): string {
    return sweepDir ? `sweep:${sweepDir}` : `${compare ? 'compare:' : ''}${[...dirs].sort().join('\n')}`;
  }

  /** (Re)sends everything: the page may have reloaded, so followers start from the beginning again. */
  private start(h: PanelHandle<MetricsHostMessage>): void {
    this.watcher?.close();
    this.watcher = new MetricsWatcher((file, rows) => {
      const dir = file.slice(0, -'/metrics.jsonl'.length);
      if (rows.length) void h.post({ type: 'append', key: dir, columns: toColumns(rows) });
    });
    const runs = [...this.runs.values()].map((r) => toMetricsRun(r, this.watcher!.add(join(r.dir, 'metrics.jsonl')),
      this.label(r)));
    this.ready = true;
    void h.post({ type: 'init', title: this.title, runs, configDiff: this.configDiff });
  }

  private label(r: RunRecord): string {
    return r.sweep ? `#${r.sweep.jobNum}` : `${r.name} ${r.id}`;
  }

  private update(all: RunRecord[]): void {
    if (!this.ready) return;
    for (const r of all) {
      const known = this.runs.get(r.dir);
      if (known) {
        if (known.status !== r.status) void this.handle.post({ type: 'status', key: r.dir, status: r.status });
        this.runs.set(r.dir, r);
      } else if (this.sweepDir && r.sweep?.dir === this.sweepDir) {
        this.runs.set(r.dir, r);
        const rows = this.watcher!.add(join(r.dir, 'metrics.jsonl'));
        void this.handle.post({ type: 'addRun', run: toMetricsRun(r, rows, this.label(r)) });
      }
    }
  }

  dispose(): void {
    this.watcher?.close();
    this.subscription.dispose();
  }
}
