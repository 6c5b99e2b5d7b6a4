// Creating the run directory and Hydra's `.hydra/` files. BAIT's directory pattern has one-second resolution, so
// two runs started in the same second would share it; creating the folder is atomic (mkdir fails if it exists), and
// a clash takes the next free suffix `_1`, `_2`, ... .
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import type { Plain } from '../config/nodes.js';

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
