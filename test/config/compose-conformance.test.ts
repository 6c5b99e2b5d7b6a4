// Every compose case of the conformance corpus (real Hydra 1.3.2 results), run through our engine.
// Success cases must give the same job config (types and key order included); error cases must fail with an
// error that points at a place (a file range or an override).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compose, jobConfig } from '../../runner/config/compose.js';
import { DiskSource } from '../../runner/disk-source.js';
import { baitCases, hydraCases, type ComposeCase } from './conformance-cases.js';
import { typed, typedFromYaml } from './typed-tree.js';
import { toYaml } from '../../runner/config/emit.js';
import { resolveTree } from '../../runner/config/interpolation/resolve.js';

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
  const job = jobConfig(r.config!);
  assert.deepEqual(typed(job), typedFromYaml(c.expected_yaml!));
  // What `bait run --cfg job` prints is byte-identical to Hydra's.
  assert.equal(toYaml(job), c.expected_yaml);
  const env: Record<string, string | undefined> = { ...process.env };
  for (const [k, v] of Object.entries(c.env ?? {})) env[k] = v ?? undefined;
  const res = resolveTree(job, { env, ...(c.fixed_now ? { now: new Date(c.fixed_now) } : {}) });
  if (c.expected_resolve_error) {
    assert.ok(res.errors.length > 0, `expected resolve error ${c.expected_resolve_error.type}`);
    assert.ok(res.errors[0]!.origin, 'resolve errors point at the value');
  } else if (c.expected_resolved_yaml !== undefined) {
    assert.deepEqual(res.errors.map((e) => e.message), []);
    assert.equal(toYaml(res.node!), c.expected_resolved_yaml);
  }
}

for (const c of hydraCases('compose')) {
  test(`hydra/${c.name}`, { skip: c.requires_structured_configs ? 'needs a Python dataclass schema' : false }, () => check(c));
}
for (const c of baitCases()) {
  test(`bait/${c.name}`, () => check(c));
}
