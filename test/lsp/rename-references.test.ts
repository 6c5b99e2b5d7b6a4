// Rename of a config key reaches the places that name a key without being a plain `${a.b}`: the key argument
// of `${oc.select:key,default}` (absolute and relative), and the override keys of Hydra's sweeper
// (`hydra.sweeper.params`, in a final config and in a sweeper option file whose package puts it there).
// Over stdio, against the real server process.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { writeFixture } from './disk-fixture.js';
import { parseFixture } from './fixture.js';
import { LspClient } from './lsp-client.js';

const TREE = parseFixture(`
//- /configs/base/run.yaml
run:
  name: ???
  lr: 0.1
  warmup_lr: \${oc.select:.lr,0.01}
//- /configs/exp/tuned.yaml
# @package _global_
defaults:
  - /base/run@_here_
  - override /hydra/sweeper: tuned
  - _self_
run:
  name: tuned
  fallback: \${oc.select:run.lr, 0.5}
  spaced: '\${oc.select: run.lr}'
  named: \${oc.select:run.name,x}
  lrx: \${oc.select:run.lrx,1}
  nested: \${oc.select:\${run.name},1}
hydra:
  sweeper:
    params:
      run.lr: choice(0.1, 0.01)
      +run.lr_min: range(1, 3)
      run.name: a,b
//- /configs/hydra/sweeper/tuned.yaml
# @package hydra.sweeper
_target_: hydra._internal.core_plugins.basic_sweeper.BasicSweeper
max_batch_size: null
params:
  ++run.lr: 0.1,0.2
  run: x
`);

type Pos = { line: number; character: number };
type LspRange = { start: Pos; end: Pos };

describe('rename reaches oc.select keys and hydra.sweeper.params over stdio', () => {
  const ws = writeFixture(TREE);
  const uri = (p: string) => ws.uri(p.replace(/^\//, ''));
  const pos = (p: string, needle: string, delta = 0): Pos => {
    const t = TREE.files[p]!;
    const at = t.indexOf(needle) + delta;
    assert.ok(at >= delta, `${needle} in ${p}`);
    const before = t.slice(0, at).split('\n');
    return { line: before.length - 1, character: before[before.length - 1]!.length };
  };
  const slice = (p: string, r: LspRange) => TREE.files[p]!.split('\n')[r.start.line]!.slice(r.start.character, r.end.character);
  let client: LspClient;

  before(async () => {
    client = await LspClient.stdio(ws.dir);
    await client.initialize(pathToFileURL(ws.dir).href);
  });

  after(async () => {
    assert.equal(await client.shutdown(), 0);
  });

  const renameAt = async (file: string, needle: string, delta: number, newName: string) => {
    const edit = await client.request<{ changes: Record<string, { range: LspRange; newText: string }[]> }>('textDocument/rename',
      { textDocument: { uri: uri(file) }, position: pos(file, needle, delta), newName });
    return Object.entries(edit.changes).flatMap(([u, es]) => {
      const p = u.replace(pathToFileURL(ws.dir).href, '');
      return es.map((e) => `${p}:${e.range.start.line}:${e.range.start.character}:${slice(p, e.range)}->${e.newText}`);
    }).sort();
  };

  test('renaming `run.lr` edits the key, every oc.select naming it, and the sweeper\'s override keys', async () => {
    assert.deepEqual(await renameAt('/configs/base/run.yaml', 'lr: 0.1', 0, 'learning_rate'), [
      // The key itself, and `.lr` relative to `run` in the same file.
      '/configs/base/run.yaml:2:2:lr->learning_rate',
      '/configs/base/run.yaml:3:26:lr->learning_rate',
      // hydra.sweeper.params in the final config: `run.lr` (`+run.lr_min` is another key).
      '/configs/exp/tuned.yaml:15:10:lr->learning_rate',
      // `${oc.select:run.lr, 0.5}` and `'${oc.select: run.lr}'`; `run.lrx`, `run.name` and a computed key are not it.
      '/configs/exp/tuned.yaml:7:28:lr->learning_rate',
      '/configs/exp/tuned.yaml:8:28:lr->learning_rate',
      // The sweeper option file (`# @package hydra.sweeper`): `++run.lr`; `run` alone is not under it.
      '/configs/hydra/sweeper/tuned.yaml:4:8:lr->learning_rate',
    ]);
  });

  test('renaming from inside an oc.select key, or from a sweeper override key\'s parent, reaches the same places', async () => {
    const prep = await client.request<{ range: LspRange; placeholder: string }>('textDocument/prepareRename',
      { textDocument: { uri: uri('/configs/exp/tuned.yaml') }, position: pos('/configs/exp/tuned.yaml', 'run.lr, 0.5', 5) });
    assert.equal(prep.placeholder, 'lr');
    const fromSelect = await renameAt('/configs/exp/tuned.yaml', 'run.lr, 0.5', 5, 'learning_rate');
    assert.deepEqual(fromSelect, await renameAt('/configs/base/run.yaml', 'lr: 0.1', 0, 'learning_rate'));
    // Renaming the parent `run`: every oc.select and override key under it, the relative `.lr` untouched.
    const parent = await renameAt('/configs/exp/tuned.yaml', 'run:\n  name: tuned', 0, 'job');
    assert.ok(parent.includes('/configs/exp/tuned.yaml:7:24:run->job'), parent.join('\n'));
    assert.ok(parent.includes('/configs/exp/tuned.yaml:8:24:run->job'), parent.join('\n'));
    assert.ok(parent.includes('/configs/exp/tuned.yaml:9:21:run->job'), parent.join('\n'));
    assert.ok(parent.includes('/configs/exp/tuned.yaml:15:6:run->job'), parent.join('\n'));
    assert.ok(parent.includes('/configs/exp/tuned.yaml:16:7:run->job'), parent.join('\n'));
    assert.ok(parent.includes('/configs/hydra/sweeper/tuned.yaml:4:4:run->job'), parent.join('\n'));
    // `run: x` in the sweeper's params is an override of the key `run` too.
    assert.ok(parent.includes('/configs/hydra/sweeper/tuned.yaml:5:2:run->job'), parent.join('\n'));
    // The relative `.lr` does not name `run`: it is not touched.
    assert.ok(!parent.some((e) => e.startsWith('/configs/base/run.yaml:3:')), parent.join('\n'));
  });
});
