// The files under a run directory that a logger or callback wrote (metrics.csv, event files, *.ckpt), found by
// name to a bounded depth. Hidden folders (.hydra), W&B's folder and node_modules are never searched; Lightning
// puts nothing we read there.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const SKIP = new Set(['wandb', 'node_modules']);

/** For logs: checkpoint folders hold none, and skipping them keeps the walk short. */
export const SKIP_CHECKPOINTS: ReadonlySet<string> = new Set([...SKIP, 'checkpoints']);

/** Files (or symbolic links to files) under `dir` whose name matches, at most `depth` folders down. */
export function findFiles(dir: string, depth: number, matches: (name: string) => boolean, skip: ReadonlySet<string> = SKIP): string[] {
  const out: string[] = [];
  const walk = (d: string, left: number): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if ((e.isFile() || e.isSymbolicLink()) && matches(e.name)) out.push(join(d, e.name));
      else if (e.isDirectory() && left > 0 && !e.name.startsWith('.') && !skip.has(e.name)) walk(join(d, e.name), left - 1);
    }
  };
  walk(dir, depth);
  return out;
}
