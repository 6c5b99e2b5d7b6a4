// `checkpoints/index.json`: which checkpoint is `last`, the best k with their scores, the monitor and mode. Written
// atomically; readers (run explorer, `bait resume --from best`) never see a partial file.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../run/atomic.js';

export interface CheckpointIndex {
  last: string | null;
  best_k: Record<string, number>;
  best: string | null;
  monitor: string | null;
  mode: 'min' | 'max';
  /** Every checkpoint present, with where in training it was taken. */
  checkpoints: Array<{ name: string; epoch: number; step: number; time: string; metrics: Record<string, number> }>;
}

export function emptyIndex(): CheckpointIndex {
  return { last: null, best_k: {}, best: null, monitor: null, mode: 'min', checkpoints: [] };
}

export function readIndex(dir: string): CheckpointIndex {
  const p = join(dir, 'index.json');
  if (!existsSync(p)) return emptyIndex();
  try {
    return { ...emptyIndex(), ...(JSON.parse(readFileSync(p, 'utf8')) as Partial<CheckpointIndex>) };
  } catch {
    return emptyIndex();
  }
}

export function writeIndex(dir: string, index: CheckpointIndex): void {
  writeJsonAtomic(join(dir, 'index.json'), index);
}
