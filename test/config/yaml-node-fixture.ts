// Builds config node trees from YAML text for the interpolation and emitter tests, independently of the
// engine's own loader: the `yaml` package parses with the failsafe schema (every scalar a string, with its
// quoting style), and plain scalars are typed here with PyYAML's YAML 1.1 resolvers plus OmegaConf's float
// rule (`1e-4` is a float). That is how OmegaConf reads the YAML Hydra printed, so int and float stay apart.

import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import YAML, { isMap, isScalar, isSeq, type Node as YamlNode } from 'yaml';
import { scalar, type ConfigNode, type DictNode, type KeyValue, keyString } from '../../runner/config/nodes.js';

const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const NULL = /^(?:~|null|Null|NULL|)$/;

function sexagesimal(s: string): number {
  return s.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
}

function parseInt11(text: string): number {
  let s = text.replace(/_/g, '');
  const sign = s.startsWith('-') ? -1 : 1;
  s = s.replace(/^[+-]/, '');
  if (s.startsWith('0b')) return sign * parseInt(s.slice(2), 2);
  if (s.startsWith('0x')) return sign * parseInt(s.slice(2), 16);
  if (s.includes(':')) return sign * sexagesimal(s);
  if (s.length > 1 && s.startsWith('0')) return sign * parseInt(s, 8);
  return sign * Number(s);
}

function parseFloat11(text: string): number {
  let s = text.replace(/_/g, '').toLowerCase();
  const sign = s.startsWith('-') ? -1 : 1;
  s = s.replace(/^[+-]/, '');
  if (s === '.inf') return sign * Infinity;
  if (s === '.nan') return NaN;
  if (s.includes(':')) {
    const [whole, frac] = s.split('.');
    return sign * (sexagesimal(whole!) + Number('0.' + (frac || '0')));
  }
  return sign * Number(s);
}

/** A plain scalar typed as PyYAML + OmegaConf type it. */
export function typePlain(text: string): ConfigNode {
  if (text === '???') return scalar('missing', null);
  if (BOOL.test(text)) return scalar('bool', /^(?:yes|true|on)$/i.test(text));
  if (FLOAT.test(text)) return scalar('float', parseFloat11(text));
  if (INT.test(text)) return scalar('int', parseInt11(text));
  if (NULL.test(text)) return scalar('null', null);
  return scalar('str', text);
}

function toNode(node: YamlNode | null): ConfigNode {
  if (node === null) return scalar('null', null);
  if (isScalar(node)) {
    const text = String(node.value);
    if (node.type === 'PLAIN') return typePlain(text);
    return text === '???' ? scalar('missing', null) : scalar('str', text);
  }
  if (isSeq(node)) return { kind: 'list', items: node.items.map((i) => toNode(i as YamlNode | null)) };
  if (isMap(node)) {
    const d: DictNode = { kind: 'dict', entries: new Map() };
    for (const pair of node.items) {
      const k = toNode(pair.key as YamlNode | null);
      const key: KeyValue = k.kind === 'scalar' && k.value !== null ? (k.value as KeyValue) : 'null';
      d.entries.set(keyString(key), { key, node: toNode(pair.value as YamlNode | null) });
    }
    return d;
  }
  throw new Error(`unsupported YAML node ${String(node)}`);
}

/** The node tree of one YAML document. */
export function loadYamlTree(text: string): ConfigNode {
  const doc = YAML.parseDocument(text, { schema: 'failsafe', uniqueKeys: false });
  if (doc.errors.length) throw new Error(`fixture YAML does not parse: ${doc.errors[0]!.message}`);
  return toNode(doc.contents as YamlNode | null);
}

export interface ConformanceCase {
  name: string;
  env?: Record<string, string | null>;
  fixed_now?: string;
  expected_yaml: string;
  expected_json: unknown;
  expected_resolved_yaml?: string;
  expected_resolved_json?: unknown;
  expected_resolve_error?: { type: string; message: string };
}

// Test files run as CommonJS under tsx (the package has no "type": "module"), so __dirname is defined.
const CONFORMANCE = join(__dirname, '..', 'conformance');

/** Every `compose` case (Hydra's and BAIT's) with expected YAML and JSON, except those needing Python schemas. */
export function composeCasesWithOutput(): ConformanceCase[] {
  const dirs = [
    ...readdirSync(join(CONFORMANCE, 'hydra')).map((n) => join(CONFORMANCE, 'hydra', n)),
    ...readdirSync(join(CONFORMANCE, 'bait', 'cases')).map((n) => join(CONFORMANCE, 'bait', 'cases', n)),
  ];
  const out: ConformanceCase[] = [];
  for (const dir of dirs) {
    const file = join(dir, 'case.json');
    if (!existsSync(file)) continue;
    const c = JSON.parse(readFileSync(file, 'utf8'));
    if (c.kind !== 'compose' || c.requires_structured_configs) continue;
    if (typeof c.expected_yaml !== 'string' || c.expected_json === undefined) continue;
    out.push({ ...c, name: dir.slice(CONFORMANCE.length + 1) });
  }
  return out;
}

/**
 * Reads Python's json.dumps output: NaN / Infinity / -Infinity (outside strings) become the corpus' markers
 * `{"__float__": "nan"}`, so the result compares with the expected JSON of the cases.
 */
export function parsePythonJson(text: string): unknown {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      out += ch;
      if (ch === '\\') out += text[++i] ?? '';
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    const rest = text.slice(i);
    const m = /^(-?Infinity|NaN)/.exec(rest);
    if (m) {
      out += `{"__float__": "${m[1] === 'NaN' ? 'nan' : m[1] === 'Infinity' ? 'inf' : '-inf'}"}`;
      i += m[1]!.length - 1;
    } else out += ch;
  }
  return JSON.parse(out);
}
