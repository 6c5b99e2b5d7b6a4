// Hydra's BasicSweeper job expansion (split_arguments): every sweep override becomes a list of `key=value`
// strings, every plain override a list of one, and the jobs are their cartesian product with the first override
// varying slowest. A key given twice keeps its first position and its last value. Jobs are cut into batches of
// max_batch_size. The library stays pure: config group options (for glob) come from the caller.

import type { ConfigError } from '../errors.js';
import type { ConfigNode, Origin, ScalarNode } from '../nodes.js';
import { shuffled } from './functions.js';
import { floatRangeValues } from './float-range.js';
import { elementToString, keyElement, overrideToString, pyFloatRepr, pyIntStr } from './format.js';
import { isSweep, type Override, type Sweep } from './types.js';

export interface SweepOptions {
  /** The options of a config group, as Hydra's repository lists them (config names without extension). */
  listOptions: (group: string) => string[];
  /** Jobs per batch; null, undefined or -1 put every job in one batch. */
  maxBatchSize?: number | null;
  /** Random numbers in [0, 1) for shuffle(); defaults to Math.random (Hydra shuffles randomly too). */
  random?: () => number;
  /** Refuse sweeps with more jobs than this (default 1,000,000) instead of exhausting memory. */
  maxJobs?: number;
}

export interface SweepResult {
  /** Batches of jobs; each job is its list of override strings. */
  batches?: string[][][];
  error?: ConfigError;
}

const DEFAULT_MAX_JOBS = 1_000_000;

class SweepFailure extends Error {
  constructor(readonly error: ConfigError) {
    super(error.message);
  }
}

function originOf(o: Override): Origin {
  return { kind: 'override', index: o.index, text: o.text, range: o.valueRange ?? o.keyRange };
}

function fail(o: Override, message: string, code: ConfigError['code'] = 'sweep-unsupported'): never {
  throw new SweepFailure({ code, message, origin: originOf(o) });
}

/** The `key=value` strings of each distinct key, in Hydra's order (first position, last value). */
function jobAxes(overrides: Override[], opts: SweepOptions, limit: number): string[][] {
  const axes = new Map<string, string[]>();
  for (const o of overrides) {
    const key = keyElement(o);
    if (isSweep(o)) axes.set(key, sweepValueList(o, opts, limit).map((v) => `${key}=${v}`));
    else axes.set(key, [overrideToString(o)]);
  }
  return [...axes.values()];
}

/**
 * The values one sweep override expands to, as strings for the right-hand side of `=` (Hydra's
 * sweep_string_iterator): `1`, `1.5`, `'x y'`, `[1,2]`, `mysql`. At most `limit` values are computed.
 */
export function sweepValues(o: Override, opts: SweepOptions, limit = (opts.maxJobs ?? DEFAULT_MAX_JOBS) + 1): { values?: string[]; error?: ConfigError } {
  try {
    return { values: sweepValueList(o, opts, limit) };
  } catch (e) {
    if (e instanceof SweepFailure) return { error: e.error };
    throw e;
  }
}

function sweepValueList(o: Override, opts: SweepOptions, limit: number): string[] {
  const s = o.value as Sweep;
  switch (s.kind) {
    case 'interval':
      fail(o, `The basic sweeper cannot sweep over interval() (INTERVAL_SWEEP) in '${o.text}'; use choice() or range(), or a sweeper that samples intervals.`);
    case 'choice': {
      if (s.nested) fail(o, `'${o.text}' has a sweep inside a sweep, which cannot be enumerated; write the values of the inner sweep out, e.g. a=1,2,4.`);
      const items = s.shuffle ? shuffled(s.items, opts.random ?? Math.random) : s.items;
      return items.map((i) => elementToString(i));
    }
    case 'range': {
      const values = rangeValues(o, s, limit);
      return s.shuffle ? shuffled(values, opts.random ?? Math.random) : values;
    }
    case 'glob': {
      const options = sortCodePoints(opts.listOptions(o.key));
      const include = s.include.map((p) => globRegex(o, p));
      const exclude = s.exclude.map((p) => globRegex(o, p));
      return options.filter((n) => include.some((r) => r.test(n)) && !exclude.some((r) => r.test(n)));
    }
  }
}

function sortCodePoints(xs: string[]): string[] {
  return [...new Set(xs)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const num = (n: ConfigNode): number => {
  const v = (n as ScalarNode).value;
  return typeof v === 'boolean' ? Number(v) : (v as number);
};
const isInt = (n: ConfigNode) => n.kind === 'scalar' && (n.type === 'int' || n.type === 'bool');

function rangeValues(o: Override, s: Extract<Sweep, { kind: 'range' }>, limit: number): string[] {
  const [start, stop, step] = [num(s.start), num(s.stop), num(s.step)];
  if (isInt(s.start) && isInt(s.stop) && isInt(s.step)) {
    if (step === 0) fail(o, `range() step must not be zero in '${o.text}'.`);
    const out: string[] = [];
    for (let v = start; (step > 0 ? v < stop : v > stop) && out.length < limit; v += step) out.push(pyIntStr(v));
    return out;
  }
  if (![start, stop, step].every(Number.isFinite)) fail(o, `range() needs finite numbers in '${o.text}'; an infinite range would never end.`);
  try {
    return floatRangeValues(start, stop, step, limit).map(pyFloatRepr);
  } catch (e) {
    fail(o, `${(e as Error).message} In '${o.text}'.`);
  }
}

/** Python's fnmatch pattern as a regular expression: `*`, `?`, `[seq]`, `[!seq]`; the whole name must match. */
function globRegex(o: Override, pattern: string): RegExp {
  let re = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i++]!;
    if (c === '*') re += re.endsWith('.*') ? '' : '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      let j = i;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j++;
      if (j >= pattern.length) re += '\\[';
      else {
        let set = pattern.slice(i, j).replace(/\\/g, '\\\\');
        i = j + 1;
        if (set.startsWith('!')) set = '^' + set.slice(1);
        else if (set.startsWith('^')) set = '\\' + set;
        re += `[${set}]`;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  try {
    return new RegExp(`^(?:${re})$`, 's');
  } catch {
    fail(o, `Bad glob pattern '${pattern}' in '${o.text}'.`);
  }
}

/**
 * Expands a multirun's overrides into batches of jobs, as Hydra's BasicSweeper does. Never throws: an
 * unsupported sweep (interval(), a sweep inside a sweep) or a sweep that is too large comes back as an error.
 */
export function expandSweep(overrides: Override[], opts: SweepOptions): SweepResult {
  const maxJobs = opts.maxJobs ?? DEFAULT_MAX_JOBS;
  try {
    const size = opts.maxBatchSize;
    if (size !== null && size !== undefined && size !== -1 && !(Number.isInteger(size) && size > 0)) {
      return { error: { code: 'sweep-unsupported', message: `max_batch_size must be a positive integer or null, got ${size}.` } };
    }
    const axes = jobAxes(overrides, opts, maxJobs + 1);
    const total = axes.reduce((n, a) => n * a.length, 1);
    if (total > maxJobs) return { error: tooMany(overrides, total, maxJobs) };
    const jobs = product(axes);
    if (size === null || size === undefined || size === -1) return { batches: [jobs] };
    const batches: string[][][] = [];
    for (let i = 0; i < jobs.length; i += size) batches.push(jobs.slice(i, i + size));
    return { batches };
  } catch (e) {
    if (e instanceof SweepFailure) return { error: e.error };
    throw e;
  }
}

/** The number of jobs a multirun would make, without listing them (for "Launch Sweep (N jobs)"). */
export function countJobs(overrides: Override[], opts: Pick<SweepOptions, 'listOptions'> & { maxJobs?: number }): { count?: number; error?: ConfigError } {
  const maxJobs = opts.maxJobs ?? DEFAULT_MAX_JOBS;
  try {
    const counts = new Map<string, number>();
    for (const o of overrides) {
      const key = keyElement(o);
      counts.set(key, isSweep(o) ? sweepCount(o, opts, maxJobs) : 1);
    }
    return { count: [...counts.values()].reduce((n, c) => n * c, 1) };
  } catch (e) {
    if (e instanceof SweepFailure) return { error: e.error };
    throw e;
  }
}

function sweepCount(o: Override, opts: Pick<SweepOptions, 'listOptions'>, maxJobs: number): number {
  const s = o.value as Sweep;
  if (s.kind === 'range' && isInt(s.start) && isInt(s.stop) && isInt(s.step)) {
    const [start, stop, step] = [num(s.start), num(s.stop), num(s.step)];
    if (step === 0) fail(o, `range() step must not be zero in '${o.text}'.`);
    return Math.max(0, Math.ceil((stop - start) / step));
  }
  const n = sweepValueList(o, { listOptions: opts.listOptions, random: () => 0 }, maxJobs + 1).length;
  if (n > maxJobs) fail(o, `'${o.text}' expands to more than ${maxJobs} values; narrow the range or raise the limit.`);
  return n;
}

function tooMany(overrides: Override[], total: number, maxJobs: number): ConfigError {
  const first = overrides.find(isSweep) ?? overrides[0];
  return {
    code: 'sweep-unsupported',
    message: `This sweep would make ${total > 1e15 ? 'more than 10^15' : total} jobs, more than the limit of ${maxJobs}; sweep over fewer values.`,
    ...(first ? { origin: originOf(first) } : {}),
  };
}

/** itertools.product: the last axis varies fastest. */
function product(axes: string[][]): string[][] {
  let jobs: string[][] = [[]];
  for (const axis of axes) {
    const next: string[][] = [];
    for (const job of jobs) for (const v of axis) next.push([...job, v]);
    jobs = next;
  }
  return jobs;
}

/** A deterministic random source (mulberry32) for reproducible shuffles, e.g. in tests or with a sweep seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
