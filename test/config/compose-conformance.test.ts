// Every compose case of the conformance corpus (real Hydra 1.3.2 results), run through our engine.
// Success cases must give the same job config (types and key order included); error cases must fail with an
// error that points at a place (a file range or an override).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compose, jobConfig } from '../../runner/config/compose.js';
import { DiskSource } from '../../runner/disk-source.js';
import { baitCases, hydraCases, type ComposeCase } from './conformance-cases.js';
import { typed, typedFromYaml } from './typed-tree.js';

function check(c: ComposeCase): void {
  const r = compose({ source: new DiskSource(c.configDir), configName: c.config_name, overrides: c.overrides, versionBase: c.version_base });
  if (c.expected_error) {
    assert.ok(r.errors.length > 0, `expected ${c.expected_error.type}: ${c.expected_error.message}`);
    const e = r.errors[0]!;
    assert.ok(e.message.length > 10, 'the error says what is wrong');
    assert.ok(e.origin || c.config_name === null || e.code === 'missing-config', `error ${e.code} has a location: ${e.message}`);
    return;
  }
  assert.deepEqual(r.errors.map((e) => `${e.code}: ${e.message}`), []);
  assert.deepEqual(typed(jobConfig(r.config!)), typedFromYaml(c.expected_yaml!));
}

for (const c of hydraCases('compose')) {
  test(`hydra/${c.name}`, { skip: c.requires_structured_configs ? 'needs a Python dataclass schema' : false }, () => check(c));
}
for (const c of baitCases()) {
  test(`bait/${c.name}`, () => check(c));
}
