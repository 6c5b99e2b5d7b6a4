// Composition: Hydra's ConfigLoaderImpl.load_configuration on our nodes. Defaults list -> merge every config
// at its package -> apply command-line overrides (struct mode: only `+`/`++` add keys) -> fill the `hydra` node.

import { createDefaultsList, type DefaultsTreeNode, type ResolvedDefault } from './defaults.js';
import { ConfigErrorSignal, fail, type ConfigError, type ConfigWarning } from './errors.js';
import { mergeInto } from './merge.js';
import { markOwned, ownDict } from './cow.js';
import { cloneNode, dict, list, scalar, type ConfigNode, type DictNode, type Origin } from './nodes.js';
import { applyConfigOverride } from './apply-override.js';
import { parseOverrides } from './overrides/parser.js';
import { isSweep, type Override } from './overrides/types.js';
import { Repository } from './repository.js';
import type { ConfigSource } from './source.js';

export interface ComposeOptions {
  source: ConfigSource;
  /** Hydra's --config-name (`premise_selection/hol4/gnn`); null composes only what overrides add. */
  configName: string | null;
  overrides?: string[];
  /** '1.1' selects Hydra 1.1 compatibility (`.yml` names, legacy `optional:`); null is Hydra 1.3. */
  versionBase?: '1.1' | null;
  /** With `multirun`, sweep overrides are allowed (and left out: the sweeper expands them). */
  multirun?: boolean;
  /** Reuse a repository (and its parse cache) across compositions of the same source. */
  repository?: Repository;
  /**
   * Composing to launch (a run or a sweep) rather than to show (`--cfg`, the editor): as Hydra's launch does,
   * a null `hydra.mode` becomes RUN (MULTIRUN with `multirun`) and `hydra.mode=...` ends `hydra.overrides.hydra`.
   */
  launch?: boolean;
  /** `hydra.runtime.cwd` and `config_sources`, which Hydra takes from the process; left `???` when absent. */
  runtime?: RuntimeInfo;
}

export interface RuntimeInfo {
  /** The process's working directory (absolute). */
  cwd: string;
  /** The primary config directory (absolute). */
  configDir: string;
  /** Its search-path provider: `main` (the app's own config path) or `command-line` (given as `--config-dir`). */
  provider?: 'main' | 'command-line';
}

export interface ComposeResult {
  /**
   * The composed config including the `hydra` node; undefined when composition failed. Read-only: it shares
   * nodes with the repository's parse cache.
   */
  config?: DictNode;
  errors: ConfigError[];
  warnings: ConfigWarning[];
  defaults: ResolvedDefault[];
  tree?: DefaultsTreeNode;
  /** `hydra.runtime.choices`. */
  choices: Map<string, string | null>;
  /** Every config file read, search-path relative (`db/mysql.yaml`), for incremental recomposition. */
  filesRead: string[];
  overrides: Override[];
  /** In multirun mode, the sweep overrides that were not applied. */
  sweepOverrides: Override[];
  repository: Repository;
}

export function compose(opts: ComposeOptions): ComposeResult {
  const repo = opts.repository ?? new Repository(opts.source, { versionBase: opts.versionBase ?? null });
  const result: ComposeResult = {
    errors: [],
    warnings: [],
    defaults: [],
    choices: new Map(),
    filesRead: [],
    overrides: [],
    sweepOverrides: [],
    repository: repo,
  };
  const parsed = parseOverrides(opts.overrides ?? []);
  result.overrides = parsed.overrides;
  if (parsed.errors.length) {
    result.errors.push(...parsed.errors);
    return result;
  }
  try {
    composeInto(result, repo, opts);
  } catch (e) {
    if (e instanceof ConfigErrorSignal) result.errors.push(e.error);
    else if (e instanceof RangeError) {
      // Deep recursion in a pathological input: report it instead of crashing the caller.
      result.errors.push({ code: 'defaults-cycle', message: `Composition recursed too deeply (${e.message}); look for a cycle in the defaults lists.` });
    } else throw e;
  }
  return result;
}

function composeInto(result: ComposeResult, repo: Repository, opts: ComposeOptions): void {
  const configOverrides: Override[] = [];
  for (const o of result.overrides) {
    const origin: Origin = { kind: 'override', index: o.index, text: o.text, range: [0, o.text.length] };
    if (!isSweep(o)) {
      configOverrides.push(o);
      continue;
    }
    if (opts.multirun) {
      if (o.key.startsWith('hydra.') || o.key.startsWith('hydra/')) {
        fail('override-sweep-in-compose', `Sweeping over Hydra's configuration is not supported: '${o.text}'.`, origin);
      }
      result.sweepOverrides.push(o);
    } else if (o.valueType === 'SIMPLE_CHOICE_SWEEP') {
      fail(
        'override-sweep-in-compose',
        `Ambiguous value for argument '${o.text}'.\n1. To use it as a list, use key=[value1,value2]\n2. To use it as a string, quote the value: key='value1,value2'\n3. To sweep over it, add --multirun (-m) to your command line`,
        origin,
      );
    } else {
      fail('override-sweep-in-compose', `Sweep parameters '${o.text}' require --multirun (-m).`, origin);
    }
  }

  const configName = opts.configName === null ? null : normalizeConfigName(opts.configName);
  const dl = createDefaultsList(repo, { configName, overrides: configOverrides, prependHydra: true, skipMissing: opts.multirun === true });
  result.defaults = dl.defaults;
  result.tree = dl.tree;
  result.choices = dl.choices;
  result.filesRead = [...dl.loaded.keys()].map((p) => repo.findFile(p)?.path ?? p);
  result.warnings.push(...dl.warnings);

  const cfg = markOwned(dict());
  for (const d of dl.defaults) {
    if (d.configPath === null) continue;
    const loaded = repo.load(d.configPath);
    if (!loaded?.node) continue;
    mergeInto(cfg, embed(loaded.node, d.package));
  }
  // The merge moves the root's origin to the last file; the root itself has no single origin.
  delete cfg.origin;
  delete cfg.history;

  for (const o of dl.configOverrides) applyConfigOverride(cfg, o);
  fillHydraNode(cfg, result.overrides, dl.choices, configName, opts);
  result.config = cfg;
}

/** Strips a `.yaml` suffix as Hydra does (a `.yml` name is kept: only version_base 1.1 loads it). */
function normalizeConfigName(name: string): string {
  return name.endsWith('.yaml') ? name.slice(0, -5) : name;
}

/** Places a file's root under its package (`a.b` -> {a: {b: root}}); '' is the root. */
function embed(node: DictNode, pkg: string): DictNode {
  if (pkg === '') return node;
  let cur: ConfigNode = node;
  const parts = pkg.split('.');
  for (let i = parts.length - 1; i >= 0; i--) {
    const wrapper = dict();
    wrapper.entries.set(parts[i]!, { key: parts[i]!, node: cur });
    cur = wrapper;
  }
  return cur as DictNode;
}

function strList(items: string[]): ConfigNode {
  return list(items.map((s) => scalar('str', s)));
}

/** The dict under `key` of an owned parent, owned too (copied on first write), created when absent. */
function ensureDict(parent: DictNode, key: string): DictNode {
  const e = parent.entries.get(key);
  if (e && e.node.kind === 'dict') {
    const o = ownDict(e.node);
    e.node = o;
    return o;
  }
  const d = markOwned(dict());
  parent.entries.set(key, { key, node: d });
  return d;
}

function setScalar(parent: DictNode, key: string, node: ConfigNode): void {
  const e = parent.entries.get(key);
  if (e) e.node = node;
  else parent.entries.set(key, { key, node });
}

/** Fills the runtime parts of the `hydra` node the way Hydra's config loader does. */
function fillHydraNode(
  cfg: DictNode,
  overrides: Override[],
  choices: Map<string, string | null>,
  configName: string | null,
  opts: ComposeOptions,
): void {
  const hydra = ensureDict(cfg, 'hydra');
  const task = overrides.filter((o) => !(o.key.startsWith('hydra.') || o.key.startsWith('hydra/')) && !isSweep(o));
  const hydraOverrides = overrides.filter((o) => o.key.startsWith('hydra.') || o.key.startsWith('hydra/')).map((o) => o.text);
  const mode = hydra.entries.get('mode');
  if (opts.launch && (!mode || (mode.node.kind === 'scalar' && mode.node.type === 'null'))) {
    // Hydra's `_run_app` appends this override when the config leaves the mode open.
    const m = opts.multirun ? 'MULTIRUN' : 'RUN';
    setScalar(hydra, 'mode', scalar('str', m));
    hydraOverrides.push(`hydra.mode=${m}`);
  }
  const ov = ensureDict(hydra, 'overrides');
  setScalar(ov, 'hydra', strList(hydraOverrides));
  setScalar(ov, 'task', strList(task.map((o) => o.text)));

  const runtime = ensureDict(hydra, 'runtime');
  const ch = ensureDict(runtime, 'choices');
  // Hydra records a choice as its defaults tree is built: the primary config's groups (depth first, each list
  // from its last entry), then Hydra's own.
  for (const [k, v] of choices) {
    if (!ch.entries.has(k)) ch.entries.set(k, { key: k, node: v === null ? scalar('null', null) : scalar('str', v) });
  }
  setScalar(runtime, 'version', scalar('str', '1.3.2'));
  setScalar(runtime, 'version_base', scalar('str', opts.versionBase ?? '1.3'));
  if (opts.runtime) {
    setScalar(runtime, 'cwd', scalar('str', opts.runtime.cwd));
    const source = (path: string, schema: string, provider: string) => {
      const d = dict();
      d.entries.set('path', { key: 'path', node: scalar('str', path) });
      d.entries.set('schema', { key: 'schema', node: scalar('str', schema) });
      d.entries.set('provider', { key: 'provider', node: scalar('str', provider) });
      return d;
    };
    setScalar(runtime, 'config_sources', list([source('hydra.conf', 'pkg', 'hydra'), source(opts.runtime.configDir, 'file', opts.runtime.provider ?? 'main'), source('', 'structured', 'schema')]));
  }

  const job = ensureDict(hydra, 'job');
  const name = job.entries.get('name');
  if (!name || (name.node.kind === 'scalar' && name.node.type === 'missing')) {
    const base = configName === null ? 'app' : configName.split('/').pop()!.replace(/\.ya?ml$/, '');
    setScalar(job, 'name', scalar('str', base));
  }
  const dirCfg = (((job.entries.get('config')?.node as DictNode | undefined)?.entries.get('override_dirname')?.node) ?? dict()) as DictNode;
  const get = (k: string, dflt: string) => {
    const n = dirCfg.entries.get(k)?.node;
    return n && n.kind === 'scalar' && typeof n.value === 'string' ? n.value : dflt;
  };
  const excludeNode = dirCfg.entries.get('exclude_keys')?.node;
  const exclude = new Set(excludeNode?.kind === 'list' ? excludeNode.items.map((i) => (i.kind === 'scalar' ? String(i.value) : '')) : []);
  const lines = task.filter((o) => !exclude.has(o.key)).map((o) => o.text).sort();
  const kvSep = get('kv_sep', '=');
  setScalar(job, 'override_dirname', scalar('str', lines.join(get('item_sep', ',')).replace(/=/g, kvSep)));
  setScalar(job, 'config_name', configName === null ? scalar('null', null) : scalar('str', configName));
}

/** The job config: a copy of the composed config without its `hydra` node (what `--cfg job` prints). */
export function jobConfig(cfg: DictNode): DictNode {
  const out = dict();
  for (const [k, e] of cfg.entries) if (k !== 'hydra') out.entries.set(k, e);
  return out;
}

export function hydraNode(cfg: DictNode): DictNode {
  const h = cfg.entries.get('hydra')?.node;
  return h && h.kind === 'dict' ? h : dict();
}

export { cloneNode };
