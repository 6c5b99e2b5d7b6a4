// Errors that are the user's to fix (bad config value, missing data file, wrong run id). The CLI prints the message
// (and the config key when there is one) without a stack trace and exits with code 1; anything else that escapes
// a job is an experiment failure (exit 3).

export class UserError extends Error {
  /** The dotted config key the problem is about (`model.classifier.input_shape`), when there is one. */
  readonly key?: string;
  /** The message without the key prefix. */
  readonly detail: string;

  constructor(detail: string, key?: string) {
    // The key leads the message so that a CLI printing only `message` still says where the problem is.
    super(key ? `config key '${key}': ${detail}` : detail);
    this.name = 'UserError';
    this.detail = detail;
    if (key !== undefined) this.key = key;
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/** One line for the terminal (the CLI prefixes `bait: `). */
export function formatUserError(e: UserError): string {
  return e.message;
}

/**
 * A config value as the user wrote it, for "got ..." in messages: JSON, except that NaN and the infinities (which
 * JSON would print as null) read as YAML's `.nan` and `.inf` mean them: `nan`, `inf`, `-inf` (1e999 is inf).
 */
export function shownValue(v: unknown): string {
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  if (Array.isArray(v)) return `[${v.map(shownValue).join(', ')}]`;
  return JSON.stringify(v) ?? String(v);
}
