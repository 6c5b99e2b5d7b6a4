// dist/runner.js: the `bait` executable. It only loads the CLI bundle through V8's code cache, so that short
// commands (`--cfg`, `runs`) start fast; see code-cache.ts.

import { join } from 'node:path';
import { loadWithCodeCache } from './code-cache.js';

const cli = loadWithCodeCache(join(__dirname, 'runner-cli.js')) as { runCli(argv: string[]): void };
cli.runCli(process.argv.slice(2));
