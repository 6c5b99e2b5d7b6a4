// Signals used inside the resolver. Neither escapes the public API: resolve.ts turns them into ConfigErrors.

import type { ErrorCode } from '../errors.js';
import type { Loc } from './location.js';

/** A failed resolution: OmegaConf's exception, as data. `at` is the node whose interpolation failed. */
export class ResolveFailure {
  at?: Loc;
  constructor(
    readonly code: ErrorCode,
    readonly message: string,
    readonly data: { cycle?: string[]; offset?: number; options?: string[]; unknownResolver?: string } = {},
  ) {}
}

/**
 * Thrown when an evaluation needs the value of another interpolation that is not resolved yet. The driver
 * resolves that one first (on its own explicit stack, so chains of any length never grow the JS stack) and
 * then evaluates the first one again.
 */
export class NeedDependency {
  constructor(readonly loc: Loc) {}
}

export function fail(code: ErrorCode, message: string, data?: ResolveFailure['data']): never {
  throw new ResolveFailure(code, message, data);
}
