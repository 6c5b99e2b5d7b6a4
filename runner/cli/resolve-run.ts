// Resolves a composed config for printing or running. The whole tree is resolved at once, because
// `${hydra:...}` and `hydra.run.dir: ${exp_config.directory}` point both ways, but only errors inside the part
// that is needed count: Hydra's own node holds values that exist only in some modes (`hydra.job.num` in a
// sweep), and Hydra resolves those lazily too. `BAIT_NOW` (ISO time) fixes the clock for reproducible output.

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

/** True when a dotted key lies inside one of the selected subtrees ('' selects everything). */
function within(key: string, prefixes: string[]): boolean {
  return prefixes.some((p) => p === '' || key === p || key.startsWith(p + '.') || key.startsWith(p + '['));
}

/** Keys of the hydra node the runner reads. */
export const HYDRA_KEYS_FOR_RUN = ['hydra.run', 'hydra.job.name', 'hydra.job.chdir', 'hydra.output_subdir', 'hydra.mode'];

export function resolveSelected(cfg: DictNode, prefixes: string[], env: NodeJS.ProcessEnv = process.env): { node: DictNode } | { errors: ConfigError[] } {
  const r = resolveTree(cfg, { env, now: nowFromEnv(env), hydra: hydraNode(cfg) });
  const errors = r.errors.filter((e) => {
    const key = typeof e.data?.key === 'string' ? e.data.key : '';
    // Values that only exist at run time (`hydra.job.num` outside a sweep, `hydra.runtime.output_dir` before a
    // run) stay unresolved in a printed hydra node instead of failing the whole print.
    if (key.startsWith('hydra.') && (e.code === 'interpolation-missing' || e.code === 'missing-value')) return false;
    return key === '' || within(key, prefixes);
  });
  if (errors.length || !r.node || r.node.kind !== 'dict') return { errors: errors.length ? errors : r.errors };
  return { node: r.node };
}

export function resolveForRun(cfg: DictNode, env: NodeJS.ProcessEnv = process.env): { job: Plain; hydra: Plain; jobNode: DictNode } | { errors: ConfigError[] } {
  const jobKeys = [...cfg.entries.keys()].filter((k) => k !== 'hydra');
  const r = resolveSelected(cfg, [...jobKeys, ...HYDRA_KEYS_FOR_RUN], env);
  if ('errors' in r) return r;
  return { job: toPlain(jobConfig(r.node)), hydra: toPlain(hydraNode(r.node)), jobNode: jobConfig(r.node) };
}
