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
