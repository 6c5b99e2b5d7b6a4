// The first `_target_:` value completion on a fresh start of a 2,000-file tree answers from what is known (the
// built-in catalogue and the files the start-up crawl has read so far), says it is incomplete until the crawl
// is done, then has every target the tree uses, and follows edits file by file. Over stdio, as VS Code asks.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { writeLargeTree } from '../../bench/lsp-tree.js';
import { LspClient } from './lsp-client.js';

interface List {
  isIncomplete: boolean;
  items: { label: string; detail?: string }[];
}

test('_target_ completion on a fresh start: incomplete while the tree is read, then whole, then following edits', async () => {
  const tree = writeLargeTree();
  const configDir = tree.configDir;
  // Last in path order, so the crawl reads it last: the only file that uses this target.
  const far = join(configDir, 'zz/far/away.yaml');
  mkdirSync(dirname(far), { recursive: true });
  writeFileSync(far, 'model:\n  _target_: far.away.OnlyHere\n');
  const other = join(configDir, 'g3/o7.yaml');
  const asking = join(configDir, tree.options[0]!);
  const client = await LspClient.stdio(dirname(configDir));
  try {
    await client.initialize(pathToFileURL(dirname(configDir)).href, { configDirs: [configDir] }, undefined, LspClient.VSCODE_COMPLETION);
    const uri = pathToFileURL(asking).href;
    const text = 'm:\n  _target_: \n';
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    const position = { line: 1, character: 12 };
    const ask = () => client.request<List>('textDocument/completion', { textDocument: { uri }, position });

    const first = await ask();
    assert.equal(first.isIncomplete, true, 'the first answer comes before the 2,000 files are read, and says so');
    const labels = first.items.map((i) => i.label);
    assert.ok(labels.includes('bait.callbacks.EarlyStopping'), 'the built-in catalogue is there from the start');

    // As a client does while the list is incomplete: ask again (generous bound: the machine may be loaded).
    let list = first;
    for (let i = 0; list.isIncomplete && i < 600; i++) {
      await new Promise((r) => setTimeout(r, 100));
      list = await ask();
    }
    assert.equal(list.isIncomplete, false, 'the crawl ends');
    const farItem = list.items.find((i) => i.label === 'far.away.OnlyHere');
    assert.equal(farItem?.detail, 'used in zz/far/away.yaml');
    assert.ok(list.items.some((i) => i.label === 'models.group3.Option7'), 'a target of the generated tree');

    // An edit in another (open) file: its new target is offered at once, the one it no longer uses is gone.
    const otherUri = pathToFileURL(other).href;
    client.notify('textDocument/didOpen', { textDocument: { uri: otherUri, languageId: 'yaml', version: 1, text: 'x:\n  _target_: models.group3.Option7\n' } });
    client.notify('textDocument/didChange', { textDocument: { uri: otherUri, version: 2 }, contentChanges: [{ text: 'x:\n  _target_: brand.new.Edited\n' }] });
    const edited = (await ask()).items;
    assert.equal(edited.find((i) => i.label === 'brand.new.Edited')?.detail, 'used in g3/o7.yaml');
    assert.ok(!edited.some((i) => i.label === 'models.group3.Option7'), 'no file uses the old target any more');

    // A file changed on disk (the watcher says so): read again on the next request, not before.
    writeFileSync(far, 'model:\n  _target_: far.away.Rewritten\n');
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(far).href, type: 2 }] });
    const rewritten = await ask();
    assert.equal(rewritten.isIncomplete, false);
    assert.ok(rewritten.items.some((i) => i.label === 'far.away.Rewritten'));
    assert.ok(!rewritten.items.some((i) => i.label === 'far.away.OnlyHere'));
  } finally {
    assert.equal(await client.shutdown(), 0);
    rmSync(dirname(configDir), { recursive: true, force: true });
  }
});
