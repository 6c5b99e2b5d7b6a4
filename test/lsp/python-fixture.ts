// The research-style Python repository the Python `_target_` tests run on (src/ layout, re-exports,
// dataclasses, inheritance, **kwargs, a root package with a BAIT-style deep path, an entry point).
import { join } from 'node:path';

export const PYREPO = join(__dirname, 'fixtures/pyrepo');
