// Tells the user how a run or sweep ended. A failure is a notification with the error's first line and two ways to
// the reason: "Open log" (the run's log.txt, a failed job's launcher.log, or else the terminal's output as a
// document) and "Show config" (the file:line:col the error names, else the run's saved config, else the composed
// config with the same overrides). A completion or a stop (Ctrl-C, Stop Run) is not an error: a status-bar line.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { ComposedConfigProvider } from './composed-config.js';
import type { Launch } from './runner.js';
import { errorLocation, firstErrorLine, runDirOf, stripAnsi } from './run-outcome.js';
import type { RunFinish } from './run-terminal.js';
import { settings } from './settings.js';

/** Where "Open log" goes: a log file the error names, the run's log.txt, or undefined (then the output itself). */
export function logFileFor(launch: Pick<Launch, 'runDir'>, finish: Pick<RunFinish, 'output'>, errorLine: string | undefined):
    string | undefined {
  const named = errorLine && /(\/\S+\.(?:log|txt))\b/.exec(errorLine)?.[1];
  if (named && existsSync(named)) return named;
  const dir = launch.runDir ?? runDirOf(finish.output);
  if (dir && existsSync(join(dir, 'log.txt'))) return join(dir, 'log.txt');
  return undefined;
}

async function openLog(launch: Launch, finish: RunFinish, errorLine: string | undefined): Promise<void> {
  const file = logFileFor(launch, finish, errorLine);
  if (file) {
    await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
    return;
  }
  const doc = await vscode.workspace.openTextDocument({ content: stripAnsi(finish.output), language: 'log' });
  await vscode.window.showTextDocument(doc, { preview: false });
}

async function showConfig(launch: Launch, finish: RunFinish, errorLine: string | undefined,
  composed: ComposedConfigProvider): Promise<void> {
  const at = errorLine ? errorLocation(errorLine) : undefined;
  if (at) {
    const candidates = isAbsolute(at.file) ? [at.file]
      : [...settings.configDirs(), settings.workspaceRoot() ?? ''].filter(Boolean).map((d) => join(d, at.file));
    const file = candidates.find((f) => existsSync(f));
    if (file) {
      const pos = new vscode.Position(Math.max(0, at.line - 1), Math.max(0, at.col - 1));
      await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false, selection: new vscode.Range(pos, pos) });
      return;
    }
  }
  const dir = launch.runDir ?? runDirOf(finish.output);
  if (dir && existsSync(join(dir, '.hydra', 'config.yaml'))) {
    await vscode.window.showTextDocument(vscode.Uri.file(join(dir, '.hydra', 'config.yaml')), { preview: false });
    return;
  }
  if (launch.config) {
    await composed.show(launch.config, launch.overrides ?? []);
    return;
  }
  void vscode.window.showInformationMessage(`BAIT: ${launch.title} did not say which config it ran.`);
}

export async function reportRunEnd(launch: Launch, finish: RunFinish, composed: ComposedConfigProvider): Promise<void> {
  const what = launch.title;
  if (finish.end !== 'failed') {
    const icon = finish.end === 'completed' ? '$(pass)' : '$(debug-stop)';
    vscode.window.setStatusBarMessage(`${icon} BAIT: ${what} ${finish.end}`, 10_000);
    return;
  }
  const line = firstErrorLine(finish.output);
  const actions = ['Open log', 'Show config'];
  // Paths inside the workspace read shorter relative to it; the full line stays in the terminal and the log.
  const root = settings.workspaceRoot();
  const shown = line && root ? line.split(`${root}/`).join('') : line;
  const pick = await vscode.window.showErrorMessage(`BAIT: ${what} failed: ${shown ?? `exit ${finish.code}`}`, ...actions);
  if (pick === 'Open log') await openLog(launch, finish, line);
  else if (pick === 'Show config') await showConfig(launch, finish, line, composed);
}
