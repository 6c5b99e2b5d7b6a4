// The commands of DESIGN.md section 9. Each accepts what its callers pass: a CodeLens argument object, a run
// explorer node, `{ dir }`, or nothing (then it asks with a quick pick).
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Commands, type ConfigRef, type SweepFileCommandArgs } from '../language-server/protocol.js';
import type { BaitClient } from './client.js';
import type { ComposedConfigProvider } from './composed-config.js';
import { resolveConfig } from './configs.js';
import { runDirsOf, type RunExplorer } from './explorer.js';
import type { HostRegistry } from './hosts.js';
import type { RunRecord } from './run-dirs/model.js';
import { logFileOf } from './run-dirs/failure.js';
import type { ExplorerNode } from './run-dirs/tree.js';
import { readWandbLink } from './run-dirs/wandb.js';
import { hostsOverride } from './override-text.js';
import type { Runner } from './runner.js';
import { askRunOverrides } from './run-overrides-flow.js';
import { sweepArgs, sweepFlow } from './sweep-flow.js';
import type { ConfigDiff } from '../webview/contract.js';
import { configDiff, readRunConfig } from './run-dirs/config-diff.js';
import { MetricsPanel } from './webviews/metrics-panel.js';
import { RunsTablePanel } from './webviews/runs-table-panel.js';
import { ResumeTreePanel } from './webviews/resume-tree-panel.js';

export interface Deps {
  context: vscode.ExtensionContext;
  client: BaitClient;
  runner: Runner;
  explorer: RunExplorer;
  hosts: HostRegistry;
  composed: ComposedConfigProvider;
  /** The run explorer's view: a row's command may arrive without its row (see runOf). */
  view?: vscode.TreeView<ExplorerNode>;
}

/** Open panels, kept so a second "Open Metrics" on the same runs reveals the existing one. */
export const panels = {
  metrics: new Map<string, MetricsPanel>(),
  resumeTrees: new Set<ResumeTreePanel>(),
  runsTable: undefined as RunsTablePanel | undefined,
};

async function pickRun(explorer: RunExplorer, title: string, filter: (r: RunRecord) => boolean = () => true):
    Promise<RunRecord | undefined> {
  const runs = explorer.current().runs.filter(filter);
  if (runs.length === 0) {
    void vscode.window.showInformationMessage('BAIT: no runs found under the runs roots (setting bait.runsRoots).');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(runs.map((r) => ({
    label: `${r.experiment}/${r.name} ${r.id}`, description: r.status, detail: r.dir, run: r })), { title });
  return pick?.run;
}

/**
 * The run a command is about: the argument's, else the user's pick. With `rowFallback` (Stop Run), a missing
 * argument means the selected row when it fits: when the explorer refreshed between opening a row's menu and
 * clicking (a running run writes checkpoints), VS Code can no longer resolve the row and passes nothing, and
 * asking "which run?" about the row just clicked is wrong. Right-click selects the row, so the selection is it.
 */
async function runOf(deps: Deps, arg: unknown, title: string, filter: (r: RunRecord) => boolean = () => true,
  rowFallback = false): Promise<RunRecord | undefined> {
  if (rowFallback && arg === undefined && deps.view?.visible) {
    const selected = deps.view.selection.length === 1 ? runDirsOf(deps.view.selection[0])[0] : undefined;
    const run = selected ? deps.explorer.findRun(selected) : undefined;
    if (run && filter(run)) return run;
  }
  const dir = runDirsOf(arg)[0];
  if (dir) {
    const known = deps.explorer.findRun(dir);
    if (known) return known;
    deps.explorer.reload();
    const again = deps.explorer.findRun(dir);
    if (again) return again;
    void vscode.window.showErrorMessage(`BAIT: ${dir} is not a run directory (no run.json or .hydra/config.yaml).`);
    return undefined;
  }
  return pickRun(deps.explorer, title, filter);
}

/** Overrides a CodeLens puts before the user's own: `experiment=example` when the file is an experiment option. */
function baseOverrides(arg: unknown): string[] {
  const o = (arg && typeof arg === 'object' ? (arg as { overrides?: unknown }).overrides : undefined);
  return Array.isArray(o) && !('kind' in (arg as object)) ? o.filter((x): x is string => typeof x === 'string') : [];
}

export function openMetrics(deps: Deps, runs: RunRecord[], title: string, sweepDir?: string, diff?: ConfigDiff): MetricsPanel {
  const key = MetricsPanel.keyOf(runs.map((r) => r.dir), sweepDir, !!diff);
  const open = panels.metrics.get(key);
  if (open) {
    open.handle.panel.reveal();
    return open;
  }
  const panel = new MetricsPanel(deps.context, deps.explorer, runs, title, sweepDir,
    (dir) => void vscode.commands.executeCommand('bait.openMetrics', { dir }),
    () => panels.metrics.delete(key), diff,
    ([a, b]) => void vscode.commands.executeCommand('vscode.diff', vscode.Uri.file(join(a, '.hydra', 'config.yaml')),
      vscode.Uri.file(join(b, '.hydra', 'config.yaml')), `${basename(a)} ↔ ${basename(b)} (saved configs)`));
  panels.metrics.set(key, panel);
  return panel;
}

export function registerCommands(deps: Deps): vscode.Disposable[] {
  const { runner, explorer, hosts, client, composed } = deps;
  const reg = (id: string, fn: (...args: unknown[]) => unknown): vscode.Disposable =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (e) {
        void vscode.window.showErrorMessage(`BAIT: ${e instanceof Error ? e.message : String(e)}`);
        return undefined;
      }
    });

  return [
    reg(Commands.runExperiment, async (arg) => {
      const ref = await resolveConfig(arg, client);
      if (!ref) return undefined;
      const base = baseOverrides(arg);
      return runner.terminal(ref.configName, ['run', ref.configName, ...base, ...runner.hostArgs(), '--config-dir', ref.configDir],
        { config: ref, overrides: base });
    }),

    reg(Commands.runWithOverrides, async (arg) => {
      // From a run's or a sweep job's row: the same config again, its overrides offered for editing.
      const node = arg as Partial<ExplorerNode> | undefined;
      const fromRun = node?.kind === 'run' && 'run' in node && node.run?.configName && node.run.configDir
        ? { configName: node.run.configName, configDir: node.run.configDir, overrides: node.run.overrides }
        : node?.kind === 'job' && 'sweep' in node && node.sweep?.configName && node.sweep.configDir && 'job' in node && node.job
          ? { configName: node.sweep.configName, configDir: node.sweep.configDir, overrides: node.job.overrides } : undefined;
      const ref = fromRun ? { configName: fromRun.configName, configDir: fromRun.configDir } : await resolveConfig(arg, client);
      if (!ref) return undefined;
      const base = baseOverrides(arg);
      const overrides = await askRunOverrides(client, deps.context.workspaceState, ref, base, fromRun?.overrides);
      if (!overrides) return undefined;
      return runner.terminal(`${ref.configName} ${overrides.join(' ')}`.trim(),
        ['run', ref.configName, ...base, ...overrides, ...runner.hostArgs(), '--config-dir', ref.configDir],
        { config: ref, overrides: [...base, ...overrides] });
    }),

    reg(Commands.launchSweep, async (arg) => {
      const ref = await resolveConfig(arg, client);
      if (!ref) return undefined;
      const plan = await sweepFlow(client, hosts, ref);
      if (!plan) return undefined;
      const host = plan.host ? hosts.all().find((h) => h.name === plan.host)?.ssh : undefined;
      return runner.terminal(`sweep ${ref.configName}`, sweepArgs(plan, host ? hostsOverride([host]) : undefined),
        { kind: 'sweep', config: ref, overrides: plan.overrides });
    }),

    reg(Commands.launchSweepFile, async (arg) => {
      // The server's lens passes the sweep file as `file` (a path); the protocol also allows `uri`.
      const a = arg as (SweepFileCommandArgs & { file?: string }) | undefined;
      const file = a?.file ?? (a?.uri ? vscode.Uri.parse(a.uri).fsPath : vscode.window.activeTextEditor?.document.uri.fsPath);
      if (!file) return undefined;
      const go = await vscode.window.showQuickPick([{ label: `Launch ${a?.jobs ?? '?'} jobs`, go: true }, { label: 'Cancel', go: false }],
        { title: `Sweep file ${file}` });
      if (!go?.go) return undefined;
      const cfg: ConfigRef | undefined = a?.config;
      return runner.terminal(`sweep ${file.split('/').pop()}`, ['run', ...(cfg ? [cfg.configName] : []), '--sweep', file,
        ...(a?.configDir ? ['--config-dir', a.configDir] : [])]);
    }),

    reg(Commands.showComposedConfig, async (arg) => {
      const ref = await resolveConfig(arg, client);
      return ref ? composed.show(ref) : undefined;
    }),

    reg('bait.resumeRun', async (arg) => {
      const run = await runOf(deps, arg, 'Resume which run?', (r) => r.status !== 'running' && r.checkpoints.length > 0);
      if (!run) return undefined;
      const from = (arg && typeof arg === 'object' && typeof (arg as { from?: unknown }).from === 'string')
        ? (arg as { from: string }).from : undefined;
      return runner.terminal(`resume ${run.id}`, ['resume', run.dir, ...(from ? ['--from', from] : [])], { runDir: run.dir });
    }),

    reg('bait.forkFromCheckpoint', async (arg) => {
      const raw = (arg ?? {}) as { kind?: string; checkpoint?: unknown };
      let checkpoint = raw.kind === 'checkpoint' ? (arg as Extract<ExplorerNode, { kind: 'checkpoint' }>).checkpoint.name
        : typeof raw.checkpoint === 'string' ? raw.checkpoint : undefined;
      const run = await runOf(deps, arg, 'Fork which run?', (r) => r.checkpoints.length > 0);
      if (!run) return undefined;
      if (!checkpoint) {
        const pick = await vscode.window.showQuickPick(run.checkpoints.map((c) => ({
          label: c.isBest ? `★ ${c.name}` : c.name, description: c.step !== undefined ? `step ${c.step}` : '', name: c.name })),
        { title: `Fork ${run.id} from which checkpoint?` });
        checkpoint = pick?.name;
      }
      if (!checkpoint) return undefined;
      return runner.terminal(`fork ${run.id}@${checkpoint}`, ['resume', run.dir, '--from', checkpoint, '--fork']);
    }),

    reg('bait.stopRun', async (arg) => {
      const run = await runOf(deps, arg, 'Stop which run?', (r) => r.status === 'running', true);
      if (!run) return undefined;
      const out = await runner.exec(['stop', run.dir]);
      void vscode.window.showInformationMessage(`BAIT: stopping ${run.id}. ${out.trim()}`.trim());
      explorer.reload();
      return out;
    }),

    reg('bait.openMetrics', async (arg) => {
      const node = arg as { kind?: string; label?: string } | undefined;
      if (node?.kind === 'sweep') {
        const sweep = (arg as Extract<ExplorerNode, { kind: 'sweep' }>).sweep;
        const runs = runDirsOf(arg).map((d) => explorer.findRun(d)).filter((r): r is RunRecord => !!r);
        return openMetrics(deps, runs, `Metrics: sweep ${sweep.name}`, sweep.dir);
      }
      const dirs = runDirsOf(arg);
      if (dirs.length > 1) {
        const runs = dirs.map((d) => explorer.findRun(d)).filter((r): r is RunRecord => !!r);
        return openMetrics(deps, runs, `Metrics: ${node?.label ?? `${runs.length} runs`}`);
      }
      const run = await runOf(deps, arg, 'Open the metrics of which run?');
      if (!run) return undefined;
      return openMetrics(deps, [run], `Metrics: ${run.name} ${run.id}`);
    }),

    reg('bait.openCheckpointTree', async (arg) => {
      const dir = runDirsOf(arg)[0];
      const panel = new ResumeTreePanel(deps.context, explorer, dir, () => panels.resumeTrees.delete(panel));
      panels.resumeTrees.add(panel);
      return panel;
    }),

    reg('bait.openLog', async (arg) => {
      const dir = runDirsOf(arg)[0] ?? (await runOf(deps, arg, 'Open the log of which run?'))?.dir;
      if (!dir) return undefined;
      const file = logFileOf(dir);
      if (!file) throw new Error(`${dir} has no log yet (log.txt or launcher.log).`);
      return vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
    }),

    reg('bait.openConfig', async (arg) => {
      // A sweep job that failed before its run directory was written: its config is the sweep's with its overrides.
      const node = arg as Partial<ExplorerNode> | undefined;
      if (node?.kind === 'job' && 'sweep' in node && node.sweep && 'job' in node && node.job) {
        const { sweep, job } = node as Extract<ExplorerNode, { kind: 'job' }>;
        if (!sweep.configName || !sweep.configDir) throw new Error(`${sweep.dir}/sweep.json names no config.`);
        return composed.show({ configName: sweep.configName, configDir: sweep.configDir }, job.overrides);
      }
      const run = await runOf(deps, arg, 'Open the config of which run?');
      if (!run) return undefined;
      const file = [join(run.dir, '.hydra', 'config.yaml'), join(run.dir, 'run.json')].find((f) => existsSync(f));
      if (!file) throw new Error(`${run.dir} has neither .hydra/config.yaml nor run.json.`);
      return vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
    }),

    // The context menu's entries are separate ids only for their titles (a menu reads `&` as a mnemonic, so they
    // say `W&&B`, which the palette would show as typed); they run the same commands.
    reg('bait.syncToWandbFromMenu', (arg) => vscode.commands.executeCommand('bait.syncToWandb', arg)),
    reg('bait.openInWandbFromMenu', (arg) => vscode.commands.executeCommand('bait.openInWandb', arg)),

    reg('bait.syncToWandb', async (arg) => {
      const run = await runOf(deps, arg, 'Upload which run to W&B?', (r) => r.status !== 'running');
      if (!run) return undefined;
      const w = readWandbLink(run.dir);
      if ('reason' in w) throw new Error(`${run.id} cannot be synced: ${w.reason}.`);
      // W&B's own CLI in a terminal: it shows its progress and the run's page, and can ask for a login.
      const term = vscode.window.createTerminal({ name: `wandb sync ${run.id}`, shellPath: 'wandb', shellArgs: ['sync', w.link.folder],
        cwd: run.dir });
      term.show(true);
      return term;
    }),

    reg('bait.openInWandb', async (arg) => {
      const run = await runOf(deps, arg, 'Open which run in W&B?');
      if (!run) return undefined;
      const w = readWandbLink(run.dir);
      if ('reason' in w) throw new Error(`${run.id} has no W&B page: ${w.reason}.`);
      if (!w.link.url) {
        const sync = await vscode.window.showInformationMessage(`BAIT: the W&B page of ${run.id} is not known yet: "wandb sync" ` +
          'prints it when it uploads the run (set logging_config.entity and runs know their page from the start).', 'Sync to W&B');
        if (sync) await vscode.commands.executeCommand('bait.syncToWandb', { dir: run.dir });
        return undefined;
      }
      return vscode.env.openExternal(vscode.Uri.parse(w.link.url));
    }),

    reg('bait.selectHost', async (arg) => {
      let name = typeof arg === 'string' ? arg : undefined;
      if (!name) {
        const current = hosts.current().name;
        const pick = await vscode.window.showQuickPick(hosts.all().map((h) => ({
          label: h.name, description: h.detail, picked: h.name === current })), { title: 'Where should runs go?' });
        name = pick?.label;
      }
      if (!name) return undefined;
      if (!hosts.all().some((h) => h.name === name)) throw new Error(`no host named ${name}; add it to the setting bait.sshHosts.`);
      await hosts.select(name);
      return name;
    }),

    reg('bait.openRunsTable', () => {
      if (panels.runsTable) {
        panels.runsTable.handle.panel.reveal();
        return panels.runsTable;
      }
      panels.runsTable = new RunsTablePanel(deps.context, explorer, () => {
        panels.runsTable = undefined;
      });
      return panels.runsTable;
    }),

    reg('bait.compareRuns', async (arg) => {
      let dirs = Array.isArray(arg) ? arg.filter((d): d is string => typeof d === 'string') : runDirsOf(arg);
      if (arg === undefined) {
        const picks = await vscode.window.showQuickPick(explorer.current().runs.map((r) => ({
          label: `${r.experiment}/${r.name} ${r.id}`, description: `${r.status} ${r.overrides.join(' ')}`, detail: r.dir, dir: r.dir })),
        { title: 'Compare which runs? (two or more)', canPickMany: true });
        if (!picks) return undefined;
        dirs = picks.map((p) => p.dir);
      }
      const runs = dirs.map((d) => explorer.findRun(d)).filter((r): r is RunRecord => !!r);
      if (runs.length < 2) throw new Error('pick two or more runs to compare (in the runs table, tick their boxes).');
      const labels = runs.map((r) => `${r.name} ${r.id}`);
      const diff = configDiff(labels, runs.map((r) => readRunConfig(r.dir)), runs.map((r) => r.dir));
      return openMetrics(deps, runs, `Compare: ${runs.length} runs`, undefined, diff);
    }),

    reg('bait.refreshRuns', () => {
      explorer.watch();
      explorer.reload(true, true);
    }),
  ];
}
