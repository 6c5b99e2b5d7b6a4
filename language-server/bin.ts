// dist/server.js: the language server's entry. It only loads the server bundle (dist/server-main.js) through
// V8's code cache, as the `bait` CLI does (runner/code-cache.ts): an editor starts the server on every window,
// and without the cache the first requests pay for compiling the YAML parser and the config engine.
import { join } from 'node:path';
import { loadWithCodeCache } from '../runner/code-cache.js';

// The cache grows with the paths later sessions compile (hover, completion, diagnostics), not only the first's.
loadWithCodeCache(join(__dirname, 'server-main.js'), { grow: true });
