// A run's terminal: an extension terminal (Pseudoterminal) whose process is node running the bundled runner, with no
// shell in between (arguments reach the runner as they are). Unlike a plain terminal it stays open when the
// process ends, so the output and the final metrics stay readable, and it ends with one clear line
// ("run ended: completed/failed/stopped"). Ctrl-C in it and closing it while running stop the run cleanly
// (SIGINT/SIGTERM: the runner saves `last` and exits 130).
import * as vscode from 'vscode';
import { spawn, type ChildProcess } from 'node:child_process';
import { classifyExit, endLine, type RunEnd } from './run-outcome.js';

export interface RunProcessSpec {
  command: string;
  args: string[];
  cwd?: string;
  env: Record<string, string>;
  kind: 'run' | 'sweep';
}

export interface RunFinish {
  end: RunEnd;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Everything the process printed (stdout and stderr, in arrival order), capped at the last MAX_KEPT bytes. */
  output: string;
}

const MAX_KEPT = 2 * 1024 * 1024;
const COLOR: Record<RunEnd, string> = { completed: '32', stopped: '33', failed: '31' };

export class RunPty implements vscode.Pseudoterminal {
  private readonly write = new vscode.EventEmitter<string>();
  readonly onDidWrite = this.write.event;
  private child: ChildProcess | undefined;
  private output = '';
  private finished: RunFinish | undefined;
  private readonly ended = new vscode.EventEmitter<RunFinish>();
  /** Fires once, when the process has exited and the closing line is written. */
  readonly onDidEnd = this.ended.event;

  constructor(readonly spec: RunProcessSpec) {}

  get result(): RunFinish | undefined {
    return this.finished;
  }

  open(): void {
    if (this.child) return;
    const child = spawn(this.spec.command, this.spec.args, {
      cwd: this.spec.cwd, env: { ...process.env, ...this.spec.env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const onData = (d: Buffer): void => this.print(d.toString('utf8'));
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('error', (e) => {
      // Spawning itself failed (no node on PATH): there is no exit event with a code.
      this.print(`could not start ${this.spec.command}: ${e.message}; set bait.nodePath to a Node.js executable.\n`);
      this.finish(127, null);
    });
    child.on('close', (code, signal) => this.finish(code, signal));
  }

  private print(text: string): void {
    this.output = (this.output + text).slice(-MAX_KEPT);
    // A terminal needs CR LF; the runner writes LF.
    this.write.fire(text.replace(/\r?\n/g, '\r\n'));
  }

  private finish(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.finished) return;
    const end = classifyExit(code, signal);
    this.finished = { end, code, signal, output: this.output };
    this.write.fire(`\r\n\x1b[1;${COLOR[end]}m${endLine(this.spec.kind, end, code, signal)}\x1b[0m\r\n`);
    this.ended.fire(this.finished);
  }

  handleInput(data: string): void {
    if (data === '\x03' && this.running) this.child!.kill('SIGINT');
  }

  get running(): boolean {
    return !!this.child && !this.finished;
  }

  /** The user closed the terminal: a run still going is stopped the clean way. */
  close(): void {
    if (this.running) this.child!.kill('SIGTERM');
  }
}
