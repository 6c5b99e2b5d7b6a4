// The config node model: an OmegaConf-like tree in which every node remembers where it came from.
//
// Composition works on this tree (never on plain JS objects) because Hydra's semantics need more than JSON
// can say: ints and floats are different types (`1` vs `1.0`), `???` is a value of its own, YAML keys may be
// ints or booleans, and the language server needs, for every value, the file range that set it and the chain
// of definitions it overrode.

/** A half-open range of character offsets [start, end) in one text (a file or the command line). */
export type Range = readonly [start: number, end: number];

/**
 * Where a value was set. Config files are named by their search-path-relative path (`db/mysql.yaml`);
 * command-line overrides by their index in the override list and the range inside that override's text.
 */
export type Origin =
  | { readonly kind: 'file'; readonly file: string; readonly keyRange?: Range; readonly valueRange: Range }
  | { readonly kind: 'override'; readonly index: number; readonly text: string; readonly range: Range }
  | { readonly kind: 'builtin'; readonly what: string };

/** The Python type a scalar has after loading; it decides how it prints (`1` vs `1.0`, `'1'`). */
export type ScalarType = 'int' | 'float' | 'str' | 'bool' | 'null' | 'missing';

interface NodeBase {
  /** The definition that set this node, when known. */
  origin?: Origin;
  /** Earlier definitions this node replaced, oldest first (the provenance chain). */
  history?: Origin[];
}

export interface ScalarNode extends NodeBase {
  readonly kind: 'scalar';
  type: ScalarType;
  /**
   * `number` for int/float (floats may be NaN/Infinity), `string` for str (an interpolation is a str that
   * contains `${`), `boolean` for bool, `null` for null and missing (`???`).
   */
  value: number | string | boolean | null;
}

/** A dict key as YAML typed it. Almost always a string; ints, floats and booleans happen in real files. */
export type KeyValue = string | number | boolean;

export interface DictEntry {
  /** The key as written (typed). Its canonical string is the map key (Python's `str(key)`). */
  key: KeyValue;
  node: ConfigNode;
  /** Range of the key text that last set this entry, for hover and go-to-definition. */
  keyOrigin?: Origin;
}

export interface DictNode extends NodeBase {
  readonly kind: 'dict';
  /** Insertion order is the composed key order that Hydra prints. */
  entries: Map<string, DictEntry>;
}

export interface ListNode extends NodeBase {
  readonly kind: 'list';
  items: ConfigNode[];
}

export type ConfigNode = ScalarNode | DictNode | ListNode;

export const scalar = (type: ScalarType, value: ScalarNode['value'], origin?: Origin): ScalarNode =>
  origin ? { kind: 'scalar', type, value, origin } : { kind: 'scalar', type, value };

export const dict = (origin?: Origin): DictNode =>
  origin ? { kind: 'dict', entries: new Map(), origin } : { kind: 'dict', entries: new Map() };

export const list = (items: ConfigNode[] = [], origin?: Origin): ListNode =>
  origin ? { kind: 'list', items, origin } : { kind: 'list', items };

/** The canonical string of a key, as Python's `str(key)` would print it (used to look keys up). */
export function keyString(key: KeyValue): string {
  if (typeof key === 'boolean') return key ? 'True' : 'False';
  if (typeof key === 'number') return formatPythonNumber(key, Number.isInteger(key) ? 'int' : 'float');
  return key;
}

/** Python's repr of an int or float, as `str()` shows it (`1.0`, `1e-05`, `inf`, `nan`). */
export function formatPythonNumber(value: number, type: 'int' | 'float'): string {
  if (type === 'int') return Number.isFinite(value) ? BigInt(Math.trunc(value)).toString() : String(value);
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  // JS and Python both find the shortest round-tripping digits; they differ in when they switch to the
  // exponent form: Python's repr uses it when the decimal exponent is below -4 or at least 16.
  if (Object.is(value, -0)) return '-0.0';
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(value.toExponential());
  if (!m) return String(value);
  const [, sign, first, rest = '', expText] = m;
  const digits = first! + rest;
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${sign}${first}${rest ? '.' + rest : ''}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${whole}.${frac || '0'}`;
}

export function isInterpolation(node: ConfigNode): boolean {
  return node.kind === 'scalar' && node.type === 'str' && typeof node.value === 'string' && node.value.includes('${');
}

export function isMissing(node: ConfigNode): boolean {
  return node.kind === 'scalar' && node.type === 'missing';
}

/** A deep copy; origins are shared (they are immutable). */
export function cloneNode<T extends ConfigNode>(node: T): T {
  if (node.kind === 'scalar') return { ...node, history: node.history?.slice() } as T;
  if (node.kind === 'list') return { ...node, items: node.items.map(cloneNode), history: node.history?.slice() } as T;
  const entries = new Map<string, DictEntry>();
  for (const [k, e] of node.entries) entries.set(k, { ...e, node: cloneNode(e.node) });
  return { ...node, entries, history: node.history?.slice() } as T;
}

/** Plain JSON-like data: what `--cfg job --json` prints and what `_target_` instantiation consumes. */
export type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

/** Converts a tree to plain data without resolving interpolations (`???` stays the string `???`). */
export function toPlain(node: ConfigNode): Plain {
  if (node.kind === 'scalar') return node.type === 'missing' ? '???' : (node.value as Plain);
  if (node.kind === 'list') return node.items.map(toPlain);
  const out: { [key: string]: Plain } = {};
  for (const [k, e] of node.entries) out[k] = toPlain(e.node);
  return out;
}
