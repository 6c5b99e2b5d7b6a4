// Resolves a composed config for running: the `hydra` node first (run dir, job name), then the job config
// with `${hydra:...}` pointing at it. `BAIT_NOW` (ISO time) fixes the clock so outputs are reproducible.

import { hydraNode, jobConfig } from '../config/compose.js';
import type { ConfigError } from '../config/errors.js';
import { resolveTree } from '../config/interpolation/resolve.js';
import { toPlain, type DictNode, type Plain } from '../config/nodes.js';

export function nowFromEnv(env: NodeJS.ProcessEnv = process.env): Date {
  const fixed = env.BAIT_NOW;
  if (fixed) {
    const d = new Date(fixed);
    if (!Number.isNaN(d.getTime())) return d;
  }
  return new Date();
}

export function resolveForRun(cfg: DictNode, env: NodeJS.ProcessEnv = process.env): { job: Plain; hydra: Plain; jobNode: DictNode } | { errors: ConfigError[] } {
  const now = nowFromEnv(env);
  // `${hydra:...}` and `${exp_config.directory}` may point either way, so resolve the whole tree at once.
  const all = resolveTree(cfg, { env, now, hydra: hydraNode(cfg) });
  if (all.errors.length || !all.node || all.node.kind !== 'dict') return { errors: all.errors };
  const whole = all.node;
  return { job: toPlain(jobConfig(whole)), hydra: toPlain(hydraNode(whole)), jobNode: jobConfig(whole) };
}
