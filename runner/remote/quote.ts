// POSIX shell quoting for every command BAIT sends to a remote shell (ssh) or writes into a batch script (SLURM).
// User values (overrides, paths, names) must arrive at the remote process byte for byte and never be run as
// shell, whatever they contain: quotes, `$(...)`, backticks, `;`, spaces, newlines, globs.
//
// We always use single quotes: inside them a POSIX shell treats every byte literally, so the only character that
// needs care is the single quote itself, which we close, emit as an escaped quote, and reopen ('\''). We quote
// even "safe" words, so there is no allow-list to get wrong. Remote commands are fed to `/bin/sh -s` on stdin
// (see ssh.ts), so these POSIX rules hold even when the user's login shell is fish or csh.
import { LauncherError } from '../launchers/errors.js';

/** Quotes one word for a POSIX shell. NUL cannot occur in an argument, so it is rejected rather than lost. */
export function shQuote(word: string): string {
  if (word.includes('\0')) throw new LauncherError('a shell argument cannot contain a NUL byte');
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Quotes an argument vector into one command line: `shJoin(['echo', "it's"])` -> `'echo' 'it'\''s'`. */
export function shJoin(argv: readonly string[]): string {
  return argv.map(shQuote).join(' ');
}

/** `NAME=value` assignments for `env`, with each value quoted; names must be plain identifiers. */
export function shEnv(env: Record<string, string>): string[] {
  return Object.entries(env).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new LauncherError(`invalid environment variable name: ${JSON.stringify(k)}`);
    return `${k}=${v}`;
  });
}
