// Starting the bundled runner (dist/runner.js). Runs go to an integrated terminal whose process IS node with the
// runner's arguments: no shell sits in between, so config names, overrides and paths are passed as they are and
// can never be interpreted as shell syntax. Short commands (stop, composing a config) run as child processes.
import * as vscode from 'vscode';
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ConfigRef } from '../language-server/protocol.js';
import { settings } from './settings.js';
import type { HostRegistry } from './hosts.js';
import { hostsOverride } from './override-text.js';
import { withAppArgs, type AppChoice } from './apps/detect.js';
import { RunPty, type RunFinish } from './run-terminal.js';

/** Whether an executable of this name is on PATH. */
function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((d) => {
    try {
      accessSync(join(d, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * The Node that runs the runner: the setting, else `node` on PATH, else the editor's own runtime in Node mode
 * (VS Code's executable runs plain scripts with ELECTRON_RUN_AS_NODE), so a machine without a separate Node works.
 */
export function nodeCommand(setting: string): { path: string; env: Record<string, string> } {
  if (setting && setting !== 'node') return { path: setting, env: {} };
  if (onPath('node')) return { path: 'node', env: {} };
  return { path: process.execPath, env: { ELECTRON_RUN_AS_NODE: '1' } };
}

/** What a terminal was started for: enough to explain its end (which log, which config). */
export interface Launch {
  title: string;
  kind: 'run' | 'sweep';
  /** The runner's arguments (after the script). */
  args: string[];
  config?: ConfigRef;
  overrides?: string[];
  /** The run directory when known before the start (resume); else read from the output. */
  runDir?: string;
  pty: RunPty;
  terminal: vscode.Terminal;
}

export class Runner implements vscode.Disposable {
  private readonly launches = new Map<vscode.Terminal, Launch>();
  private readonly ended = new vscode.EventEmitter<{ launch: Launch; finish: RunFinish }>();
  /** A run's or sweep's process ended (completed, failed or stopped); its terminal stays open. */
  readonly onDidEnd = this.ended.event;
  private readonly closing: vscode.Disposable;

  constructor(private readonly context: vscode.ExtensionContext, private readonly hosts: HostRegistry) {
    this.closing = vscode.window.onDidCloseTerminal((t) => this.launches.delete(t));
  }

  /** The launch behind a terminal this runner opened (the tests and the end report read it). */
  launchOf(terminal: vscode.Terminal): Launch | undefined {
    return this.launches.get(terminal);
  }

  get script(): string {
    return this.context.asAbsolutePath('dist/runner.js');
  }

  /** The environment of runner processes: the current host's name, for run.json and messages. */
  private env(): Record<string, string> {
    return { BAIT_HOST: this.hosts.current().name, ...nodeCommand(settings.nodePath()).env };
  }

  /**
   * The arguments that send a run to the current host: nothing for `local`; for an SSH host, a one-job multirun
   * through the ssh launcher with that host (the runner's `hydra/launcher=ssh` contract).
   */
  hostArgs(host = this.hosts.current()): string[] {
    if (!host.ssh) return [];
    return ['-m', 'hydra/launcher=ssh', `hydra.launcher.hosts=${hostsOverride([host.ssh])}`];
  }

  /** Which Hydra app runs a config dir's configs (extension/apps); a `run` naming that dir gets `--app`. */
  appLookup: (configDir: string) => AppChoice | undefined = () => undefined;

  /**
   * Opens a terminal running `bait <args...>` in the workspace folder and shows it without taking the focus. The
   * terminal stays open after the process ends; `onDidEnd` reports how it ended.
   */
  terminal(title: string, argsIn: string[], meta: { kind?: 'run' | 'sweep'; config?: ConfigRef; overrides?: string[];
    runDir?: string } = {}): vscode.Terminal {
    const args = withAppArgs(argsIn, this.appLookup);
    const kind = meta.kind ?? (args.includes('-m') || args.includes('--sweep') ? 'sweep' : 'run');
    const pty = new RunPty({ command: nodeCommand(settings.nodePath()).path, args: [this.script, ...args],
      cwd: settings.workspaceRoot(), env: this.env(), kind });
    const terminal = vscode.window.createTerminal({ name: `bait: ${title}`, pty, iconPath: new vscode.ThemeIcon('beaker') });
    const launch: Launch = { title, kind, args, config: meta.config, overrides: meta.overrides, runDir: meta.runDir, pty, terminal };
    this.launches.set(terminal, launch);
    pty.onDidEnd((finish) => this.ended.fire({ launch, finish }));
    terminal.show(true);
    return terminal;
  }

  dispose(): void {
    this.closing.dispose();
    this.ended.dispose();
  }

  /** Runs `bait <args...>` to completion and returns its output; a non-zero exit is an error with its message. */
  exec(args: string[], timeoutMs = 60_000): Promise<string> {
    return new Promise((resolveP, reject) => {
      execFile(nodeCommand(settings.nodePath()).path, [this.script, ...args], {
        cwd: settings.workspaceRoot(), env: { ...process.env, ...this.env() }, timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
      }, (err, stdout, stderr) => {
        if (err) reject(new Error((stderr || stdout || err.message).trim()));
        else resolveP(stdout);
      });
    });
  }
}
