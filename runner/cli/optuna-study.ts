// `-m` with hydra/sweeper=optuna: the study's objective and the sweeper's config, read from the composed config
// of the sweep (runner/sweep/optuna.ts maps the config to a study). The objective is the job's
// `optimized_metric` (lightning-hydra-template's key), else the monitor of its ModelCheckpoint.
import { randomBytes } from 'node:crypto';
import type { ConfigError } from '../config/errors.js';
import { selectNode } from '../config/apply-override.js';
import { toPlain, type DictNode, type Plain } from '../config/nodes.js';
import type { Override } from '../config/overrides/types.js';
import { readOptunaSweeper, type Objective, type OptunaStudy } from '../sweep/optuna.js';
import { resolveSelected } from './resolve-run.js';

export function isOptunaSweeper(target: Plain | undefined): boolean {
  return typeof target === 'string' && target.endsWith('OptunaSweeper');
}

function checkpointMonitor(v: Plain | undefined): Objective | undefined {
  if (Array.isArray(v)) {
    for (const x of v) {
      const found = checkpointMonitor(x);
      if (found) return found;
    }
  } else if (v && typeof v === 'object') {
    const o = v as Record<string, Plain>;
    if (typeof o._target_ === 'string' && o._target_.endsWith('ModelCheckpoint') && typeof o.monitor === 'string' && o.monitor) {
      return { metric: o.monitor, mode: o.mode === 'max' ? 'maximize' : 'minimize' };
    }
    for (const [k, x] of Object.entries(o)) {
      if (k === 'hydra') continue;
      const found = checkpointMonitor(x);
      if (found) return found;
    }
  }
  return undefined;
}

function objectiveOf(cfg: DictNode, env: NodeJS.ProcessEnv): Objective | undefined {
  const r = resolveSelected(cfg, ['optimized_metric', 'trainer', 'callbacks'], env);
  const root = 'node' in r ? r.node : cfg;
  const om = selectNode(root, 'optimized_metric');
  const name = om ? toPlain(om) : undefined;
  if (typeof name === 'string' && name && !name.includes('${')) return { metric: name };
  const plain = toPlain(root) as Record<string, Plain>;
  return checkpointMonitor(plain.trainer) ?? checkpointMonitor(plain.callbacks);
}

export function readStudy(cfg: DictNode, overrides: Override[], env: NodeJS.ProcessEnv): { study: OptunaStudy } | { error: ConfigError | string } {
  const objective = objectiveOf(cfg, env);
  if (!objective) {
    return { error: 'bait: the Optuna sweeper needs the metric to optimise: set optimized_metric=<a metric the runs log, e.g. acc> ' +
      "(lightning-hydra-template's key; +optimized_metric=acc on the command line), or give the run's ModelCheckpoint a monitor." };
  }
  const sweeper = selectNode(cfg, 'hydra.sweeper');
  if (!sweeper || sweeper.kind !== 'dict') return { error: 'bait: hydra.sweeper is not a mapping; choose hydra/sweeper=optuna.' };
  const r = readOptunaSweeper(sweeper, overrides, objective, randomBytes(4).readUInt32LE(0) % 2147483647);
  return r.study ? { study: r.study } : { error: r.errors[0]! };
}
