// Bundles loaded through V8's code cache (dist/runner.js, dist/server.js) must behave as a plain `require` of
// them would, on the first start (cache written) and on the next (cache used): in particular `import()` inside
// the bundle, which web-tree-sitter uses. Without a dynamic-import loader it rejected, and the shipped language
// server silently lost every Python `_target_` feature.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

test('the language server\'s cache grows with what later runs compile, and never shrinks; the CLI\'s is written once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bait-code-cache-test-'));
  const before = process.env.BAIT_CODE_CACHE_DIR;
  process.env.BAIT_CODE_CACHE_DIR = join(dir, 'cache');
  const cacheFile = () => {
    const bins = readdirSync(join(dir, 'cache')).filter((f) => f.endsWith('.bin'));
    assert.equal(bins.length, 1);
    return readFileSync(join(dir, 'cache', bins[0]!));
  };
  // `later` is compiled only when called (V8 compiles functions lazily): a first run that never calls it leaves
  // it out of the cache.
  const source = `module.exports = { later(xs) { const out = []; for (const x of xs) out.push(String(x * 2).padStart(4, '0')); return out.join(','); } };`;
  type Bundle = { later(xs: number[]): string };
  try {
    const grown = join(dir, 'server.js');
    writeFileSync(grown, source);
    loadWithCodeCache(grown, { grow: true });
    process.emit('exit', 0);
    const first = cacheFile();
    (loadWithCodeCache(grown, { grow: true }) as Bundle).later([1, 2]);
    process.emit('exit', 0);
    const second = cacheFile();
    assert.ok(second.length > first.length, `the cache grew (${first.length} -> ${second.length} bytes)`);
    // A run that compiles nothing new leaves it as it is.
    loadWithCodeCache(grown, { grow: true });
    process.emit('exit', 0);
    assert.deepEqual(cacheFile(), second);

    rmSync(join(dir, 'cache'), { recursive: true });
    const once = join(dir, 'cli.js');
    writeFileSync(once, source);
    loadWithCodeCache(once);
    process.emit('exit', 0);
    const written = cacheFile();
    (loadWithCodeCache(once) as Bundle).later([1, 2]);
    process.emit('exit', 0);
    assert.deepEqual(cacheFile(), written, 'without grow the first run\'s cache stays');
  } finally {
    if (before === undefined) delete process.env.BAIT_CODE_CACHE_DIR;
    else process.env.BAIT_CODE_CACHE_DIR = before;
    rmSync(dir, { recursive: true, force: true });
  }
});
