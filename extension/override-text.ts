// Writing values in Hydra's override grammar. The runner gets its arguments as an argv array (never through a
// shell), but the override parser still reads quotes, commas, brackets and `${`: values from settings are quoted
// so they arrive as the same strings.

/**
 * A string in the override grammar's single quotes. As in Hydra, a backslash escapes only quotes and the
 * backslashes right before a quote: so quotes get one, and a run of backslashes before a quote (or before the
 * closing quote) is doubled; every other backslash stays as it is.
 */
export function quoteOverride(s: string): string {
  const escaped = s.replace(/(\\*)('|$)/g, (_m, slashes: string, quote: string) =>
    slashes + slashes + (quote ? "\\'" : ''));
  return `'${escaped}'`;
}

/** A list of dicts (SSH host settings) as an override value: strings quoted, numbers, booleans and lists as they are. */
export function hostsOverride(hosts: object[]): string {
  const value = (v: unknown): string => {
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (Array.isArray(v)) return `[${v.map(value).join(',')}]`;
    return quoteOverride(String(v));
  };
  return `[${hosts.map((h) => `{${Object.entries(h).filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${k}:${value(v)}`).join(',')}}`).join(',')}]`;
}

/**
 * Splits what a user typed into override strings at spaces outside quotes and brackets, so
 * `model.name='a b' trainer.devices=[0, 1]` gives two overrides. Each piece is then checked by the real parser
 * (the language server); this only finds the boundaries, and says where a quote or bracket is left open.
 */
export function splitOverrideText(text: string): { overrides: string[]; error?: string } {
  const overrides: string[] = [];
  const closers: string[] = [];
  let quote: string | undefined;
  let current = '';
  let quoteAt = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      current += ch;
      if (ch === '\\' && i + 1 < text.length) current += text[++i];
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      quoteAt = i;
    } else if (ch === '[' || ch === '{' || ch === '(') closers.push(ch === '[' ? ']' : ch === '{' ? '}' : ')');
    else if ((ch === ']' || ch === '}' || ch === ')') && closers[closers.length - 1] === ch) closers.pop();
    else if (/\s/.test(ch) && closers.length === 0) {
      if (current) overrides.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  if (quote) return { overrides, error: `the quote ${quote} at column ${quoteAt + 1} is not closed` };
  if (closers.length) return { overrides, error: `a bracket is not closed: add ${[...closers].reverse().join('')}` };
  if (current) overrides.push(current);
  return { overrides };
}
