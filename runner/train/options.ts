// The Lightning Trainer arguments we honour (DESIGN.md section 6), read from the config's `trainer` node. Keys that
// only make sense for PyTorch (precision, strategy...) are accepted with a note that they have no effect,
// so BAIT's configs run unchanged; unknown keys are an error with the list of known ones.
import type { Plain } from '../config/nodes.js';
import { shownValue, UserError } from '../run/errors.js';

export interface TrainerOptions {
  max_epochs: number;
  max_steps: number;
  val_check_interval: number;
  check_val_every_n_epoch: number;
  log_every_n_steps: number;
  gradient_clip_val: number | null;
  gradient_clip_algorithm: 'norm' | 'value';
  limit_train_batches: number;
  limit_val_batches: number;
  enable_progress_bar: boolean;
  enable_checkpointing: boolean;
  /** Stop with exit 3 (and `last` saved) on a non-finite training loss, like Lightning's detect_anomaly. */
  check_finite: boolean;
  seed: number | null;
  deterministic: boolean;
  accelerator: unknown;
  /** Lightning's `devices` (int, list, string or auto): which GPU adapter a GPU backend uses (backend/devices.ts). */
  devices: unknown;
  callbacks: Plain[];
  /** How the config typed the count-or-fraction keys (true: an int count), when the caller knows it. */
  typed_as_int?: { limit_train_batches?: boolean; limit_val_batches?: boolean; val_check_interval?: boolean };
}

const IGNORED = ['precision', 'strategy', 'num_nodes', 'num_sanity_val_steps', 'benchmark', 'logger',
  'accumulate_grad_batches', 'sync_batchnorm', 'enable_model_summary', 'default_root_dir', 'profiler',
  'detect_anomaly', 'inference_mode', 'use_distributed_sampler', 'reload_dataloaders_every_n_epochs'];
const KNOWN = ['max_epochs', 'max_steps', 'val_check_interval', 'check_val_every_n_epoch', 'log_every_n_steps',
  'gradient_clip_val', 'gradient_clip_algorithm', 'limit_train_batches', 'limit_val_batches', 'enable_progress_bar',
  'enable_checkpointing', 'check_finite', 'seed', 'deterministic', 'accelerator', 'devices', 'callbacks', 'min_epochs', 'min_steps'];

function num(v: unknown, key: string, opts: { int?: boolean; min?: number } = {}): number {
  if (typeof v !== 'number' || Number.isNaN(v) || (opts.int && !Number.isInteger(v)) || (opts.min !== undefined && v < opts.min)) {
    throw new UserError(`must be ${opts.int ? 'an integer' : 'a number'}${opts.min !== undefined ? ` >= ${opts.min}` : ''}, ` +
      `got ${shownValue(v)}`, `trainer.${key}`);
  }
  return v;
}

/**
 * `intKeys`: the trainer keys whose value the config typed as an int (`1`, not `1.0`). Plain JSON cannot tell
 * them apart, and Lightning gives `limit_*_batches` and `val_check_interval` different meanings for each.
 */
export function parseTrainerOptions(node: Plain | undefined, notes: string[], intKeys?: ReadonlySet<string>): TrainerOptions {
  const t = (node ?? {}) as Record<string, Plain>;
  if (typeof t !== 'object' || Array.isArray(t)) throw new UserError('trainer must be a dict of Trainer arguments', 'trainer');
  for (const k of Object.keys(t)) {
    if (IGNORED.includes(k)) notes.push(`trainer.${k} has no effect on this runner (TensorFlow.js); ignored`);
    else if (!KNOWN.includes(k)) {
      throw new UserError(`unknown Trainer argument '${k}'; known: ${KNOWN.join(', ')}`, `trainer.${k}`);
    }
  }
  const maxSteps = t.max_steps == null ? -1 : num(t.max_steps, 'max_steps', { int: true, min: -1 });
  const maxEpochs = t.max_epochs == null ? (maxSteps === -1 ? 1000 : Number.MAX_SAFE_INTEGER)
    : num(t.max_epochs, 'max_epochs', { int: true, min: -1 });
  const vci = t.val_check_interval == null ? 1.0 : num(t.val_check_interval, 'val_check_interval', { min: 0 });
  const limit = (k: 'limit_train_batches' | 'limit_val_batches') => (t[k] == null ? 1.0 : num(t[k], k, { min: 0 }));
  const clip = t.gradient_clip_val == null ? null : num(t.gradient_clip_val, 'gradient_clip_val', { min: 0 });
  const algo = t.gradient_clip_algorithm ?? 'norm';
  if (algo !== 'norm' && algo !== 'value') {
    throw new UserError(`must be norm or value, got ${shownValue(algo)}`, 'trainer.gradient_clip_algorithm');
  }
  const bool = (k: string, d: boolean) => {
    const v = t[k];
    if (v == null) return d;
    if (typeof v !== 'boolean') throw new UserError(`must be true or false, got ${shownValue(v)}`, `trainer.${k}`);
    return v;
  };
  const callbacks = t.callbacks ?? [];
  if (!Array.isArray(callbacks)) throw new UserError('must be a list of callback nodes with _target_', 'trainer.callbacks');
  callbacks.forEach((c, i) => {
    const isNode = c !== null && typeof c === 'object' && !Array.isArray(c) && typeof (c as Record<string, Plain>)._target_ === 'string';
    if (!isNode) throw new UserError(`must be a callback node with a _target_ (e.g. {_target_: lightning.pytorch.callbacks.EarlyStopping, monitor: acc}), got ${shownValue(c)}`, `trainer.callbacks[${i}]`);
  });
  const typed = intKeys
    ? {
        typed_as_int: {
          limit_train_batches: intKeys.has('limit_train_batches'),
          limit_val_batches: intKeys.has('limit_val_batches'),
          val_check_interval: intKeys.has('val_check_interval'),
        },
      }
    : {};
  return {
    ...typed,
    max_epochs: maxEpochs === -1 ? Number.MAX_SAFE_INTEGER : maxEpochs,
    max_steps: maxSteps,
    val_check_interval: vci,
    check_val_every_n_epoch: t.check_val_every_n_epoch == null ? 1 : num(t.check_val_every_n_epoch, 'check_val_every_n_epoch', { int: true, min: 1 }),
    log_every_n_steps: t.log_every_n_steps == null ? 50 : num(t.log_every_n_steps, 'log_every_n_steps', { int: true, min: 1 }),
    gradient_clip_val: clip === 0 ? null : clip,
    gradient_clip_algorithm: algo,
    limit_train_batches: limit('limit_train_batches'),
    limit_val_batches: limit('limit_val_batches'),
    enable_progress_bar: bool('enable_progress_bar', true),
    enable_checkpointing: bool('enable_checkpointing', true),
    check_finite: bool('check_finite', true),
    seed: t.seed == null ? null : num(t.seed, 'seed', { int: true, min: 0 }),
    deterministic: bool('deterministic', true),
    accelerator: t.accelerator ?? 'auto',
    devices: t.devices ?? 'auto',
    callbacks,
  };
}

/**
 * Lightning's rule: an int limit is a count of batches, a float in [0, 1] a fraction of them. `isInt` says how the
 * config typed the value; when it is unknown, 1 reads as the whole epoch.
 */
export function limitBatches(total: number, limit: number, key: string, isInt?: boolean): number {
  if (isInt === true) return Math.min(total, limit);
  if (Number.isInteger(limit) && limit > 1 && isInt !== false) return Math.min(total, limit);
  if (limit === 1) return total;
  if (limit > 1) throw new UserError(`a fractional limit must be in [0, 1], got ${limit}`, `trainer.${key}`);
  return Math.max(limit > 0 ? 1 : 0, Math.floor(total * limit));
}
