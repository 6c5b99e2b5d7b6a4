// The second real tree (lightning-hydra-template): an experiment config (`# @package _global_` with
// `override /data: mnist`) is an option run on top of train.yaml (`train.yaml experiment=example`), so it
// composes there, with no false error, and its lenses run train with that override.
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nodeFileSystem } from '../../language-server/service/file-system.js';
import { LanguageService } from '../../language-server/service/service.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../conformance/lightning-hydra-template/configs');
const example = `${root}/experiment/example.yaml`;

function service(): LanguageService {
  const s = new LanguageService({ fs: nodeFileSystem, configDirs: [root] });
  s.onInternalError = (what, e) => {
    throw new Error(`${what}: ${e instanceof Error ? e.stack : String(e)}`);
  };
  return s;
}

test('an experiment option composes on top of train.yaml: no false errors, lenses with the override', () => {
  const s = service();
  assert.deepEqual(s.diagnostics(example), []);
  const lenses = s.codeLenses(example);
  assert.equal(lenses[0]!.title, 'Run Experiment');
  assert.deepEqual(lenses[0]!.arguments[0], { configDir: root, configName: 'train', file: example, overrides: ['experiment=example'] });
});

test('inside the experiment, keys and values come from train + experiment=example', () => {
  const s = service();
  const text = s.text(example)!;
  const at = text.indexOf('    lr: 0.002');
  const h = s.hover(example, at + 5);
  assert.ok(h);
  assert.match(h.contents, /`model\.optimizer\.lr`\*\* = `0\.002`/);
  assert.match(h.contents, /overrides `model\/mnist\.yaml:\d+`/);
  const def = s.definition(example, text.indexOf('override /data: mnist') + 17);
  assert.deepEqual(def.map((d) => d.path), [`${root}/data/mnist.yaml`]);
  const inTrainer = text.indexOf('  min_epochs');
  const keys = s.completions(example, inTrainer + 2).map((i) => i.label);
  assert.ok(keys.includes('accelerator') && !keys.includes('max_epochs'), keys.join());
});
