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
