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
