// Errors are data. Composition collects them instead of throwing; the CLI prints the first one with a caret,
// the language server shows them all. Codes form a closed set so callers (and tests) match on codes, not text.

import type { Origin, Range } from './nodes.js';

export type ErrorCode =
  // YAML and config files
  | 'yaml-syntax' // the YAML parser rejected the text
  | 'yaml-duplicate-key' // a mapping has the same key twice
  | 'yaml-bad-key' // a null or complex mapping key
  | 'yaml-bad-value' // a value YAML 1.1 cannot construct (a bare `=`)
  | 'config-not-dict' // a config file whose root is not a mapping
  | 'bad-package-header' // `# @package a b`
  // defaults lists
  | 'defaults-not-list'
  | 'defaults-bad-entry'
  | 'missing-config' // a config (primary or non-group default) that does not exist
  | 'path-outside-search-path' // a config name or defaults entry with a `..` segment
  | 'missing-option' // a group option that does not exist (data.options lists the available ones)
  | 'missing-group'
  | 'missing-choice' // `group: ???` never chosen
  | 'duplicate-self'
  | 'duplicate-group' // a group selected twice without `override`
  | 'override-not-found' // `override x` or a CLI `x=opt` where x is not in the defaults tree
  | 'defaults-cycle'
  | 'bad-interpolated-choice'
  // command-line overrides
  | 'override-syntax'
  | 'override-key-missing' // `a.b=1` where a.b does not exist (use +)
  | 'override-key-exists' // `+a=1` where a exists (use ++ or drop +)
  | 'override-delete-missing'
  | 'override-delete-mismatch'
  | 'override-sweep-in-compose' // a sweep value outside -m
  | 'override-type'
  // interpolation and resolvers
  | 'interpolation-syntax'
  | 'interpolation-key' // `${a.b}` where a.b does not exist
  | 'interpolation-missing' // `${a}` where a is `???`
  | 'interpolation-cycle'
  | 'interpolation-resolver' // a resolver failed (unset env var, unknown resolver...)
  | 'missing-value' // `???` still unset where a value is needed
  // sweeps
  | 'sweep-unsupported';

export interface RelatedLocation {
  message: string;
  origin: Origin;
}

export interface ConfigError {
  code: ErrorCode;
  /** One or more sentences: what is wrong and how to fix it. */
  message: string;
  /** Where the problem is: a file range, or an override and the range inside it. */
  origin?: Origin;
  /** Other places that explain it (e.g. the defaults entry that pulled a file in). */
  related?: RelatedLocation[];
  /** Data for quick fixes, e.g. `{ options: ['mysql', 'postgres'] }`. */
  data?: { options?: string[]; cycle?: string[]; [k: string]: unknown };
}

export interface ConfigWarning {
  message: string;
  origin?: Origin;
}

/** Thrown only inside the engine to unwind to the nearest collector; never escapes the public API. */
export class ConfigErrorSignal extends Error {
  constructor(readonly error: ConfigError) {
    super(error.message);
  }
}

export function fail(code: ErrorCode, message: string, origin?: Origin, extra?: Partial<ConfigError>): never {
  throw new ConfigErrorSignal({ code, message, ...(origin ? { origin } : {}), ...extra });
}

export function fileOrigin(file: string, valueRange: Range, keyRange?: Range): Origin {
  return keyRange ? { kind: 'file', file, valueRange, keyRange } : { kind: 'file', file, valueRange };
}
