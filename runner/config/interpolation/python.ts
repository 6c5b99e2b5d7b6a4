// Python's conversions that OmegaConf relies on while resolving: `str()` of a value pasted into a string
// interpolation (`1.0`, `True`, `None`, `{'a': 1}`), `repr()` of strings inside containers, and the
// `int()` / `float()` parsers that decide list indices and what the YAML dumper must quote.

import { formatPythonNumber, keyString, type ConfigNode, type KeyValue } from '../nodes.js';

/** Python's `str()` of a config value, as OmegaConf pastes it into `x_${a}_y`. */
export function pythonStr(node: ConfigNode): string {
  if (node.kind !== 'scalar') return pythonRepr(node);
  switch (node.type) {
    case 'str':
      return String(node.value);
    case 'int':
    case 'float':
      return formatPythonNumber(node.value as number, node.type);
    case 'bool':
      return node.value ? 'True' : 'False';
    case 'null':
      return 'None';
    case 'missing':
      return '???';
  }
}

/** Python's `repr()` of a config value (DictConfig and ListConfig print their content this way). */
export function pythonRepr(node: ConfigNode): string {
  if (node.kind === 'scalar') {
    if (node.type === 'str') return pythonStringRepr(String(node.value));
    if (node.type === 'missing') return "'???'";
    return pythonStr(node);
  }
  if (node.kind === 'list') return `[${node.items.map(pythonRepr).join(', ')}]`;
  const parts: string[] = [];
  for (const e of node.entries.values()) parts.push(`${pythonKeyRepr(e.key)}: ${pythonRepr(e.node)}`);
  return `{${parts.join(', ')}}`;
}

function pythonKeyRepr(key: KeyValue): string {
  return typeof key === 'string' ? pythonStringRepr(key) : keyString(key);
}

/** Python's `repr()` of a str: single quotes unless the text has a `'` and no `"`. */
export function pythonStringRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (!isPrintable(cp)) {
      out += cp <= 0xff ? '\\x' + cp.toString(16).padStart(2, '0') : cp <= 0xffff ? '\\u' + cp.toString(16).padStart(4, '0') : '\\U' + cp.toString(16).padStart(8, '0');
    } else out += ch;
  }
  return out + quote;
}

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function isPrintable(cp: number): boolean {
  if (cp === 0x20) return true;
  return !NON_PRINTABLE.test(String.fromCodePoint(cp));
}

// Python's str.strip() removes these (str.isspace()).
const PY_SPACE = '[\\s\\u001c-\\u001f\\u0085]';
const PY_DIGITS = '\\p{Nd}(?:_?\\p{Nd})*';
const PY_INT = new RegExp(`^${PY_SPACE}*[+-]?${PY_DIGITS}${PY_SPACE}*$`, 'u');
const PY_FLOAT = new RegExp(
  `^${PY_SPACE}*[+-]?(?:(?:${PY_DIGITS}(?:\\.(?:${PY_DIGITS})?)?|\\.${PY_DIGITS})(?:[eE][+-]?${PY_DIGITS})?|inf|infinity|nan)${PY_SPACE}*$`,
  'iu',
);

/** Whether Python's `int(s)` accepts `s` (base 10: `' 12 '`, `'1_000'`, `'+3'`). */
export function isPythonInt(s: string): boolean {
  return PY_INT.test(s);
}

/** Whether Python's `float(s)` accepts `s` (`'1e5'`, `'.5'`, `'inf'`, `' nan '`, `'1_0.5'`). */
export function isPythonFloat(s: string): boolean {
  return PY_FLOAT.test(s);
}

/** Python's `int(s)` for strings `isPythonInt` accepts (ASCII digits; others are rare enough to read as NaN). */
export function parsePythonInt(s: string): number {
  return Number(s.trim().replace(/_/g, ''));
}

/** Python's `float(s)` for the grammar's FLOAT tokens (`1_0.5`, `inf`, `-NaN`, `1.`). */
export function parsePythonFloat(s: string): number {
  const t = s.trim().replace(/_/g, '').toLowerCase();
  const sign = t.startsWith('-') ? -1 : 1;
  const body = t.replace(/^[+-]/, '');
  if (body === 'inf' || body === 'infinity') return sign * Infinity;
  if (body === 'nan') return NaN;
  return Number(t);
}
