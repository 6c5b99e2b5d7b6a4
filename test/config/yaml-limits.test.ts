// Limits of the YAML loader against hostile files: alias expansion is capped (a "billion laughs" file is an
// error at the alias, not an out-of-memory abort), while ordinary anchors and aliases still load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadYaml, MAX_ALIAS_NODES } from '../../runner/config/yaml-load.js';
import { toPlain } from '../../runner/config/nodes.js';
import { ALIAS_BOMB } from './hostile-yaml.js';

test('a billion-laughs file is one yaml-syntax error at the alias that crosses the cap', () => {
  const r = loadYaml(ALIAS_BOMB, 'bomb.yaml');
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]!.code, 'yaml-syntax');
  assert.match(r.errors[0]!.message, /expand to more than 10,000 nodes/);
  const at = r.errors[0]!.origin!;
  assert.ok(at.kind === 'file');
  // `*d` on line 5 (e's first item) is the first alias whose expansion passes 10,000 nodes.
  assert.equal(ALIAS_BOMB.slice(at.valueRange[0], at.valueRange[1]), '*d');
});

test('anchors and aliases under the cap load as copies, merge keys included', () => {
  const text = `base: &base {lr: 0.1, layers: [1, 2, 3]}\nexp:\n  <<: *base\n  lr: 0.2\ncopy: *base\n`;
  const r = loadYaml(text, 'ok.yaml');
  assert.deepEqual(r.errors, []);
  assert.deepEqual(toPlain(r.node!), { base: { lr: 0.1, layers: [1, 2, 3] }, exp: { lr: 0.2, layers: [1, 2, 3] }, copy: { lr: 0.1, layers: [1, 2, 3] } });
});

test('the cap counts expanded nodes: just under it loads, just over it is refused', () => {
  // An anchor of n items copied k times expands to k * (n + 1) nodes.
  const file = (n: number, k: number) => `a: &a [${Array.from({ length: n }, (_, i) => i).join(', ')}]\nb: [${Array(k).fill('*a').join(', ')}]\n`;
  assert.deepEqual(loadYaml(file(99, MAX_ALIAS_NODES / 100), 'under.yaml').errors, []);
  assert.equal(loadYaml(file(100, MAX_ALIAS_NODES / 100), 'over.yaml').errors.length, 1);
});
