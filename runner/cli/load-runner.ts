// Loads the heavy half of the CLI (training, sweeps, launchers, run management) on demand. In the bundle it is
// a second file, dist/runner-main.js, so that composing a config never parses TensorFlow.js.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as RunnerMain from '../runner-main.js';
import { loadWithCodeCache } from '../code-cache.js';

export type RunnerModule = typeof RunnerMain;

export async function loadRunnerModule(): Promise<RunnerModule> {
  // `__dirname` exists in the CommonJS bundle; from source (tsx) the import below resolves the .ts file.
  const dir = typeof __dirname === 'string' ? __dirname : undefined;
  const bundled = dir ? join(dir, 'runner-main.js') : undefined;
  if (bundled && existsSync(bundled) && dir!.endsWith('dist')) {
    return loadWithCodeCache(bundled) as RunnerModule;
  }
  // A non-literal specifier keeps esbuild from bundling the heavy half into the CLI.
  const fromSource = '../runner-main.js';
  return (await import(fromSource)) as RunnerModule;
}
