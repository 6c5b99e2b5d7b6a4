// Creating the run directory and Hydra's `.hydra/` files. BAIT's directory pattern has one-second resolution, so
// two runs started in the same second would share it; creating the folder is atomic (mkdir fails if it exists), and
// a clash takes the next free suffix `_1`, `_2`, ... .
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import type { Plain } from '../config/nodes.js';

/**
 * Why `dir` cannot be a new run directory, or undefined when it can: it must be a new folder, or an existing run
 * directory (a clash of two runs in the same second takes a suffix). Never the file-system root, a file or device
 * (`/dev/null`), or an existing folder of other things, where a suffixed sibling (`/_1`) is not what anyone meant.
 */
export function runDirProblem(dir: string): string | undefined {
  if (dirname(dir) === dir) return `${dir} is the root of the file system`;
  for (let p = dir; dirname(p) !== p; p = dirname(p)) {
    if (!existsSync(p)) continue;
    const st = statSync(p);
    if (!st.isDirectory()) return `${p} is ${st.isFile() ? 'a file' : 'not a folder (a device, socket or pipe)'}`;
    if (p !== dir) break;
    if (!existsSync(join(dir, 'run.json')) && readdirSync(dir).length > 0) return `${dir} is an existing folder that is not a run directory`;
  }
  return undefined;
}

export function createUniqueDir(requested: string): string {
  mkdirSync(dirname(requested), { recursive: true });
  for (let i = 0; ; i++) {
    const dir = i === 0 ? requested : `${requested}_${i}`;
    try {
      mkdirSync(dir);
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

export function writeHydraFiles(
  runDir: string,
  config: Plain,
  hydra: Plain,
  overrides: string[],
  texts?: { config: string; hydra: string; overrides: string },
): void {
  const dir = join(runDir, '.hydra');
  mkdirSync(dir, { recursive: true });
  if (texts) {
    writeFileSync(join(dir, 'config.yaml'), texts.config);
    writeFileSync(join(dir, 'hydra.yaml'), texts.hydra);
    writeFileSync(join(dir, 'overrides.yaml'), texts.overrides);
    return;
  }
  writeFileSync(join(dir, 'config.yaml'), stringify(config));
  writeFileSync(join(dir, 'hydra.yaml'), stringify({ hydra }));
  writeFileSync(join(dir, 'overrides.yaml'), stringify(overrides));
}
