// Values the extension writes into overrides come back unchanged through the config engine's real parser, even
// hostile ones (quotes, backslashes, `${`, commas, brackets, spaces, newlines).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOverride } from '../runner/config/overrides/parser.js';
import { toPlain, type ConfigNode } from '../runner/config/nodes.js';
import { hostsOverride, quoteOverride } from './override-text.js';

const HOSTILE = ["'; rm -rf ~'", '$(id)', 'a\\b', 'trail\\', "q\\'x", 'z\\\\', 'x,y', '[1]', '{a:1}', '${oc.env:HOME}', 'two words', 'new\nline', "it's"];

test('quoted strings parse back to themselves', () => {
  for (const s of HOSTILE) {
    const r = parseOverride(`key=${quoteOverride(s)}`);
    assert.ok('override' in r && r.override, `${JSON.stringify(s)} parses`);
    assert.equal(toPlain(r.override.value as ConfigNode), s);
  }
});

test('SSH hosts become a list of dicts with their types kept', () => {
  const hosts = [{ name: 'gpu1', host: '10.0.0.5', port: 2222, work_dir: '~/bait runs', gpus: [0, 1] },
    { host: HOSTILE[0], user: HOSTILE[1], work_dir: HOSTILE[6] }];
  const r = parseOverride(`hydra.launcher.hosts=${hostsOverride(hosts)}`);
  assert.ok('override' in r && r.override);
  assert.deepEqual(toPlain(r.override.value as ConfigNode), hosts);
});
