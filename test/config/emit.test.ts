// The emitter against Hydra's own output: every conformance case's expected YAML is loaded into a node tree
// and printed again, which must give the same bytes; the JSON printer must give the same data and key order.
// Unit cases below were produced by PyYAML 6.0 (`yaml.dump(data, default_flow_style=False,
// allow_unicode=True, sort_keys=False)` with OmegaConf 2.2's string representer).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toJson, toYaml } from '../../runner/config/emit.js';
import { scalar, type ConfigNode, type DictNode } from '../../runner/config/nodes.js';
import { composeCasesWithOutput, loadYamlTree, parsePythonJson } from './yaml-node-fixture.js';

const cases = composeCasesWithOutput();

describe('toYaml and toJson reproduce Hydra output for every conformance case', () => {
  test('the corpus is there', () => assert.ok(cases.length > 150, `only ${cases.length} cases found`));
  for (const c of cases) {
    test(c.name, () => {
      const tree = loadYamlTree(c.expected_yaml);
      assert.equal(toYaml(tree), c.expected_yaml);
      assert.equal(JSON.stringify(parsePythonJson(toJson(tree))), JSON.stringify(c.expected_json));
      assert.equal(JSON.stringify(parsePythonJson(toJson(tree, 2))), JSON.stringify(c.expected_json));
      if (c.expected_resolved_yaml !== undefined) {
        const resolved = loadYamlTree(c.expected_resolved_yaml);
        assert.equal(toYaml(resolved), c.expected_resolved_yaml);
        assert.equal(JSON.stringify(parsePythonJson(toJson(resolved))), JSON.stringify(c.expected_resolved_json));
      }
    });
  }
});

// ---- unit cases against PyYAML itself (fixtures/pyyaml-goldens.json, made by fixtures/pyyaml-goldens.py) ----

// eslint-disable-next-line @typescript-eslint/no-require-imports
const gold = require('./fixtures/pyyaml-goldens.json') as {
  strings: [string, string, string][];
  keys: [string, string][];
  floats: [string, string, string][];
  nonstr_keys: string;
  structures: string;
  top_list: string;
  root_empty_dict: string;
  root_empty_list: string;
  json: string[];
  json_indent: string;
};

function dictOf(pairs: [string | number | boolean, ConfigNode][]): DictNode {
  const d: DictNode = { kind: 'dict', entries: new Map() };
  for (const [key, node] of pairs) d.entries.set(String(typeof key === 'boolean' ? (key ? 'True' : 'False') : key), { key, node });
  return d;
}
const str = (s: string) => (s === '???' ? scalar('missing', null) : scalar('str', s));
const int = (n: number) => scalar('int', n);
const list = (...items: ConfigNode[]): ConfigNode => ({ kind: 'list', items });

describe('toYaml matches PyYAML on single values', () => {
  for (const [s, asValue, asItem] of gold.strings) {
    test(`string ${JSON.stringify(s)}`, () => {
      assert.equal(toYaml(dictOf([['k', str(s)]])), asValue);
      assert.equal(toYaml(list(str(s))), asItem);
    });
  }
  for (const [k, expected] of gold.keys) {
    test(`key ${JSON.stringify(k.slice(0, 20))}`, () => assert.equal(toYaml(dictOf([[k, int(1)]])), expected));
  }
  for (const [repr, yaml, json] of gold.floats) {
    const value = repr === 'nan' ? NaN : repr === 'inf' ? Infinity : repr === '-inf' ? -Infinity : Number(repr);
    test(`float ${repr}`, () => {
      const tree = dictOf([['f', scalar('float', repr === '-0.0' ? -0 : value)]]);
      assert.equal(toYaml(tree), yaml);
      assert.equal(toJson(tree), json);
    });
  }
});

describe('toYaml matches PyYAML on structures', () => {
  test('non-string keys', () => {
    const tree = dictOf([[1, str('a')], [1.5, str('b')], [false, str('c')], [2, dictOf([[3, str('d')]])]]);
    assert.equal(toYaml(tree), gold.nonstr_keys);
  });
  test('empty containers, nulls, nested lists at the parent key indent', () => {
    const tree = dictOf([
      ['e', dictOf([])],
      ['l', list()],
      ['n', scalar('null', null)],
      ['nested', dictOf([
        ['list', list(int(1), list(int(2), int(3)), dictOf([['a', int(1)], ['b', list(int(4))]]), list())],
        ['d', dictOf([['x', dictOf([])]])],
      ])],
      ['top', list(list(int(1), int(2)), list(list(int(3))))],
    ]);
    assert.equal(toYaml(tree), gold.structures);
  });
  test('a list at the root', () => {
    assert.equal(toYaml(list(dictOf([['a', int(1)]]), list(int(1), int(2)), str('x'), dictOf([]))), gold.top_list);
  });
  test('empty roots', () => {
    assert.equal(toYaml(dictOf([])), gold.root_empty_dict);
    assert.equal(toYaml(list()), gold.root_empty_list);
  });
});

describe('toJson matches json.dumps(ensure_ascii=False)', () => {
  test('escapes only quotes, backslashes and control characters', () => {
    const tree = dictOf([
      ['a', str('é"\\\n\t\x01\x7f😀')],
      ['b', list(int(1), scalar('float', 2.5), scalar('null', null), scalar('bool', true))],
      ['c', dictOf([])],
      ['d', list()],
    ]);
    assert.equal(toJson(tree), gold.json[0]);
  });
  test('indent', () => {
    const tree = dictOf([['a', list(int(1), dictOf([['b', list()]]))], ['c', dictOf([])]]);
    assert.equal(toJson(tree, 2), gold.json_indent);
  });
  test('a missing value prints as ??? and key order is kept', () => {
    assert.equal(toJson(dictOf([['z', str('???')], ['a', int(1)]])), '{"z": "???", "a": 1}');
  });
});
