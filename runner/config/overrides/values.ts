// The values the override parser works with while it reads a line, and the bits of Python semantics that the
// grammar's functions rely on (type names, `==`, `<`, int()/float() of strings).
//
// Elements are config nodes; sweeps, globs and extend_list() are kept in an internal form until the override is
// complete, because Hydra lets them appear where a config node could not (`a=range(1,3),4`).

import { scalar, type ConfigNode, type Range, type ScalarNode, type ScalarType } from '../nodes.js';
import { quoteOf } from './format.js';

export interface ChoiceVal {
  kind: 'choice';
  list: Val[];
  simpleForm: boolean;
  shuffle: boolean;
  tags: string[];
}
export interface RangeVal {
  kind: 'range';
  start: ScalarNode;
  stop: ScalarNode;
  step: ScalarNode;
  shuffle: boolean;
  tags: string[];
}
export interface IntervalVal {
  kind: 'interval';
  start: ScalarNode;
  end: ScalarNode;
  tags: string[];
}
export interface GlobVal {
  kind: 'glob';
  include: string[];
  exclude: string[];
}
export interface ExtendVal {
  kind: 'extend';
  items: Val[];
}
export type SweepVal = ChoiceVal | RangeVal | IntervalVal;
export type Val = ConfigNode | SweepVal | GlobVal | ExtendVal;

/** A problem found while evaluating a value; the parser turns it into an `override-syntax` error. */
export class EvalError extends Error {
  constructor(
    message: string,
    readonly range?: Range,
  ) {
    super(message);
  }
}

export const isNode = (v: Val): v is ConfigNode => v.kind === 'scalar' || v.kind === 'list' || v.kind === 'dict';
export const isSweepVal = (v: Val): v is SweepVal => v.kind === 'choice' || v.kind === 'range' || v.kind === 'interval';
export const isNumber = (v: Val): v is ScalarNode =>
  v.kind === 'scalar' && (v.type === 'int' || v.type === 'float' || v.type === 'bool');

/** The Python class name Hydra would see for a value; quoted strings are still `QuotedString` objects there. */
export function pyTypeName(v: Val): string {
  switch (v.kind) {
    case 'scalar':
      if (v.type === 'null') return 'NoneType';
      if (v.type === 'str' && quoteOf(v)) return 'QuotedString';
      return v.type === 'missing' ? 'str' : v.type;
    case 'list':
      return 'list';
    case 'dict':
      return 'dict';
    case 'choice':
      return 'ChoiceSweep';
    case 'range':
      return 'RangeSweep';
    case 'interval':
      return 'IntervalSweep';
    case 'glob':
      return 'Glob';
    case 'extend':
      return 'ListExtensionOverrideValue';
  }
}

/** A new scalar with the same origin as `like` (values computed by a function point at their source). */
export function derived(like: ConfigNode | undefined, type: ScalarType, value: ScalarNode['value']): ScalarNode {
  return scalar(type, value, like?.origin);
}

export function numberOf(v: ScalarNode): number {
  return typeof v.value === 'boolean' ? Number(v.value) : (v.value as number);
}

/** Python's `==` between parsed values. */
export function pyEq(a: Val, b: Val): boolean {
  if (isNumber(a) && isNumber(b)) return numberOf(a) === numberOf(b);
  if (a.kind === 'scalar' && b.kind === 'scalar') {
    if (a.type !== b.type) return false;
    return a.value === b.value && quoteOf(a) === quoteOf(b);
  }
  if (a.kind === 'list' && b.kind === 'list') return a.items.length === b.items.length && a.items.every((x, i) => pyEq(x, b.items[i]!));
  if (a.kind === 'dict' && b.kind === 'dict') {
    if (a.entries.size !== b.entries.size) return false;
    for (const [k, e] of a.entries) {
      const o = b.entries.get(k);
      if (!o || !pyEq(e.node, o.node)) return false;
    }
    return true;
  }
  return a === b;
}

function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d) return d;
  }
  return x.length - y.length;
}

/** Python's `<` between parsed values; raises Python's TypeError text for types that do not compare. */
export function pyLt(a: Val, b: Val): boolean {
  if (isNumber(a) && isNumber(b)) return numberOf(a) < numberOf(b);
  const plainStr = (v: Val): v is ScalarNode => v.kind === 'scalar' && (v.type === 'str' || v.type === 'missing') && !quoteOf(v);
  if (plainStr(a) && plainStr(b)) return compareCodePoints(String(a.value ?? '???'), String(b.value ?? '???')) < 0;
  if (a.kind === 'list' && b.kind === 'list') {
    const n = Math.min(a.items.length, b.items.length);
    for (let i = 0; i < n; i++) {
      if (!pyEq(a.items[i]!, b.items[i]!)) return pyLt(a.items[i]!, b.items[i]!);
    }
    return a.items.length < b.items.length;
  }
  throw new EvalError(`'<' not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

/** Python's sorted(): a stable sort that only asks `<`, with reverse keeping equal items in their order. */
export function pySorted<T extends Val>(items: T[], reverse = false): T[] {
  const arr = items.slice();
  if (reverse) arr.reverse();
  const sorted = mergeSort(arr);
  if (reverse) sorted.reverse();
  return sorted;
}

function mergeSort<T extends Val>(arr: T[]): T[] {
  if (arr.length < 2) return arr;
  const mid = arr.length >> 1;
  const left = mergeSort(arr.slice(0, mid));
  const right = mergeSort(arr.slice(mid));
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    // Take from the right only when it is strictly smaller: that keeps equal items in order.
    if (pyLt(right[j]!, left[i]!)) out.push(right[j++]!);
    else out.push(left[i++]!);
  }
  return out.concat(left.slice(i), right.slice(j));
}

const PY_INT = /^[ \t\n\r\f\v]*[+-]?[0-9](?:_?[0-9])*[ \t\n\r\f\v]*$/;
const PY_FLOAT =
  /^[ \t\n\r\f\v]*([+-]?)(?:((?:[0-9](?:_?[0-9])*)?\.[0-9](?:_?[0-9])*(?:[eE][+-]?[0-9](?:_?[0-9])*)?|[0-9](?:_?[0-9])*\.?(?:[eE][+-]?[0-9](?:_?[0-9])*)?)|(inf(?:inity)?)|(nan))[ \t\n\r\f\v]*$/i;

/** Python's int(str) in base 10, or undefined where Python raises ValueError. */
export function pyParseInt(s: string): number | undefined {
  if (!PY_INT.test(s)) return undefined;
  const n = Number(s.trim().replace(/_/g, ''));
  return n === 0 ? 0 : n;
}

/** Python's float(str), or undefined where Python raises ValueError. */
export function pyParseFloat(s: string): number | undefined {
  const m = PY_FLOAT.exec(s);
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1 : 1;
  if (m[3]) return sign * Infinity;
  if (m[4]) return NaN;
  return sign * Number(m[2]!.replace(/_/g, ''));
}
