// Bundles loaded through V8's code cache (dist/runner.js, dist/server.js) must behave as a plain `require` of
// them would, on the first start (cache written) and on the next (cache used): in particular `import()` inside
// the bundle, which web-tree-sitter uses. Without a dynamic-import loader it rejected, and the shipped language
// server silently lost every Python `_target_` feature.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWithCodeCache } from '../../runner/code-cache.js';

test('a bundle loaded through the code cache can import() on the first and the cached start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bait-code-cache-test-'));
  const before = process.env.BAIT_CODE_CACHE_DIR;
  process.env.BAIT_CODE_CACHE_DIR = join(dir, 'cache');
  try {
    const bundle = join(dir, 'bundle.js');
    writeFileSync(bundle, `module.exports = { file: __filename, path: import('node:path').then((m) => m.basename(__filename)) };`);
    const first = loadWithCodeCache(bundle) as { file: string; path: Promise<string> };
    assert.equal(first.file, bundle);
    assert.equal(await first.path, 'bundle.js');
    process.emit('exit', 0); // the cache is written at exit
    assert.equal(readdirSync(join(dir, 'cache')).filter((f) => f.endsWith('.bin')).length, 1, 'the cache was written');
    const second = loadWithCodeCache(bundle) as { path: Promise<string> };
    assert.equal(await second.path, 'bundle.js');
  } finally {
    if (before === undefined) delete process.env.BAIT_CODE_CACHE_DIR;
    else process.env.BAIT_CODE_CACHE_DIR = before;
    rmSync(dir, { recursive: true, force: true });
  }
});
