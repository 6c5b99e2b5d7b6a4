// Starting the bundled runner (dist/runner.js). Runs go to an integrated terminal whose process IS node with the
// runner's arguments: no shell sits in between, so config names, overrides and paths are passed as they are and
// can never be interpreted as shell syntax. Short commands (stop, composing a config) run as child processes.
import * as vscode from 'vscode';
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { settings } from './settings.js';
import type { HostRegistry } from './hosts.js';
import { hostsOverride } from './override-text.js';
import { withAppArgs, type AppChoice } from './apps/detect.js';

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

export class Runner {
  constructor(private readonly context: vscode.ExtensionContext, private readonly hosts: HostRegistry) {}

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

  /** Opens a terminal running `bait <args...>` in the workspace folder and shows it. */
  terminal(title: string, argsIn: string[]): vscode.Terminal {
    const args = withAppArgs(argsIn, this.appLookup);
    const term = vscode.window.createTerminal({
      name: `bait: ${title}`,
      shellPath: nodeCommand(settings.nodePath()).path,
      shellArgs: [this.script, ...args],
      cwd: settings.workspaceRoot(),
      env: this.env(),
    });
    term.show(true);
    return term;
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
