// The functions of the override grammar: casts int() float() str() bool(), sweeps choice() range() interval(),
// and tag() sort() shuffle() glob() extend_list(). Their behaviour follows Hydra 1.3's grammar_functions.py
// (argument binding as Python binds them, the same type checks, the same results), re-expressed over our values.

import { dict, list, scalar, type ConfigNode, type DictNode, type Origin, type ScalarNode } from '../nodes.js';
import { pyFloatRepr, pyIntStr, quoteOf } from './format.js';
import {
  EvalError,
  derived,
  isNode,
  isNumber,
  isSweepVal,
  numberOf,
  pyParseFloat,
  pyParseInt,
  pySorted,
  pyTypeName,
  type ChoiceVal,
  type RangeVal,
  type Val,
} from './values.js';

export interface FunctionArgs {
  args: Val[];
  kwargs: Map<string, Val>;
}

export interface EvalContext {
  /** The function's name and where the whole call is (`sort(3,1,2)`): computed values point there. */
  name: string;
  origin: Origin;
  /** Random numbers in [0, 1) for shuffle() of a plain list, which Hydra shuffles while parsing. */
  random: () => number;
}

// Python-style signatures: positional-or-keyword names, how many are required, *args, keyword-only names.
interface Signature {
  positional: string[];
  required: number;
  varargs: boolean;
  keywordOnly: string[];
}
const sig = (positional: string[], required: number, varargs: boolean, keywordOnly: string[] = []): Signature => ({
  positional,
  required,
  varargs,
  keywordOnly,
});

// Type predicates standing in for the annotations Hydra checks arguments against.
type Check = (v: Val) => boolean;
const isStr: Check = (v) => v.kind === 'scalar' && (v.type === 'str' || v.type === 'missing');
const isNone: Check = (v) => v.kind === 'scalar' && v.type === 'null';
const isPrimitive: Check = (v) => isStr(v) || isNumber(v);
const isElement: Check = (v) => isPrimitive(v) || v.kind === 'list' || v.kind === 'dict';
const any = (...checks: Check[]): Check => (v) => checks.some((c) => c(v));
const kind = (...kinds: Val['kind'][]): Check => (v) => kinds.includes(v.kind);

interface FunctionDef {
  signature: Signature;
  /** The check for each named parameter, and `*` for each positional vararg. */
  types: Record<string, Check>;
  call(bound: Map<string, Val>, rest: Val[], ctx: EvalContext): Val;
}

const castType: Check = (v) => v.kind !== 'glob' && v.kind !== 'extend';
const castDef = (cast: Cast): FunctionDef => ({
  signature: sig([], 0, true, ['value']),
  types: { '*': castType, value: castType },
  call: (bound, rest, ctx) => castValue(cast, normalizeCastValue(rest, bound.get('value'), ctx), ctx),
});

const FUNCTIONS: Record<string, FunctionDef> = {
  bool: castDef('bool'),
  choice: {
    signature: sig([], 0, true),
    types: { '*': any(isElement, kind('choice')) },
    call: (_b, args) => choice(args),
  },
  extend_list: {
    signature: sig([], 0, true),
    types: { '*': () => true },
    call: (_b, args) => ({ kind: 'extend', items: args }),
  },
  float: castDef('float'),
  glob: {
    signature: sig(['include', 'exclude'], 1, false),
    types: { include: any(isStr, kind('list')), exclude: any(isStr, kind('list'), isNone) },
    call: (b) => ({ kind: 'glob', include: globPatterns(b.get('include')!), exclude: globPatterns(b.get('exclude')) }),
  },
  int: castDef('int'),
  interval: {
    signature: sig(['start', 'end'], 2, false),
    types: { start: isNumber, end: isNumber },
    call: (b) => {
      const f = (n: Val) => derived(n as ScalarNode, 'float', numberOf(n as ScalarNode));
      return { kind: 'interval', start: f(b.get('start')!), end: f(b.get('end')!), tags: [] };
    },
  },
  range: {
    signature: sig(['start', 'stop', 'step'], 1, false),
    types: { start: isNumber, stop: any(isNumber, isNone), step: isNumber },
    call: (b, _r, ctx) => {
      let start = b.get('start') as ScalarNode;
      let stop = b.get('stop') as ScalarNode | undefined;
      if (!stop || stop.type === 'null') {
        stop = start;
        start = scalar('int', 0, ctx.origin);
      }
      const step = (b.get('step') as ScalarNode | undefined) ?? scalar('int', 1, ctx.origin);
      return { kind: 'range', start, stop, step, shuffle: false, tags: [] };
    },
  },
  shuffle: {
    signature: sig([], 0, true, ['sweep', 'list']),
    types: { '*': any(isElement, kind('choice', 'range')), sweep: any(kind('choice', 'range'), isNone), list: any(kind('list'), isNone) },
    call: (b, args, ctx) => shuffle(b, args, ctx),
  },
  sort: {
    signature: sig([], 0, true, ['sweep', 'list', 'reverse']),
    types: {
      '*': any(isElement, kind('choice', 'range')),
      sweep: any(kind('choice', 'range'), isNone),
      list: any(kind('list'), isNone),
      reverse: (v) => v.kind === 'scalar' && v.type === 'bool',
    },
    call: (b, args) => sort(b, args),
  },
  str: castDef('str'),
  tag: {
    signature: sig([], 0, true, ['sweep']),
    types: { '*': any(isStr, isSweepVal), sweep: any(isSweepVal, isNone) },
    call: (b, args) => tag(args, b.get('sweep')),
  },
};

export const FUNCTION_NAMES = Object.keys(FUNCTIONS).sort();

/** Evaluates one call. Errors come back as EvalError with a message that says what to change. */
export function evalFunction(name: string, call: FunctionArgs, ctx: EvalContext): Val {
  const def = FUNCTIONS[name];
  if (!def) throw new EvalError(`Unknown function '${name}'. Available: ${FUNCTION_NAMES.join(', ')}. Quote the value if it is a plain string.`);
  // Hydra unquotes quoted strings passed directly as arguments (not those nested in lists or dicts).
  const unquote = (v: Val): Val => (v.kind === 'scalar' && quoteOf(v) ? { ...v } : v);
  const args = call.args.map(unquote);
  const { bound, rest } = bind(name, def.signature, args, new Map([...call.kwargs].map(([k, v]) => [k, unquote(v)])));
  for (const [param, value] of bound) {
    const check = def.types[param]!;
    if (!check(value)) throw new EvalError(`${name}(): argument '${param}' cannot be a ${pyTypeName(value)}.`);
  }
  rest.forEach((value, i) => {
    if (!def.types['*']!(value)) throw new EvalError(`${name}(): argument ${i + 1} cannot be a ${pyTypeName(value)}.`);
  });
  const result = def.call(bound, rest, ctx);
  // A value computed by a call points at the whole call.
  if (isNode(result)) return { ...result, origin: ctx.origin };
  return result;
}

function bind(name: string, s: Signature, args: Val[], kwargs: Map<string, Val>): { bound: Map<string, Val>; rest: Val[] } {
  const bound = new Map<string, Val>();
  const rest: Val[] = [];
  args.forEach((a, i) => {
    if (i < s.positional.length) bound.set(s.positional[i]!, a);
    else if (s.varargs) rest.push(a);
    else throw new EvalError(`${name}() takes at most ${s.positional.length} positional arguments, got ${args.length}.`);
  });
  for (const [k, v] of kwargs) {
    if (bound.has(k)) throw new EvalError(`${name}() got multiple values for argument '${k}'.`);
    if (!s.positional.includes(k) && !s.keywordOnly.includes(k)) {
      const names = [...s.positional, ...s.keywordOnly];
      throw new EvalError(`${name}() got an unexpected keyword argument '${k}'${names.length ? `; it accepts ${names.join(', ')}` : ''}.`);
    }
    bound.set(k, v);
  }
  for (const p of s.positional.slice(0, s.required)) {
    if (!bound.has(p)) throw new EvalError(`${name}() is missing its required argument '${p}'.`);
  }
  return { bound, rest };
}

// ---- casts ----

type Cast = 'int' | 'float' | 'str' | 'bool';

function normalizeCastValue(args: Val[], value: Val | undefined, ctx: EvalContext): Val {
  if (args.length > 0 && value !== undefined && !(value.kind === 'scalar' && value.type === 'null')) {
    throw new EvalError('cannot use both positional arguments and value=');
  }
  if (value !== undefined && !(value.kind === 'scalar' && value.type === 'null')) return value;
  if (args.length === 0) throw new EvalError(`${ctx.name}() needs a value to cast.`);
  if (args.length === 1) return args[0]!;
  return simpleChoice(args);
}

function simpleChoice(args: Val[]): ChoiceVal {
  for (const a of args) {
    if (!isNode(a)) throw new EvalError(`a ${pyTypeName(a)} cannot be one of several values here; pass a single sweep instead.`);
  }
  return { kind: 'choice', list: args, simpleForm: true, shuffle: false, tags: [] };
}

function castValue(cast: Cast, v: Val, ctx: EvalContext): Val {
  switch (v.kind) {
    case 'dict': {
      const out: DictNode = dict(v.origin);
      for (const [k, e] of v.entries) out.entries.set(k, { ...e, node: castNode(cast, e.node, ctx) });
      return out;
    }
    case 'list':
      return list(v.items.map((i) => castNode(cast, i, ctx)), v.origin);
    case 'choice': {
      const items = v.list.map((i) => castValue(cast, i, ctx));
      for (const i of items) if (!isNode(i)) throw new EvalError(`${cast}() cannot cast a choice that contains a ${pyTypeName(i)}.`);
      // Like Hydra, the cast choice keeps its form but not its tags or shuffle flag.
      return { kind: 'choice', list: items, simpleForm: v.simpleForm, shuffle: false, tags: [] };
    }
    case 'range':
      if (cast !== 'int' && cast !== 'float') throw new EvalError('A range can only be cast to int or float.');
      return {
        kind: 'range',
        start: castScalar(cast, v.start),
        stop: castScalar(cast, v.stop),
        step: castScalar(cast, v.step),
        shuffle: false,
        tags: [],
      };
    case 'interval':
      if (cast !== 'int' && cast !== 'float') throw new EvalError(`An interval cannot be cast to ${cast}.`);
      return { kind: 'interval', start: castScalar(cast, v.start), end: castScalar(cast, v.end), tags: v.tags.slice() };
    case 'scalar':
      return castScalar(cast, v);
    default:
      throw new EvalError(`${cast}() cannot cast a ${pyTypeName(v)}.`);
  }
}

function castNode(cast: Cast, v: ConfigNode, ctx: EvalContext): ConfigNode {
  return castValue(cast, v, ctx) as ConfigNode;
}

function castScalar(cast: Cast, v: ScalarNode): ScalarNode {
  const shown = v.type === 'str' ? `'${String(v.value)}'` : String(v.value);
  if (v.type === 'null') {
    if (cast === 'bool') return derived(v, 'bool', false);
    throw new EvalError(`${cast}() cannot cast null.`);
  }
  const str = v.type === 'missing' ? '???' : v.value;
  switch (cast) {
    case 'int': {
      if (typeof str === 'string') {
        const n = pyParseInt(str);
        if (n === undefined) throw new EvalError(`invalid literal for int() with base 10: ${shown}`);
        return derived(v, 'int', n);
      }
      const n = numberOf(v);
      if (Number.isNaN(n)) throw new EvalError('cannot convert float NaN to integer');
      if (!Number.isFinite(n)) throw new EvalError('cannot convert float infinity to integer');
      return derived(v, 'int', Math.trunc(n) || 0);
    }
    case 'float': {
      if (typeof str === 'string') {
        const n = pyParseFloat(str);
        if (n === undefined) throw new EvalError(`could not convert string to float: ${shown}`);
        return derived(v, 'float', n);
      }
      return derived(v, 'float', numberOf(v));
    }
    case 'str':
      if (typeof str === 'string') return derived(v, 'str', str);
      if (v.type === 'bool') return derived(v, 'str', v.value ? 'true' : 'false');
      return derived(v, 'str', v.type === 'int' ? pyIntStr(v.value as number) : pyFloatRepr(v.value as number));
    case 'bool':
      if (typeof str === 'string') {
        if (str.toLowerCase() === 'true') return derived(v, 'bool', true);
        if (str.toLowerCase() === 'false') return derived(v, 'bool', false);
        throw new EvalError(`Cannot cast ${shown} to bool; use true or false.`);
      }
      return derived(v, 'bool', numberOf(v) !== 0);
  }
}

// ---- sweeps ----

function choice(args: Val[]): Val {
  if (args.length === 0) throw new EvalError('choice() needs at least one value.');
  if (args.length === 1 && args[0]!.kind === 'choice') {
    const first = args[0];
    if (!first.simpleForm) throw new EvalError('Nesting choices is not supported.');
    return { ...first, simpleForm: false };
  }
  return { kind: 'choice', list: args, simpleForm: false, shuffle: false, tags: [] };
}

function tag(args: Val[], sweep: Val | undefined): Val {
  if (args.length < 1) throw new EvalError('tag() needs at least a sweep: tag(name, ..., choice(...)).');
  const all = sweep && !(sweep.kind === 'scalar' && sweep.type === 'null') ? [...args, sweep] : args;
  const last = all[all.length - 1]!;
  if (!isSweepVal(last)) throw new EvalError('The last argument to tag() must be a choice(), range() or interval().');
  const tags: string[] = [];
  for (const t of all.slice(0, -1)) {
    if (!(t.kind === 'scalar' && t.type === 'str')) throw new EvalError(`tag names must be strings, got ${pyTypeName(t)}.`);
    if (!tags.includes(t.value as string)) tags.push(t.value as string);
  }
  return { ...last, tags };
}

function shuffle(b: Map<string, Val>, args: Val[], ctx: EvalContext): Val {
  const given = (k: string) => {
    const v = b.get(k);
    return v && !(v.kind === 'scalar' && v.type === 'null') ? v : undefined;
  };
  const listArg = given('list');
  if (listArg) return shuffle(new Map(), [listArg], ctx);
  const sweepArg = given('sweep');
  if (sweepArg) return shuffle(new Map(), [sweepArg], ctx);
  if (args.length === 1) {
    const arg = args[0]!;
    if (arg.kind === 'choice' || arg.kind === 'range') return { ...arg, shuffle: true };
    if (arg.kind === 'list') return list(shuffled(arg.items, ctx.random), arg.origin);
    return list([arg as ConfigNode]);
  }
  return { ...simpleChoice(args), shuffle: true };
}

/** Fisher-Yates as Python's random.shuffle walks it, from the end. */
export function shuffled<T>(items: T[], random: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function sort(b: Map<string, Val>, args: Val[]): Val {
  const reverseArg = b.get('reverse');
  const reverse = reverseArg?.kind === 'scalar' && reverseArg.value === true;
  const given = (k: string) => {
    const v = b.get(k);
    return v && !(v.kind === 'scalar' && v.type === 'null') ? v : undefined;
  };
  const listArg = given('list');
  if (listArg) return sort(new Map([['reverse', reverseArg ?? scalar('bool', false)]]), [listArg]);
  const sweepArg = given('sweep');
  if (sweepArg) return sortSweep(sweepArg as ChoiceVal | RangeVal, reverse);
  if (args.length === 1) {
    const arg = args[0]!;
    if (arg.kind === 'choice' || arg.kind === 'range') return sortSweep(arg, reverse);
    if (arg.kind === 'list') return list(pySorted(arg.items, reverse), arg.origin);
    return arg;
  }
  for (const a of args) {
    if (!(a.kind === 'scalar' && a.type !== 'null')) throw new EvalError(`sort() of several values takes only strings and numbers, got ${pyTypeName(a)}.`);
  }
  if (args.length === 0) throw new EvalError('sort() needs something to sort.');
  return sortSweep(simpleChoice(args), reverse);
}

function sortSweep(sweep: ChoiceVal | RangeVal, reverse: boolean): Val {
  if (sweep.kind === 'choice') return { ...sweep, list: pySorted(sweep.list, reverse) };
  const { start, stop, step } = sweep;
  const n = (x: ScalarNode) => numberOf(x);
  const arith = (a: ScalarNode, b: ScalarNode, value: number) =>
    derived(a, a.type === 'float' || b.type === 'float' ? 'float' : 'int', value);
  const absStep = Math.abs(n(step));
  const flip = reverse ? n(start) < n(stop) : n(start) > n(stop);
  if (!flip) return { ...sweep };
  const sign = reverse ? -1 : 1;
  return {
    ...sweep,
    start: arith(stop, step, n(stop) + sign * absStep),
    stop: arith(start, step, n(start) + sign * absStep),
    step: derived(step, step.type === 'float' ? 'float' : 'int', -n(step) || 0),
  };
}

function globPatterns(v: Val | undefined): string[] {
  if (!v || (v.kind === 'scalar' && v.type === 'null')) return [];
  const items = v.kind === 'list' ? v.items : [v];
  return items.map((i) => {
    if (i.kind === 'scalar' && i.type === 'str') return i.value as string;
    throw new EvalError(`glob() patterns must be strings, got ${pyTypeName(i)}; quote it: '${i.kind === 'scalar' ? String(i.value) : '...'}'.`);
  });
}
