// What a finished runner process means to the user, read from its exit and its output: completed, stopped (Ctrl-C,
// Stop Run: exit 130 or a signal, never an error) or failed, with the error's first line, the run directory it
// printed and the file:line:col the error names. Plain functions: no vscode, so they are tested on their own.

export type RunEnd = 'completed' | 'failed' | 'stopped';

/** The runner exits 130 after a clean stop (SIGINT/SIGTERM save `last` first); a signal means the same. */
export function classifyExit(code: number | null, signal: NodeJS.Signals | null): RunEnd {
  if (code === 0) return 'completed';
  if (code === 130 || code === 143 || signal === 'SIGINT' || signal === 'SIGTERM') return 'stopped';
  return 'failed';
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]|\u001b\][^\u0007]*\u0007/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/**
 * The line a failure notification shows: the first line that reads as an error (the runner's `error:` lines,
 * `override #1 ...: error: ...`, `[sweep] job #2 failed: ...`), else the last non-empty line of the output.
 */
export function firstErrorLine(output: string): string | undefined {
  const lines = stripAnsi(output).split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  // A Hydra app's run: the CLI's own closing line says why in one line (the app's output before it is Python's and
  // Hydra's, whose first "Error executing job" line names no reason).
  const app = lines.find((l) => /^bait: (cannot start the app|the app command|run \S+ failed: the app)\b/.test(l));
  if (app) return app;
  const hit = lines.find((l) => /(^|\s|:)error[:\s]/i.test(l) || /^\[sweep\] job #\d+ failed/.test(l) || /^Error\b/.test(l));
  return hit ?? lines[lines.length - 1];
}

/** The run directory the runner announces ("Run <id> in <dir>", "Resuming run ... in <dir>", "Run directory: <dir>"). */
export function runDirOf(output: string): string | undefined {
  const text = stripAnsi(output);
  const m = /^(?:Run \S+|Resuming run .*?) in (\/.+?)\s*$/m.exec(text) ?? /^Run directory: (\/.+?)\s*$/m.exec(text);
  return m?.[1];
}

/** A `file:line:col` (1-based) named in an error line, as the runner prints provenance. */
export function errorLocation(line: string): { file: string; line: number; col: number } | undefined {
  const m = /((?:\/|\.{1,2}\/)?[\w./@+-]+\.ya?ml):(\d+):(\d+)/.exec(line);
  if (!m) return undefined;
  return { file: m[1], line: Number(m[2]), col: Number(m[3]) };
}

/** The closing line a run's terminal keeps, e.g. `run ended: failed (exit 1)`. */
export function endLine(kind: 'run' | 'sweep', end: RunEnd, code: number | null, signal: NodeJS.Signals | null): string {
  const why = end === 'completed' ? '' : signal ? ` (${signal})` : code !== null ? ` (exit ${code})` : '';
  return `${kind} ended: ${end}${why}`;
}
