// Loads a CommonJS bundle with V8's code cache. Most of a short CLI call is V8 compiling the bundle and
// warming up the YAML parser; the cache (bytecode of everything the last run compiled, written when the
// process exits) makes later calls start almost like a bare `node`. A stale or rejected cache is rebuilt.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import vm from 'node:vm';

function cacheDir(): string {
  if (process.env.BAIT_CODE_CACHE_DIR) return process.env.BAIT_CODE_CACHE_DIR;
  let user = 'user';
  try {
    user = String(userInfo().uid);
  } catch {
    // No passwd entry (some containers): one shared folder name is fine.
  }
  return join(tmpdir(), `bait-code-cache-${user}`);
}

export interface CodeCacheOptions {
  /**
   * Rewrite the cache at exit whenever this run compiled more than it holds (a long-lived process: the
   * language server). The cache is otherwise written once, by the first run: a language server whose first
   * session was short (started and closed) would keep paying for compiling its hover and completion paths in
   * every later session. A short CLI call keeps the one write, as serializing the cache at every exit costs it.
   */
  grow?: boolean;
}

export function loadWithCodeCache(file: string, options: CodeCacheOptions = {}): unknown {
  const source = readFileSync(file, 'utf8');
  // Without a loader for `import()`, a dynamic import inside the bundle rejects with
  // ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING: the main context's loader is what a plain `require` of the bundle uses.
  // Node 20 calls it experimental and warns on stderr the first time an import() uses it, so the build keeps our
  // bundles free of dynamic imports (scripts/build.mjs rewrites web-tree-sitter's); this is the safety net that
  // turns a missed one into a warning instead of a feature that silently stops working. A Node without it gets
  // the plain `require`.
  const importModuleDynamically = (vm.constants as { USE_MAIN_CONTEXT_DEFAULT_LOADER?: unknown } | undefined)?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  if (process.env.BAIT_CODE_CACHE === '0' || !importModuleDynamically) return createRequire(file)(file);
  const st = statSync(file);
  const key = createHash('sha1').update(`${file}\0${st.size}\0${st.mtimeMs}\0${process.version}\0${process.arch}`).digest('hex');
  const dir = cacheDir();
  const cachePath = join(dir, `${key}.bin`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cachePath);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), {
    filename: file, importModuleDynamically: importModuleDynamically as never, ...(cachedData ? { cachedData } : {}),
  });
  const fn = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  const mod = { exports: {} as unknown, filename: file, id: file, loaded: false };
  fn.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
  mod.loaded = true;
  const stale = !cachedData || script.cachedDataRejected;
  if (stale || options.grow) {
    // Written at exit so that the cache holds the functions this run actually compiled, not just the top level.
    process.once('exit', () => {
      try {
        const data = script.createCachedData();
        // Only ever grown: V8 drops the bytecode of functions unused for a while, and a run that used less than
        // the cache holds must not shrink it.
        if (!stale && data.length <= cachedData!.length) return;
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const tmp = `${cachePath}.${process.pid}.tmp`;
        writeFileSync(tmp, data);
        renameSync(tmp, cachePath);
      } catch {
        // A read-only or full temp dir only costs speed.
      }
    });
  }
  return mod.exports;
}
