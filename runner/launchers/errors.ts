// Errors that the user can fix (a bad launcher setting, a missing sweep.json, sbatch refusing a job). They carry
// the name 'UserError', which the CLI prints as one clear line with exit code 1 instead of an internal error.
export class LauncherError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
