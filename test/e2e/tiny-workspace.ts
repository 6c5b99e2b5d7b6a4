// What the UI scenarios share: a premise-selection experiment small enough to train in seconds on the shipped data,
// and a way to find the run directories a scenario made.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './code-server.js';
import { TINY_MODEL } from '../fixtures/tiny-model.js';

/** A premise-selection experiment small enough to train in a couple of seconds on the shipped data. */
export const TINY = `# @package _global_
defaults:
  - mizar
  - /data_type/sequence@_here_

exp_config:
  name: e2e_tiny

data_config:
  batch_size: 16
  attributes:
    max_len: 32
  data_options:
    dir: ${join(repoRoot, 'data/mizar40-m2k')}

trainer:
  accelerator: cpu
  max_epochs: 2
  max_steps: 30
  log_every_n_steps: 1
  val_check_interval: 10
  limit_val_batches: 2
  enable_progress_bar: false
  seed: 7
  callbacks:
    - _target_: lightning.pytorch.callbacks.ModelCheckpoint
      save_top_k: 2
      save_last: true
      monitor: acc
      mode: max
      every_n_train_steps: 5
      dirpath: \${exp_config.directory}/checkpoints
      filename: "{epoch}-{step}-{acc}"

${TINY_MODEL}`;

/**
 * TINY reading the shipped data from `data/mizar40-m2k` under the workspace (the config's default), for runs on
 * an SSH host: the host gets the workspace's copy, not this checkout's path.
 */
export const TINY_WORKSPACE_DATA = TINY.replace(/\n  data_options:\n    dir: [^\n]*/, '');

export function findRunDirs(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    if (existsSync(join(d, 'run.json'))) out.push(d);
    for (const e of existsSync(d) ? readdirSync(d, { withFileTypes: true }) : []) if (e.isDirectory() && e.name !== 'checkpoints') walk(join(d, e.name));
  };
  walk(root);
  return out;
}

