// The app command (`--app 'python src/train.py'`, the `bait.apps` setting) as an argv. It is split the way a POSIX
// shell splits words (spaces, '…', "…", backslash) but never run through a shell: anything a shell would treat as
// syntax (pipes, redirections, `$VAR`, `;`, backquotes, globs) is refused with a message, so what the user wrote is
// exactly what starts. Overrides we add are override-grammar text (quoted for Hydra's grammar) in argv slots of
// their own, so Hydra reads them as the user would have typed them.

export class AppCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

const SHELL_SYNTAX = /[|&;<>()$`*?[\]{}~#]/;

/** Splits a command line into words; throws AppCommandError naming the column of shell syntax it will not run. */
export function splitCommandLine(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new AppCommandError(`the app command has an unclosed ' at column ${i + 1}: ${text}`);
      word += text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && j + 1 < text.length && '"\\'.includes(text[j + 1]!)) j++;
        else if (text[j] === '$' || text[j] === '`') throw refuse(text, j);
        word += text[j];
      }
      if (j >= text.length) throw new AppCommandError(`the app command has an unclosed " at column ${i + 1}: ${text}`);
      i = j;
    } else if (c === '\\') {
      if (i + 1 < text.length) word += text[++i];
    } else if (SHELL_SYNTAX.test(c) && !((c === '~' || c === '#') && word.length > 0)) {
      // `~` and `#` mean something to a shell only at the start of a word.
      throw refuse(text, i);
    } else word += c;
  }
  if (inWord) words.push(word);
  if (words.length === 0) throw new AppCommandError("the app command is empty; give one like 'python src/train.py'");
  return words;
}

function refuse(text: string, i: number): AppCommandError {
  return new AppCommandError(`the app command is run without a shell, so '${text[i]}' at column ${i + 1} would not mean ` +
    `what a shell makes of it: ${text}\n  Quote it ('…') if it is part of an argument, or put the pipeline in a script and run that.`);
}

/** Overrides that configure OUR launchers or sweeper: they are ours to act on, never the app's to compose. */
export function isLauncherOverride(o: string): boolean {
  const key = o.replace(/^(\+\+|\+|~)/, '').split('=')[0]!.trim();
  return key === 'hydra/launcher' || key.startsWith('hydra.launcher.') || key === 'hydra.launcher';
}

/** The argv that starts one app process: its command, Hydra's config flags, then the overrides in their own slots. */
export function appArgv(app: string[], configName: string, configDir: string, overrides: string[], multirun = false): string[] {
  return [...app, '--config-path', configDir, '--config-name', configName, ...(multirun ? ['--multirun'] : []), ...overrides];
}
