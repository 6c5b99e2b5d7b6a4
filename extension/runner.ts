// Starting the bundled runner (dist/runner.js). Runs go to an integrated terminal whose process IS node with the
// runner's arguments: no shell sits in between, so config names, overrides and paths are passed as they are and
// can never be interpreted as shell syntax. Short commands (stop, composing a config) run as child processes.
import * as vscode from 'vscode';
import { execFile } from 'node:child_process';
import { settings } from './settings.js';
import type { HostRegistry } from './hosts.js';
import { hostsOverride } from './override-text.js';

export class Runner {
  constructor(private readonly context: vscode.ExtensionContext, private readonly hosts: HostRegistry) {}

  get script(): string {
    return this.context.asAbsolutePath('dist/runner.js');
  }

  /** The environment of runner processes: the current host's name, for run.json and messages. */
  private env(): Record<string, string> {
    return { BAIT_HOST: this.hosts.current().name };
  }

  /**
   * The arguments that send a run to the current host: nothing for `local`; for an SSH host, a one-job multirun
   * through the ssh launcher with that host (the runner's `hydra/launcher=ssh` contract).
   */
  hostArgs(host = this.hosts.current()): string[] {
    if (!host.ssh) return [];
    return ['-m', 'hydra/launcher=ssh', `hydra.launcher.hosts=${hostsOverride([host.ssh])}`];
  }

  /** Opens a terminal running `bait <args...>` in the workspace folder and shows it. */
  terminal(title: string, args: string[]): vscode.Terminal {
    const term = vscode.window.createTerminal({
      name: `bait: ${title}`,
      shellPath: settings.nodePath(),
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
      execFile(settings.nodePath(), [this.script, ...args], {
        cwd: settings.workspaceRoot(), env: { ...process.env, ...this.env() }, timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
      }, (err, stdout, stderr) => {
        if (err) reject(new Error((stderr || stdout || err.message).trim()));
        else resolveP(stdout);
      });
    });
  }
}
