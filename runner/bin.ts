// dist/runner.js: the `bait` executable. It only loads the CLI bundle through V8's code cache, so that short
// commands (`--cfg`, `runs`) start fast; see code-cache.ts.

import { join } from 'node:path';
import { loadWithCodeCache } from './code-cache.js';

// Ctrl-C or SIGTERM before training has its own handler (which saves `last`): leave cleanly with 130, as the
// documented exit code says, instead of dying by the signal. Once a run installs its handler this one stands by.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (process.listenerCount(signal) > 1) return;
    process.stderr.write(`bait: interrupted (${signal}) before training started; nothing was saved\n`);
    process.exit(130);
  });
}

const cli = loadWithCodeCache(join(__dirname, 'runner-cli.js')) as { runCli(argv: string[]): void };
cli.runCli(process.argv.slice(2));
