// The W&B side of a run directory, as the runner records it in run.json (`wandb`: mode, the local W&B run folder
// that `wandb sync` uploads, the run's page once known). Plain data, no vscode types, so tests share it.
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { readJsonFile } from './read-run.js';

export interface WandbLink {
  id: string;
  mode: 'online' | 'offline';
  /** Absolute path of the W&B run folder (`wandb/offline-run-<date>-<id>`), the argument of `wandb sync`. */
  folder: string;
  /** The run's page on W&B, when known (online runs, or an entity was configured). */
  url: string | null;
  /** `wandb sync` has uploaded the folder (it leaves `run-<id>.wandb.synced`). */
  synced: boolean;
}

/** The run's W&B link, or a reason why it has none (W&B disabled, an older run, an unreadable run.json). */
export function readWandbLink(runDir: string): { link: WandbLink } | { reason: string } {
  const { value, problem } = readJsonFile(resolve(runDir, 'run.json'));
  if (!value) return { reason: problem ?? 'run.json is unreadable' };
  const w = value.wandb as Record<string, unknown> | null | undefined;
  if (!w || typeof w !== 'object' || typeof w.dir !== 'string' || typeof w.id !== 'string') {
    return { reason: w === null ? 'W&B was disabled for this run' : 'this run has no W&B run (it predates W&B logging)' };
  }
  const folder = isAbsolute(w.dir) ? w.dir : resolve(runDir, w.dir);
  return {
    link: {
      id: w.id,
      mode: w.mode === 'online' ? 'online' : 'offline',
      folder,
      url: typeof w.url === 'string' && /^https?:\/\//.test(w.url) ? w.url : null,
      synced: existsSync(resolve(folder, `run-${w.id}.wandb.synced`)),
    },
  };
}
