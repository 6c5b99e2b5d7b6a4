// Lightning checkpoints (`*.ckpt`) of a run that a Hydra app wrote: in the folders its ModelCheckpoint callbacks
// name (`dirpath`), and else anywhere under the run directory (Lightning's default is
// `<logger dir>/version_N/checkpoints`). The files are torch pickles; everything shown comes from their names
// (`epoch=3-step=40-val_acc=0.8125.ckpt`, `last.ckpt`, `last-v1.ckpt`) and times, which is what Lightning's
// `filename` templates put there. Plain file reads only: the runner's `bait runs` and the extension share it.
import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { findFiles } from './find-files.js';

export interface LightningCheckpoint {
  /** The file name without `.ckpt`. */
  name: string;
  path: string;
  mtimeMs: number;
  epoch?: number;
  step?: number;
  /** The monitored metric's value, read from the name when the name carries it. */
  score?: number;
  isLast: boolean;
  isBest: boolean;
}

/** `key=value` pairs of a Lightning checkpoint name (`epoch=3-val_acc=0.81`, `epoch_003` counts as epoch 3). */
export function nameFields(name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of name.matchAll(/([A-Za-z_][\w./]*?)=(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)(?=-|$|_v\d)/g)) out[m[1]!] = Number(m[2]);
  const epoch = /(?:^|[-_])epoch_(\d+)/.exec(name);
  if (epoch && out.epoch === undefined) out.epoch = Number(epoch[1]);
  return out;
}

/** Finds the run's checkpoints, oldest first; `best` is the best score under the monitor's mode (by name). */
export function findLightningCheckpoints(runDir: string, dirs: string[] = [], monitor?: string, mode: 'min' | 'max' = 'min'): LightningCheckpoint[] {
  // Lightning 2.1+ writes last.ckpt as a symbolic link to the newest top-k file when they are the same step.
  const isCkpt = (n: string) => n.endsWith('.ckpt');
  const files = new Set([...dirs.flatMap((d) => findFiles(resolve(d), 0, isCkpt)), ...findFiles(resolve(runDir), 4, isCkpt)]);
  const out: LightningCheckpoint[] = [];
  for (const path of files) {
    let mtimeMs = 0;
    try {
      mtimeMs = statSync(path).mtimeMs;
    } catch {
      continue; // pruned by save_top_k while we looked
    }
    const name = basename(path, '.ckpt');
    const f = nameFields(name);
    // Lightning replaces '/' in metric names inside file names; a monitor `val/acc` may appear as `val_acc`.
    const score = monitor ? f[monitor] ?? f[monitor.replace(/\//g, '_')] : undefined;
    out.push({ name, path, mtimeMs, epoch: f.epoch, step: f.step, score, isLast: /^last(-v\d+)?$/.test(name), isBest: false });
  }
  let best: LightningCheckpoint | undefined;
  for (const c of out) {
    if (c.isLast || c.score === undefined) continue;
    if (!best || (mode === 'max' ? c.score > best.score! : c.score < best.score!)) best = c;
  }
  if (best) best.isBest = true;
  return out.sort((a, b) => a.mtimeMs - b.mtimeMs || a.name.localeCompare(b.name));
}

/**
 * The checkpoint a resume continues from: `last` (Lightning's last.ckpt, the newest `last-vN` when there are
 * several, else the newest checkpoint), `best`, or a name or path.
 */
export function pickCheckpoint(ckpts: LightningCheckpoint[], from = 'last'): LightningCheckpoint | undefined {
  const newest = (xs: LightningCheckpoint[]) => xs.reduce<LightningCheckpoint | undefined>((a, c) => (!a || c.mtimeMs >= a.mtimeMs ? c : a), undefined);
  if (from === 'last') return newest(ckpts.filter((c) => c.isLast)) ?? newest(ckpts);
  if (from === 'best') return ckpts.find((c) => c.isBest);
  const abs = resolve(from);
  return ckpts.find((c) => c.path === abs || c.name === from || `${c.name}.ckpt` === from);
}
