// Errors that are the user's to fix (bad config value, missing data file, wrong run id). The CLI prints the message
// (and the config key when there is one) without a stack trace and exits with code 1; anything else that escapes
// a job is an experiment failure (exit 3).

export class UserError extends Error {
  /** The dotted config key the problem is about (`model.classifier.input_shape`), when there is one. */
  readonly key?: string;

  constructor(message: string, key?: string) {
    super(message);
    this.name = 'UserError';
    if (key !== undefined) this.key = key;
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/** One line for the terminal: `<key>: <message>` when the error is about a key. */
export function formatUserError(e: UserError): string {
  return e.key ? `error at config key '${e.key}': ${e.message}` : `error: ${e.message}`;
}
