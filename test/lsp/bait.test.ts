// Acceptance on the real BAIT config tree (test/conformance/bait/configs, read from disk): the four scenarios
// of the language-server issue, through the service layer.
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nodeFileSystem } from '../../language-server/service/file-system.js';
import { LanguageService } from '../../language-server/service/service.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../conformance/bait/configs');
const gnn = `${root}/premise_selection/hol4/gnn.yaml`;

function service(): LanguageService {
  const s = new LanguageService({ fs: nodeFileSystem, configDirs: [root], versionBase: '1.1' });
  s.onInternalError = (what, e) => {
    throw new Error(`${what}: ${e instanceof Error ? e.stack : String(e)}`);
  };
  return s;
}

test('completion inside model: of hol4/gnn.yaml offers the keys inherited from premise_selection.yaml', () => {
  const s = service();
  const text = s.text(gnn)!;
  const at = text.indexOf('model:\n') + 'model:\n'.length;
  s.open(gnn, text.slice(0, at) + '  \n' + text.slice(at), 1);
  const items = s.completions(gnn, at + 2);
  const keys = items.filter((i) => i.kind === 'key');
  assert.deepEqual(keys.map((i) => i.label).sort(), ['_target_', 'batch_size', 'classifier', 'lr']);
  for (const k of keys) assert.match(k.documentation!, /premise_selection\/premise_selection\.yaml:\d+/);
  assert.equal(keys.find((k) => k.label === 'lr')!.detail, '0.0001');
  assert.equal(keys.find((k) => k.label === '_target_')!.detail, '"models.premise_selection.premise_selection.PremiseSelection"');
});

test('definition on `- hol4` jumps to hol4.yaml', () => {
  const s = service();
  const text = s.text(gnn)!;
  const locations = s.definition(gnn, text.indexOf('- hol4') + 4);
  assert.deepEqual(locations, [{ path: `${root}/premise_selection/hol4/hol4.yaml`, range: [0, 0] }]);
});

test('hover on exp_config.name shows the value and the chain of files', () => {
  const s = service();
  const text = s.text(gnn)!;
  const h = s.hover(gnn, text.indexOf('  name:') + 3);
  assert.ok(h);
  assert.equal(text.slice(h.range[0], h.range[1]), 'name');
  assert.match(h.contents, /\*\*`exp_config\.name`\*\* = `"bag_of_words"`/);
  assert.match(h.contents, /Set in `premise_selection\/hol4\/gnn\.yaml:\d+`: `bag_of_words`\s+overrides `base\/exp_config\.yaml:2`: `\?\?\?`/);
});

test('a defaults entry naming a missing option gets a diagnostic listing the options, with a quick fix', () => {
  const s = service();
  const text = s.text(gnn)!;
  for (const [from, to] of [['/data_type/gnn@_here_', '/data_type@_here_: gnnn'], ['/data_type/gnn@_here_', '/data_type/gnnn@_here_']] as const) {
    const broken = text.replace(from, to);
    s.open(gnn, broken, 1);
    const errors = () => s.diagnostics(gnn).filter((x) => x.severity === 'error');
    const [d, ...rest] = errors();
    assert.ok(d && !rest.length, JSON.stringify(s.diagnostics(gnn)));
    assert.deepEqual(d.data?.options, ['directed_sat', 'ensemble', 'gnn', 'sat', 'sequence']);
    for (const o of d.data!.options!) assert.ok(d.message.includes(o), d.message);
    const [fix] = s.codeActions(gnn, [d]);
    assert.equal(fix!.title, "Change to 'gnn'");
    const e = fix!.edits[0]!;
    const fixed = broken.slice(0, e.range[0]) + e.newText + broken.slice(e.range[1]);
    assert.equal(fixed, text.replace(from, to.replace('gnnn', 'gnn')));
    s.change(gnn, fixed, 2);
    assert.deepEqual(errors(), []);
    s.close(gnn);
  }
});

test('the 45 final configs are runnable; sweep files get a job count', () => {
  const s = service();
  const lensed = s.allFiles().filter((f) => s.codeLenses(f).some((l) => l.title === 'Run Experiment'));
  assert.equal(lensed.length, 45);
  const sweep = s.codeLenses(`${root}/sweeps/hol4_transformer.yaml`);
  assert.deepEqual(sweep.map((l) => l.title), ['Launch Sweep (36 jobs)']);
});
