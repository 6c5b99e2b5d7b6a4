// What `bait run --app` works out before the app starts, with our own composition of the app's configs (the same
// result Hydra gets): the run directory, the config layout (BAIT's `exp_config` or a plain Hydra app), where
// Lightning's ModelCheckpoint will write, and the overrides that pin the directory so the app writes exactly where
// the run record is. Composition errors stop here with file:line:col, before any process starts.
import { isAbsolute, join, resolve } from 'node:path';
import { applyConfigOverride, selectNode } from '../config/apply-override.js';
import { compose, hydraNode } from '../config/compose.js';
import type { ConfigError } from '../config/errors.js';
import { resolveTree } from '../config/interpolation/resolve.js';
import { scalar, toPlain, type DictNode, type Plain } from '../config/nodes.js';
import type { Override } from '../config/overrides/types.js';
import { nowFromEnv, resolveSelected } from '../cli/resolve-run.js';
import { DiskSource } from '../disk-source.js';
import { quoteOverrideValue } from '../run/resume.js';

export type AppLayout = 'bait' | 'hydra';

export interface AppPlan {
  layout: AppLayout;
  /** The run directory the config asks for (absolute; a clash gets a suffix when it is created). */
  requestedDir: string;
  experiment: string | null;
  name: string | null;
  /** Whether the composed config has Lightning-hydra-template's top-level `ckpt_path` key. */
  hasCkptPath: boolean;
  /** Whether `logging_config` exists, so the run id can be handed to the app as its W&B id. */
  hasLoggingConfig: boolean;
  /** The composed config, kept to find checkpoint folders once the directory is final. */
  config: DictNode;
}

export type PlanResult = { plan: AppPlan } | { error: ConfigError; source: DiskSource };

function str(v: Plain | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function plainAt(cfg: DictNode, key: string): Plain | undefined {
  const n = selectNode(cfg, key);
  return n === undefined ? undefined : toPlain(n);
}

export function planAppRun(opts: { configName: string; configDir: string; overrides: string[]; workspaceDir: string; env: NodeJS.ProcessEnv; versionBase?: '1.1' | null }): PlanResult {
  const source = new DiskSource(opts.configDir);
  const r = compose({ source, configName: opts.configName, overrides: opts.overrides, versionBase: opts.versionBase ?? null });
  if (r.errors.length) return { error: r.errors[0]!, source };
  const cfg = r.config!;
  const layout: AppLayout = selectNode(cfg, 'exp_config.directory') ? 'bait' : 'hydra';
  const key = layout === 'bait' ? 'exp_config.directory' : 'hydra.run.dir';
  const sel = resolveSelected(cfg, [key, 'exp_config.experiment', 'exp_config.name'], opts.env);
  if ('errors' in sel) return { error: sel.errors[0]!, source };
  const dir = str(plainAt(sel.node, key)) ?? join('outputs', new Date().toISOString().replace(/[:.]/g, '-'));
  return {
    plan: {
      layout,
      requestedDir: isAbsolute(dir) ? dir : resolve(opts.workspaceDir, dir),
      experiment: str(plainAt(sel.node, 'exp_config.experiment')) ?? null,
      name: str(plainAt(sel.node, 'exp_config.name')) ?? null,
      hasCkptPath: cfg.entries.has('ckpt_path'),
      hasLoggingConfig: selectNode(cfg, 'logging_config')?.kind === 'dict',
      config: cfg,
    },
  };
}

/**
 * The overrides that make the app write into `dir`: `hydra.run.dir` always, BAIT's `exp_config.directory` when the
 * config has it (its derived keys follow), and in a sweep job `hydra.sweep.dir` so `${hydra.sweep.dir}` still
 * means the sweep. Paths are quoted for the override grammar, each in its own argv slot.
 */
export function pinOverrides(plan: AppPlan, dir: string, sweepDir?: string): string[] {
  const out = [`hydra.run.dir=${pathValue(dir)}`];
  if (plan.layout === 'bait') out.push(`exp_config.directory=${pathValue(dir)}`);
  if (sweepDir) out.push(`hydra.sweep.dir=${pathValue(sweepDir)}`);
  return out;
}

/** A path as an override value: quoted as needed, and a literal `${` escaped so OmegaConf does not resolve it. */
export function pathValue(p: string): string {
  return quoteOverrideValue(p.replace(/\$\{/g, '\\${'));
}

/** Sets a value as a node (never parsed as override text), so any path is safe. */
function setNode(cfg: DictNode, key: string, value: string): void {
  const o: Override = { type: 'FORCE_ADD', key, package: null, value: scalar('str', value, { kind: 'builtin', what: 'bait --app' }), valueType: 'ELEMENT', index: -1, text: `${key}=<dir>`, keyRange: [0, key.length] };
  applyConfigOverride(cfg, o);
}

/**
 * The folders Lightning's ModelCheckpoint callbacks will write to once the run lives in `dir`: every dict in the
 * config whose `_target_` is a ModelCheckpoint and that names a `dirpath` (resolved, with `hydra:runtime.output_dir`
 * set to the run dir as Hydra will). Without a dirpath Lightning writes under the logger's folder; the readers
 * search the run directory for those.
 */
export function checkpointSetup(plan: AppPlan, dir: string, env: NodeJS.ProcessEnv, workspaceDir: string):
    { dirs: string[]; monitor?: string; mode?: 'min' | 'max' } {
  const cfg = plan.config;
  setNode(cfg, 'hydra.run.dir', dir);
  if (plan.layout === 'bait') setNode(cfg, 'exp_config.directory', dir);
  setNode(cfg, 'hydra.runtime.output_dir', dir);
  const r = resolveTree(cfg, { env, now: nowFromEnv(env), hydra: hydraNode(cfg) });
  const out = new Set<string>();
  let monitor: string | undefined;
  let mode: 'min' | 'max' | undefined;
  const walk = (v: Plain | undefined): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, Plain>;
      const target = str(o._target_);
      const dirpath = str(o.dirpath);
      if (target?.endsWith('ModelCheckpoint')) {
        if (dirpath && !dirpath.includes('${')) out.add(isAbsolute(dirpath) ? dirpath : resolve(workspaceDir, dirpath));
        monitor ??= str(o.monitor);
        mode ??= o.mode === 'max' ? 'max' : o.mode === 'min' ? 'min' : undefined;
      }
      for (const [k, x] of Object.entries(o)) if (k !== 'hydra') walk(x);
    }
  };
  if (r.node) walk(toPlain(r.node));
  return { dirs: [...out], ...(monitor ? { monitor, mode: mode ?? 'min' } : {}) };
}
