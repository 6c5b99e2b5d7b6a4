// Extension-host tests: run inside the real VS Code extension host (code-server 4.100.3) against the real
// language server, file watchers and webviews. The workspace is made by test/e2e/exthost.test.ts.
import * as assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { BaitApi } from '../../../extension/main.js';
import type { ExplorerNode } from '../../../extension/run-dirs/tree.js';
import type { MetricsPanel } from '../../../extension/webviews/metrics-panel.js';
import type { ResumeTreePanel } from '../../../extension/webviews/resume-tree-panel.js';
import { firstErrorLine } from '../../../extension/run-outcome.js';
import { checkRunOverrides } from '../../../extension/run-overrides-flow.js';
import { writeFixtureRun } from '../fixture-runs.js';

const ws = (): string => vscode.workspace.workspaceFolders![0].uri.fsPath;
const configDir = (): string => join(ws(), 'configs');

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

let api: BaitApi;

suiteSetup(async () => {
  const ext = vscode.extensions.getExtension<BaitApi>('bait.bait-experiments');
  assert.ok(ext, 'the extension is installed');
  api = await ext.activate();
});

suite('activation and commands', () => {
  test('activates in a workspace with configs and registers every contributed command', async () => {
    const ext = vscode.extensions.getExtension('bait.bait-experiments')!;
    assert.equal(ext.isActive, true);
    const contributed = (ext.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    const all = await vscode.commands.getCommands(true);
    for (const c of contributed) assert.ok(all.includes(c), `${c} is registered`);
    assert.ok(contributed.length >= 11);
  });

  test('the language client is running', async () => {
    await until('the client', () => api.client.client?.isRunning() || undefined);
  });
});

suite('language features through the client', () => {
  const demo = (): vscode.Uri => vscode.Uri.file(join(configDir(), 'demo.yaml'));

  test('CodeLens titles on a runnable config', async () => {
    await vscode.window.showTextDocument(demo());
    const titles = await until('lenses', async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', demo());
      const t = (lenses ?? []).map((l) => l.command?.title).filter(Boolean);
      return t.length >= 4 ? t : undefined;
    });
    assert.deepEqual(titles, ['Run Experiment', 'Run with Overrides…', 'Sweep…', 'Show Composed Config']);
  });

  test('completion offers an inherited key the file does not set yet', async () => {
    const uri = vscode.Uri.file(join(configDir(), 'partial.yaml'));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const line = doc.getText().split('\n').findIndex((l) => l.includes('max_epochs: 5')) + 1;
    let seen: string[] = [];
    const labels = await until('completions', async () => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider',
        uri, new vscode.Position(line, 2));
      seen = (list?.items ?? []).map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
      return seen.includes('seed') ? seen : undefined;
    }).catch((e) => {
      throw new Error(`${e instanceof Error ? e.message : e}; offered: ${JSON.stringify(seen)}`);
    });
    assert.ok(labels.includes('seed'));
    assert.ok(!labels.includes('max_epochs'), 'a key the file already sets is not offered again');
  });

  test('definition on a defaults entry goes to its file', async () => {
    const doc = await vscode.workspace.openTextDocument(demo());
    const line = doc.getText().split('\n').findIndex((l) => l.includes('- base/trainer'));
    const targets = await until('definition', async () => {
      const locs = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>(
        'vscode.executeDefinitionProvider', demo(), new vscode.Position(line, 8));
      return locs?.length ? locs : undefined;
    });
    const uri = 'targetUri' in targets[0] ? targets[0].targetUri : targets[0].uri;
    assert.equal(uri.fsPath, join(configDir(), 'base/trainer.yaml'));
  });

  test('hover shows the composed value and where it was set before', async () => {
    const doc = await vscode.workspace.openTextDocument(demo());
    const lines = doc.getText().split('\n');
    const line = lines.findIndex((l) => l.includes('max_epochs'));
    const text = await until('hover', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', demo(),
        new vscode.Position(line, lines[line].indexOf('max_epochs') + 2));
      const t = (hovers ?? []).flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      return t ? t : undefined;
    });
    assert.match(text, /trainer\.max_epochs/);
    assert.match(text, /`2`/);
    assert.match(text, /demo\.yaml/);
    assert.match(text, /overrides `base\/trainer\.yaml:3`: `3`/);
  });

  test('the composed view is live, names its tab apart from the source, and hovers/goes to each value\'s origin', async () => {
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('bait.showComposedConfig',
      { configDir: configDir(), configName: 'demo', uri: demo().toString() });
    assert.ok(editor.document.uri.path.endsWith('/demo (composed).yaml'), editor.document.uri.path);
    const text = editor.document.getText();
    const pos = editor.document.positionAt(text.indexOf('max_epochs') + 2);
    const hover = await until('a provenance hover', async () => {
      const hs = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, pos);
      const t = (hs ?? []).flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      return /set by/.test(t) ? t : undefined;
    });
    assert.match(hover, /`trainer\.max_epochs` set by `configs\/demo\.yaml:\d+:\d+`/);
    assert.match(hover, /overrides: `configs\/base\/trainer\.yaml:3:\d+`/);
    const defs = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', editor.document.uri, pos);
    const target = defs.map((d) => ('targetUri' in d ? d.targetUri : d.uri))[0];
    assert.equal(target?.fsPath, demo().fsPath);
    // Live: an unsaved edit of the source recomposes the open view.
    const source = await vscode.workspace.openTextDocument(demo());
    const edit = new vscode.WorkspaceEdit();
    const line = source.getText().split('\n').findIndex((l) => l.includes('max_epochs: 2'));
    edit.replace(demo(), new vscode.Range(line, 0, line, source.lineAt(line).text.length), '  max_epochs: 4');
    await vscode.workspace.applyEdit(edit);
    await until('the recomposed view', () => (/max_epochs: 4/.test(editor.document.getText()) ? true : undefined));
    const undo = new vscode.WorkspaceEdit();
    undo.replace(demo(), new vscode.Range(line, 0, line, source.lineAt(line).text.length), '  max_epochs: 2');
    await vscode.workspace.applyEdit(undo);
    await source.save();
  });

  test('Show Composed Config opens a read-only virtual YAML document', async () => {
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('bait.showComposedConfig',
      { configDir: configDir(), configName: 'demo', uri: demo().toString() });
    assert.ok(editor);
    assert.equal(editor.document.uri.scheme, 'bait-composed');
    assert.equal(editor.document.languageId, 'yaml');
    assert.match(editor.document.getText(), /max_epochs: 2/);
    assert.match(editor.document.getText(), /seed: 1/);
  });
});

function labels(nodes: ExplorerNode[]): unknown[] {
  return nodes.map((n) => (n.children.length ? { [n.label]: labels(n.children) } : n.label));
}

suite('run explorer and webviews', () => {
  let runDir = '';

  test('a run written under runs/ appears in the tree, grouped, with attempts and the best checkpoint', async () => {
    runDir = writeFixtureRun({ root: join(ws(), 'runs'), experiment: 'demo_exp', name: 'demo', id: 'run00001',
      stamp: '2026-11-28/12-00-00', attempts: 2, status: 'running', steps: 30,
      checkpoints: { 'epoch=1': 0.4, 'epoch=2': 0.2, last: 0 } });
    const tree = await until('the run in the tree', () => {
      const t = api.explorer.topLevel();
      return t.some((n) => n.label === 'demo_exp') ? t : undefined;
    });
    assert.deepEqual(labels(tree), [{ demo_exp: [{ demo: [{ '2026-11-28 12-00-00':
      ['attempt 1', 'attempt 2', 'epoch=1', '★ epoch=2', 'last'] }] }] }]);
  });

  test('a status change in run.json shows in the tree without a refresh', async () => {
    const text = require('node:fs').readFileSync(join(runDir, 'run.json'), 'utf8') as string;
    require('node:fs').writeFileSync(join(runDir, 'run.json'), text.replace('"status": "running"', '"status": "completed"'));
    await until('the completed status', () => api.explorer.findRun(runDir)?.status === 'completed' || undefined);
  });

  test('Open Metrics shows a chart per metric, and appended rows reach it', async () => {
    const panel = await vscode.commands.executeCommand<MetricsPanel>('bait.openMetrics', { dir: runDir });
    assert.ok(panel);
    const first = await until('the first render', () => panel.handle.lastRendered);
    assert.equal(first.charts, 2);
    assert.equal(first.points, 60);
    appendFileSync(join(runDir, 'metrics.jsonl'), '{"step": 30, "loss": 0.1, "acc": 0.95}\n');
    await until('the appended row', () => (panel.handle.lastRendered?.points === 62 ? true : undefined));
  });

  test('Open Checkpoint Tree shows the run with its two attempts and its checkpoints', async () => {
    const panel = await vscode.commands.executeCommand<ResumeTreePanel>('bait.openCheckpointTree', { dir: runDir });
    assert.ok(panel);
    const r = await until('the graph', () => panel.handle.lastRendered);
    assert.deepEqual(r, { type: 'rendered', runs: 1, attempts: 2, checkpoints: 3 });
  });

  test('Resume and Fork From Checkpoint start the bundled runner in a terminal', async () => {
    const before = vscode.window.terminals.length;
    const t1 = await vscode.commands.executeCommand<vscode.Terminal>('bait.resumeRun', { dir: runDir });
    const t2 = await vscode.commands.executeCommand<vscode.Terminal>('bait.forkFromCheckpoint', { dir: runDir, checkpoint: 'epoch=2' });
    assert.equal(t1?.name, 'bait: resume run00001');
    assert.equal(t2?.name, 'bait: fork run00001@epoch=2');
    assert.equal(vscode.window.terminals.length, before + 2);
    assert.deepEqual(api.runner.launchOf(t2)?.pty.spec.args, [join(vscode.extensions.getExtension('bait.bait-experiments')!.extensionPath, 'dist/runner.js'),
      'resume', runDir, '--from', 'epoch=2', '--fork']);
    assert.equal(api.runner.launchOf(t1)?.runDir, runDir);
  });

  test('Run Experiment runs the config in a terminal with no shell in between', async () => {
    const t = await vscode.commands.executeCommand<vscode.Terminal>('bait.runExperiment',
      { configDir: configDir(), configName: 'demo', uri: '' });
    const launch = api.runner.launchOf(t)!;
    assert.equal(launch.pty.spec.command, 'node');
    assert.deepEqual(launch.args, ['run', 'demo', '--config-dir', configDir()]);
  });

  test('a run that fails keeps its terminal open with the output and a closing "run ended: failed" line', async () => {
    // demo.yaml composes but has no model: the runner refuses it with a readable error and exit 1.
    const t = await vscode.commands.executeCommand<vscode.Terminal>('bait.runExperiment',
      { configDir: configDir(), configName: 'demo', uri: '' });
    const launch = api.runner.launchOf(t)!;
    const finish = await until('the end of the run', () => launch.pty.result, 60_000);
    assert.equal(finish.end, 'failed');
    assert.equal(finish.code, 1);
    assert.match(firstErrorLine(finish.output)!, /no model with a _target_/);
    assert.ok(vscode.window.terminals.includes(t), 'the terminal is still open');
    assert.equal(t.exitStatus, undefined, 'the terminal did not close');
  });

  test('Run with Overrides checks typed overrides like the sweep dialog: unknown keys, open quotes, value lists', async () => {
    const demoRef = { configDir: configDir(), configName: 'demo' };
    await until('the server', () => api.client.client?.isRunning() || undefined);
    const ok = await checkRunOverrides(api.client, demoRef, [], 'trainer.max_epochs=7  +trainer.note=\'a b\'');
    assert.equal(ok.error, undefined);
    assert.deepEqual(ok.overrides, ['trainer.max_epochs=7', "+trainer.note='a b'"]);
    assert.match((await checkRunOverrides(api.client, demoRef, [], 'trainer.nope=1')).error!, /trainer\.nope/);
    assert.match((await checkRunOverrides(api.client, demoRef, [], "trainer.seed='1")).error!, /not closed/);
    assert.match((await checkRunOverrides(api.client, demoRef, [], 'trainer.seed=1,2')).error!, /2 jobs.*Sweep/);
  });

  test('a failed sweep job without a run shows why in its tooltip and opens launcher.log on click', async () => {
    const fs = require('node:fs') as typeof import('node:fs');
    const sweepDir = join(ws(), 'runs/demo_exp/demo/2026-11-28/14-00-00');
    fs.mkdirSync(join(sweepDir, '1'), { recursive: true });
    fs.writeFileSync(join(sweepDir, '1/launcher.log'), "error: config key 'trainer.accelerator': needs tfjs-node\n");
    fs.writeFileSync(join(sweepDir, 'sweep.json'), JSON.stringify({ version: 1, config_name: 'demo', config_dir: configDir(),
      launcher: 'local', jobs: [{ num: 1, overrides: ['trainer.max_epochs=9'], status: 'failed', dir: '1',
        error: 'exit 1 on local; see launcher.log' }] }));
    const job = await until('the failed job', () => {
      const find = (ns: ExplorerNode[]): ExplorerNode | undefined => {
        for (const n of ns) {
          if (n.kind === 'job' && n.sweep.dir === sweepDir) return n;
          const c = find(n.children);
          if (c) return c;
        }
        return undefined;
      };
      return find(api.explorer.topLevel());
    });
    const item = api.explorer.getTreeItem(job);
    // appendText escapes markdown and spaces; read it back as the text a user sees.
    const shown = (item.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1');
    assert.match(shown, /Failed:\*\* error: config key 'trainer\.accelerator': needs tfjs-node/);
    assert.equal(item.command?.command, 'bait.openLog');
    assert.equal(item.contextValue, 'job');
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>(item.command!.command, ...(item.command!.arguments ?? []));
    assert.equal(editor.document.uri.fsPath, join(sweepDir, '1/launcher.log'));
    // Its config: the sweep's config with the job's overrides, composed.
    const cfg = await vscode.commands.executeCommand<vscode.TextEditor>('bait.openConfig', job);
    assert.match(cfg.document.getText(), /max_epochs: 9/);
  });

  test('Select Host switches the status-bar host and refuses an unknown one', async () => {
    assert.equal(await vscode.commands.executeCommand('bait.selectHost', 'gpu1'), 'gpu1');
    assert.equal(api.hosts.current().name, 'gpu1');
    assert.equal(await vscode.commands.executeCommand('bait.selectHost', 'nope'), undefined);
    assert.equal(api.hosts.current().name, 'gpu1');
    assert.equal(await vscode.commands.executeCommand('bait.selectHost', 'local'), 'local');
  });

  test('Stop Run asks the bundled runner to stop a running run: its process gets SIGTERM', async () => {
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    const fs = require('node:fs') as typeof import('node:fs');
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    const exited = new Promise<string | null>((r) => child.once('exit', (_code, signal) => r(signal)));
    const dir = writeFixtureRun({ root: join(ws(), 'runs'), experiment: 'demo_exp', name: 'demo', id: 'live0001',
      stamp: '2026-11-28/13-00-00', status: 'running', steps: 3 });
    const rj = JSON.parse(fs.readFileSync(join(dir, 'run.json'), 'utf8'));
    fs.writeFileSync(join(dir, 'run.json'), JSON.stringify({ ...rj, host: require('node:os').hostname(), pid: child.pid }));
    await until('the running run', () => (api.explorer.findRun(dir)?.status === 'running' ? true : undefined));
    // The row's menu item can arrive without its row (the tree refreshed meanwhile): the selected row is used, no pick.
    const node = await until('the row', () => {
      const walk = (ns: ExplorerNode[]): ExplorerNode | undefined => ns.map((n) => (n.kind === 'run' && n.run.dir === dir ? n : walk(n.children))).find(Boolean);
      return walk(api.explorer.topLevel());
    });
    await vscode.commands.executeCommand('workbench.view.explorer');
    await api.view.reveal(node, { select: true, focus: true });
    await vscode.commands.executeCommand('bait.stopRun');
    assert.equal(await exited, 'SIGTERM');
    assert.ok(fs.readdirSync(dir).some((f) => /stop/i.test(f)), 'a stop request file is left for the training loop');
  });

  test('Open Config opens the composed config the run saved', async () => {
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('bait.openConfig', { dir: runDir });
    assert.equal(editor.document.uri.fsPath, join(runDir, '.hydra/config.yaml'));
  });

  test('Sync to W&B runs W&B\'s own `wandb sync` on the run\'s W&B folder in a terminal', async () => {
    const fs = require('node:fs') as typeof import('node:fs');
    const rj = JSON.parse(fs.readFileSync(join(runDir, 'run.json'), 'utf8'));
    const folder = 'wandb/offline-run-20261128_100000-run00001';
    fs.writeFileSync(join(runDir, 'run.json'), JSON.stringify({ ...rj, wandb: { id: 'run00001', mode: 'offline', project: 'p', entity: null, dir: folder, url: null } }));
    const t = await vscode.commands.executeCommand<vscode.Terminal>('bait.syncToWandb', { dir: runDir });
    assert.equal(t?.name, 'wandb sync run00001');
    const opts = t.creationOptions as vscode.TerminalOptions;
    assert.equal(opts.shellPath, 'wandb');
    assert.deepEqual(opts.shellArgs, ['sync', join(runDir, folder)]);
    t.dispose();
  });
});
