// Hydra's Optuna sweeper config (`hydra/sweeper=optuna`, lightning-hydra-template's `hparams_search=...`) read
// into a study that bait's own model-based search runs (the `bayes` method of sweep files, sweep-plan.ts).
// `params` are in the override grammar and map as the Optuna plugin maps them: choice() and `a,b` become a
// categorical, interval() a float (int(interval()) an int) range, tag(log, interval()) a log range, range() its
// values. Command-line sweeps join the search space and win over `params` of the same key. Problems come back as
// ConfigErrors located at the value that caused them, so the CLI prints file:line:col.
import type { ConfigError } from '../config/errors.js';
import { scalar, toPlain, type ConfigNode, type DictNode, type Origin } from '../config/nodes.js';
import { parseOverride } from '../config/overrides/parser.js';
import { elementToString, keyElement, overrideToString } from '../config/overrides/format.js';
import { sweepValues } from '../config/overrides/sweep.js';
import { isSweep, type Override, type Sweep } from '../config/overrides/types.js';
import { loadYaml } from '../config/yaml-load.js';
import type { SweepParameter, SweepSpec } from './sweep-file.js';

export type Direction = 'minimize' | 'maximize';

/** What sweep.json records of a study, enough to rebuild it on `bait resume` (params in the override grammar). */
export interface OptunaRecord {
  kind: 'optuna';
  study_name: string | null;
  direction: Direction;
  /** The objective: the job's `optimized_metric`, else its ModelCheckpoint monitor. */
  metric: string;
  n_trials: number;
  n_jobs: number;
  seed: number;
  sampler: string;
  /** Trials sampled at random before the model proposes (Optuna's n_startup_trials). */
  n_startup_trials: number;
  params: Record<string, string>;
  /** Overrides before each trial's parameters: the command line's plain overrides and the fixed `params`. */
  base_overrides: string[];
}

export interface OptunaStudy {
  record: OptunaRecord;
  /** The search space as the bayes planner takes it. */
  spec: SweepSpec;
  /** Things bait does differently from Optuna here, said once before the study starts. */
  notes: string[];
}

/** Optuna's TPESampler default (the plugin's config sets it explicitly too). */
const DEFAULT_STARTUP = 10;

function entry(d: DictNode | undefined, key: string): ConfigNode | undefined {
  return d?.entries.get(key)?.node;
}

function isNull(n: ConfigNode | undefined): boolean {
  return !n || (n.kind === 'scalar' && n.type === 'null');
}

function err(message: string, origin: Origin | undefined, code: ConfigError['code'] = 'sweep-unsupported'): ConfigError {
  return { code, message, ...(origin ? { origin } : {}) };
}

function positiveInt(d: DictNode, key: string, errors: ConfigError[]): number | undefined {
  const n = entry(d, key);
  if (n?.kind === 'scalar' && n.type === 'int' && Number(n.value) > 0) return Number(n.value);
  errors.push(err(`hydra.sweeper.${key} must be a positive integer, not ${n ? JSON.stringify(toPlain(n)) : 'nothing'}.`, n?.origin, 'override-type'));
  return undefined;
}

function direction(d: DictNode, errors: ConfigError[]): Direction | undefined {
  const n = entry(d, 'direction');
  let items = n?.kind === 'list' ? n.items : n ? [n] : [];
  if (n?.kind === 'list' && items.length > 1) {
    errors.push(err(`hydra.sweeper.direction is a list of ${items.length} directions: a multi-objective study, which bait's search ` +
      'does not support. Give one direction (minimize or maximize) and one optimized_metric.', n.origin));
    return undefined;
  }
  items = items.slice(0, 1);
  const v = items[0]?.kind === 'scalar' ? String(items[0].value).toLowerCase() : undefined;
  if (v === 'minimize' || v === 'maximize') return v;
  errors.push(err(`hydra.sweeper.direction must be minimize or maximize, not ${n ? JSON.stringify(toPlain(n)) : 'nothing'}.`, n?.origin, 'override-type'));
  return undefined;
}

/** One search-space entry, from `params` (text and the file range it came from) or the command line. */
export interface ParamSource {
  text: string;
  origin?: Origin;
}

function nodesOf(values: string[]): ConfigNode[] {
  return values.map((v) => loadYaml(v, 'override').node ?? scalar('str', v));
}

/** Maps one sweep override to a parameter of the planner, as the Optuna plugin maps it to a distribution. */
function parameterOf(o: Override, origin: Origin | undefined): SweepParameter | ConfigError {
  const key = keyElement(o);
  const s = o.value as Sweep;
  const where = origin ?? { kind: 'override' as const, index: o.index, text: o.text, range: o.valueRange ?? o.keyRange };
  // range() with a step, or shuffled: a choice among its values (Optuna's stepped distributions).
  const listed = (): SweepParameter | ConfigError => {
    const r = sweepValues(o, { listOptions: () => [], maxJobs: 10_000 });
    if (r.error) return { ...r.error, origin: where };
    return { key, distribution: 'categorical', values: nodesOf(r.values!), integer: false, origin: where };
  };
  switch (s.kind) {
    case 'choice':
      if (s.nested) return err(`'${o.text}': a choice that contains another sweep cannot be searched; list plain values.`, where);
      return { key, distribution: 'categorical', values: s.items, integer: false, origin: where };
    case 'range': {
      const ints = [s.start, s.stop, s.step].every((n) => n.kind === 'scalar' && n.type === 'int');
      if (ints && Number((s.step as { value: number }).value) === 1 && !s.shuffle) {
        const [lo, hi] = [Number((s.start as { value: number }).value), Number((s.stop as { value: number }).value) - 1];
        if (hi < lo) return err(`'${o.text}' is empty: range(start, stop) needs start < stop.`, where);
        return { key, distribution: 'int_uniform', values: [], min: lo, max: hi, integer: true, origin: where };
      }
      return listed();
    }
    case 'interval': {
      const lo = Number((s.start as { value: number }).value);
      const hi = Number((s.end as { value: number }).value);
      const integer = s.start.kind === 'scalar' && s.start.type === 'int' && s.end.kind === 'scalar' && s.end.type === 'int';
      if (!(lo <= hi)) return err(`'${o.text}': interval(low, high) needs low <= high.`, where);
      if (s.tags.includes('log')) {
        if (lo <= 0) return err(`'${o.text}': a log interval needs low > 0.`, where);
        return { key, distribution: 'log_uniform_values', values: [], min: lo, max: hi, integer, ...(integer ? { q: 1 } : {}), origin: where };
      }
      return { key, distribution: integer ? 'int_uniform' : 'uniform', values: [], min: lo, max: hi, integer, origin: where };
    }
    case 'glob':
      return err(`'${o.text}': glob() is not supported by the Optuna sweeper; list the options with choice().`, where);
  }
}

/**
 * The search space of `params` plus the command line's sweep overrides. Non-sweep `params` entries are fixed
 * overrides of every trial.
 */
export function searchSpace(params: ParamSource[], commandLine: Override[]): { parameters: SweepParameter[]; fixed: string[]; errors: ConfigError[] } {
  const byKey = new Map<string, SweepParameter | string>();
  const errors: ConfigError[] = [];
  for (const p of params) {
    const r = parseOverride(p.text);
    if (!r.override) {
      errors.push({ ...r.error!, ...(p.origin ? { origin: p.origin } : {}) });
      continue;
    }
    const o = r.override;
    if (!isSweep(o)) {
      byKey.set(keyElement(o), overrideToString(o));
      continue;
    }
    const q = parameterOf(o, p.origin);
    if ('code' in q) errors.push(q);
    else byKey.set(q.key, q);
  }
  for (const o of commandLine.filter(isSweep)) {
    const q = parameterOf(o, undefined);
    if ('code' in q) errors.push(q);
    else byKey.set(q.key, q);
  }
  const parameters = [...byKey.values()].filter((v): v is SweepParameter => typeof v !== 'string');
  return { parameters, fixed: [...byKey.values()].filter((v): v is string => typeof v === 'string'), errors };
}

/** The `params` dict of the sweeper config as search-space sources, with the file range of each value. */
function paramSources(d: DictNode, errors: ConfigError[]): ParamSource[] {
  const n = entry(d, 'params');
  if (isNull(n)) return [];
  if (n!.kind !== 'dict') {
    errors.push(err('hydra.sweeper.params must be a mapping of config keys to values in the override grammar (lr: interval(0.0001, 0.1)).', n!.origin, 'override-type'));
    return [];
  }
  const out: ParamSource[] = [];
  // A nested mapping (`model: {lr: ...}`) is the same as the dotted key (`model.lr: ...`).
  const walk = (node: DictNode, prefix: string): void => {
    for (const [key, e] of node.entries) {
      const v = e.node;
      const name = prefix + String(key);
      if (v.kind === 'dict') {
        walk(v, `${name}.`);
        continue;
      }
      if (v.kind !== 'scalar' || v.type === 'missing') {
        errors.push(err(`hydra.sweeper.params.${name} must be one value in the override grammar, e.g. choice(32, 64) or interval(0.0001, 0.1).`, v.origin ?? e.keyOrigin, 'override-type'));
        continue;
      }
      out.push({ text: `${name}=${v.type === 'str' ? String(v.value) : elementToString(v)}`, ...(v.origin ? { origin: v.origin } : {}) });
    }
  };
  walk(n!, '');
  return out;
}

/** The objective the caller found: the job's optimized_metric, or its ModelCheckpoint's monitor and mode. */
export interface Objective {
  metric: string;
  /** The checkpoint's mode, when the objective is its monitor: the direction unless the config sets one. */
  mode?: Direction;
}

/**
 * Reads the composed `hydra.sweeper` node of an Optuna sweep and the command line's overrides (sweeps join the
 * search space, the rest come before every trial's parameters). `fallbackSeed` is used when the sampler has no
 * seed (Optuna would be unseeded).
 */
export function readOptunaSweeper(sweeper: DictNode, commandLine: Override[], objective: Objective, fallbackSeed: number):
    { study?: OptunaStudy; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  const notes: string[] = [];
  const { metric } = objective;
  for (const key of ['custom_search_space', 'search_space'] as const) {
    const n = entry(sweeper, key);
    if (!isNull(n)) {
      errors.push(err(key === 'search_space'
        ? 'hydra.sweeper.search_space is the Optuna sweeper 1.1 form; write the search space as params in the override grammar (lr: interval(0.0001, 0.1), batch_size: choice(32, 64)).'
        : 'hydra.sweeper.custom_search_space names a Python function, which bait cannot call; put its parameters in hydra.sweeper.params.', n!.origin));
    }
  }
  let dir = direction(sweeper, errors);
  if (objective.mode && entry(sweeper, 'direction')?.origin?.kind === 'builtin' && dir !== objective.mode) {
    notes.push(`the objective is the checkpoint monitor '${metric}' (mode ${objective.mode === 'maximize' ? 'max' : 'min'}), so the study ${objective.mode}s it; set hydra.sweeper.direction to choose`);
    dir = objective.mode;
  }
  const nTrials = positiveInt(sweeper, 'n_trials', errors);
  const nJobs = positiveInt(sweeper, 'n_jobs', errors);
  const sampler = entry(sweeper, 'sampler');
  const samplerDict = sampler?.kind === 'dict' ? sampler : undefined;
  const target = entry(samplerDict, '_target_');
  const samplerName = target?.kind === 'scalar' ? String(target.value).split('.').pop()! : 'TPESampler';
  const seedNode = entry(samplerDict, 'seed');
  let seed = fallbackSeed;
  if (!isNull(seedNode)) {
    if (seedNode!.kind === 'scalar' && seedNode!.type === 'int') seed = Number(seedNode!.value);
    else errors.push(err(`hydra.sweeper.sampler.seed must be an integer or null, not ${JSON.stringify(toPlain(seedNode!))}.`, seedNode!.origin, 'override-type'));
  } else {
    notes.push(`the sampler has no seed; this study uses seed ${seed} (recorded in sweep.json, so a resume continues it alike)`);
  }
  const startupNode = entry(samplerDict, 'n_startup_trials');
  let startup = startupNode?.kind === 'scalar' && startupNode.type === 'int' ? Math.max(0, Number(startupNode.value)) : DEFAULT_STARTUP;
  if (samplerName === 'RandomSampler') startup = Number.MAX_SAFE_INTEGER;
  else if (samplerName !== 'TPESampler') {
    notes.push(`sampler ${samplerName} is not available; bait searches with its own TPE-style method (as for TPESampler)`);
  }
  const storage = entry(sweeper, 'storage');
  if (!isNull(storage)) {
    notes.push(`storage ${JSON.stringify(toPlain(storage!))} is not used: the trials are recorded in the sweep directory's sweep.json, ` +
      'and `bait resume <sweep-dir>` continues the study');
  }
  const studyNode = entry(sweeper, 'study_name');
  const studyName = studyNode?.kind === 'scalar' && studyNode.type !== 'null' ? String(studyNode.value) : null;

  const space = searchSpace(paramSources(sweeper, errors), commandLine);
  errors.push(...space.errors);
  if (!errors.length && !space.parameters.length) {
    errors.push(err('The Optuna sweeper has nothing to search: give hydra.sweeper.params (e.g. model.lr: interval(0.0001, 0.1)) or sweep values on the command line.',
      entry(sweeper, 'params')?.origin));
  }
  if (errors.length || !dir || !nTrials || !nJobs) return { errors };
  const params = Object.fromEntries(space.parameters.map((p) => [p.key, paramText(p)]));
  const record: OptunaRecord = { kind: 'optuna', study_name: studyName, direction: dir, metric, n_trials: nTrials, n_jobs: nJobs, seed,
    sampler: samplerName, n_startup_trials: startup, params,
    base_overrides: [...commandLine.filter((o) => !isSweep(o)).map((o) => o.text), ...space.fixed] };
  return { study: { record, spec: specOf(record, space.parameters), notes }, errors };
}

/** A parameter back in the override grammar, for sweep.json (resume parses it again). */
function paramText(p: SweepParameter): string {
  const num = (x: number) => elementToString(scalar(p.integer ? 'int' : 'float', p.integer ? Math.round(x) : x));
  switch (p.distribution) {
    case 'int_uniform': return `int(interval(${num(p.min!)}, ${num(p.max!)}))`;
    case 'uniform': return `interval(${num(p.min!)}, ${num(p.max!)})`;
    case 'log_uniform_values': return p.integer ? `tag(log, int(interval(${num(p.min!)}, ${num(p.max!)})))` : `tag(log, interval(${num(p.min!)}, ${num(p.max!)}))`;
    default: return `choice(${p.values.map((v) => elementToString(v)).join(', ')})`;
  }
}

function specOf(record: OptunaRecord, parameters: SweepParameter[]): SweepSpec {
  return { file: record.study_name ?? 'hydra.sweeper', method: 'bayes', metric: { name: record.metric, goal: record.direction }, parameters,
    runCap: record.n_trials, ...(record.study_name ? { name: record.study_name } : {}) };
}

/** Rebuilds a study from what sweep.json recorded (for `bait resume <sweep-dir>`). */
export function studyFromRecord(record: OptunaRecord): OptunaStudy {
  const space = searchSpace(Object.entries(record.params).map(([k, v]) => ({ text: `${k}=${v}` })), []);
  if (space.errors.length) throw new Error(`sweep.json: the recorded search space does not parse (${space.errors[0]!.message})`);
  return { record, spec: specOf(record, space.parameters), notes: [] };
}
