// The server as a real process over stdio (and Node IPC): protocol round trips for every feature, diagnostics
// pushed for the whole tree and after edits, the custom requests, and a clean exit. The client parses stdout
// strictly, so anything but protocol on stdout fails these tests.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import * as P from '../../language-server/protocol.js';
import { writeFixture } from './disk-fixture.js';
import { parseFixture } from './fixture.js';
import { LspClient } from './lsp-client.js';

const TREE = parseFixture(`
//- /configs/exp/gnn.yaml
# @package _global_
defaults:
  - /base/run@_here_
  - /db: mysql
  - _self_
run:
  name: gnn
//- /configs/base/run.yaml
run:
  name: ???
  lr: 0.1
  dir: out/\${.name}
//- /configs/db/mysql.yaml
host: mysql.local
//- /configs/db/postgres.yaml
host: pg.local
//- /configs/broken.yaml
defaults:
  - db: mysqll
//- /configs/callbacks/early.yaml
early:
  _target_: lightning.pytorch.callbacks.EarlyStopping
  monitor: acc
//- /configs/sweeps/exp_gnn.yaml
method: grid
parameters:
  run.lr:
    values: [0.1, 0.01]
`);

interface Diag { range: { start: { line: number; character: number } }; code: string; message: string; data?: { options?: string[] } }
type Published = { uri: string; diagnostics: Diag[] };

describe('language server over stdio', () => {
  const ws = writeFixture(TREE);
  const uri = (p: string) => ws.uri(p.replace(/^\//, ''));
  let client: LspClient;

  before(async () => {
    client = await LspClient.stdio(ws.dir);
    const init = await client.initialize(pathToFileURL(ws.dir).href);
    assert.ok(init.capabilities.completionProvider && init.capabilities.hoverProvider && init.capabilities.codeLensProvider);
  });

  after(async () => {
    const code = await client.shutdown();
    assert.equal(code, 0);
    assert.deepEqual(client.garbage, [], 'stdout carried only protocol messages');
  });

  test('diagnostics for the whole tree are published after start-up', async () => {
    const m = await client.waitFor((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as Published).uri === uri('/configs/broken.yaml'));
    const d = (m.params as Published).diagnostics;
    assert.deepEqual(d.map((x) => x.code), ['missing-option']);
    assert.deepEqual(d[0]!.range.start, { line: 1, character: 8 });
    assert.deepEqual(d[0]!.data?.options, ['mysql', 'postgres']);
    const actions = await client.request<{ title: string; edit: { changes: Record<string, { newText: string }[]> } }[]>('textDocument/codeAction', {
      textDocument: { uri: uri('/configs/broken.yaml') }, range: { start: { line: 1, character: 8 }, end: { line: 1, character: 14 } },
      context: { diagnostics: d },
    });
    assert.equal(actions[0]!.title, "Change to 'mysql'");
    assert.equal(actions[0]!.edit.changes[uri('/configs/broken.yaml')]![0]!.newText, 'mysql');
  });

  test('an edit republishes diagnostics; fixing it clears them', async () => {
    const u = uri('/configs/exp/gnn.yaml');
    const text = TREE.files['/configs/exp/gnn.yaml']!;
    client.notify('textDocument/didOpen', { textDocument: { uri: u, languageId: 'yaml', version: 1, text } });
    const mark = client.notifications.length;
    // An incremental change: `mysql` -> `oracle` on line 3.
    client.notify('textDocument/didChange', { textDocument: { uri: u, version: 2 },
      contentChanges: [{ range: { start: { line: 3, character: 9 }, end: { line: 3, character: 14 } }, text: 'oracle' }] });
    const bad = await client.waitFor((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as Published).uri === u
      && (n.params as Published).diagnostics.length > 0, 20000, mark);
    assert.deepEqual((bad.params as Published).diagnostics.map((x) => x.code), ['missing-option']);
    const mark2 = client.notifications.length;
    client.notify('textDocument/didChange', { textDocument: { uri: u, version: 3 }, contentChanges: [{ text }] });
    await client.waitFor((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as Published).uri === u
      && (n.params as Published).diagnostics.length === 0, 20000, mark2);
  });

  test('completion, hover, definition, lenses and symbols in LSP positions', async () => {
    const u = uri('/configs/exp/gnn.yaml');
    const completion = await client.request<{ label: string; textEdit: { range: unknown } }[]>('textDocument/completion', {
      textDocument: { uri: u }, position: { line: 6, character: 2 } });
    assert.ok(completion.some((c) => c.label === 'lr') && completion.some((c) => c.label === 'dir'), JSON.stringify(completion.map((c) => c.label)));
    const hover = await client.request<{ contents: { value: string }; range: unknown }>('textDocument/hover', {
      textDocument: { uri: u }, position: { line: 6, character: 3 } });
    assert.match(hover.contents.value, /`run\.name`\*\* = `"gnn"`/);
    assert.deepEqual(hover.range, { start: { line: 6, character: 2 }, end: { line: 6, character: 6 } });
    const def = await client.request<{ uri: string; range: unknown }[]>('textDocument/definition', {
      textDocument: { uri: u }, position: { line: 6, character: 3 } });
    assert.deepEqual(def, [{ uri: uri('/configs/base/run.yaml'), range: { start: { line: 1, character: 2 }, end: { line: 1, character: 6 } } }]);
    const lenses = await client.request<{ command: { title: string; command: string; arguments: P.ConfigCommandArgs[] } }[]>('textDocument/codeLens', { textDocument: { uri: u } });
    assert.deepEqual(lenses.map((l) => l.command.title), ['Run Experiment', 'Run with Overrides…', 'Sweep…', 'Show Composed Config']);
    assert.equal(lenses[0]!.command.command, P.Commands.runExperiment);
    assert.deepEqual(lenses[0]!.command.arguments[0], { configDir: ws.path('configs'), configName: 'exp/gnn', uri: u });
    const symbols = await client.request<{ name: string }[]>('textDocument/documentSymbol', { textDocument: { uri: u } });
    assert.deepEqual(symbols.map((s) => s.name), ['defaults', 'run']);
  });

  test('the runner\'s built-in _target_ registry is wired in: hover documents the callback', async () => {
    const hover = await client.request<{ contents: { value: string } }>('textDocument/hover', {
      textDocument: { uri: uri('/configs/callbacks/early.yaml') }, position: { line: 1, character: 20 } });
    assert.match(hover.contents.value, /built-in `bait\.callbacks\.EarlyStopping`/);
    assert.match(hover.contents.value, /`patience`/);
  });

  test('custom requests', async () => {
    const configDir = ws.path('configs');
    const runnable = await client.request<P.RunnableConfigsResult>(P.RunnableConfigsMethod, {});
    assert.deepEqual(runnable.map((r) => r.configName), ['exp/gnn']);
    const composed = await client.request<P.ComposedConfigResult>(P.ComposedConfigMethod, { configDir, configName: 'exp/gnn', overrides: ['run.lr=0.5'] });
    assert.deepEqual(composed.errors, []);
    assert.match(composed.yaml!, /lr: 0.5/);
    const run = composed.config!.kind === 'dict' ? composed.config!.entries.find((e) => e.key === 'run')!.node : undefined;
    const lr = run?.kind === 'dict' ? run.entries.find((e) => e.key === 'lr')!.node : undefined;
    assert.deepEqual(lr?.origin, { kind: 'override', index: 0, text: 'run.lr=0.5', start: 7, end: 10 });
    assert.equal(lr?.history?.[0]?.kind === 'file' && lr.history[0].location.uri, uri('/configs/base/run.yaml'));
    const bad = await client.request<P.ValidateOverridesResult>(P.ValidateOverridesMethod, { configDir, configName: 'exp/gnn', overrides: ['run.lr=1,2', 'db=nope'], multirun: true });
    assert.equal(bad.valid, false);
    assert.equal(bad.errors[0]!.code, 'missing-option');
    const good = await client.request<P.ValidateOverridesResult>(P.ValidateOverridesMethod, { configDir, configName: 'exp/gnn', overrides: ['run.lr=1,2,3', 'db=mysql,postgres'], multirun: true });
    assert.deepEqual([good.valid, good.jobs], [true, 6]);
    // Outside a sweep (a single run, no -m) Hydra rejects a sweep value: so does the check, at its columns.
    const single = await client.request<P.ValidateOverridesResult>(P.ValidateOverridesMethod, { configDir, configName: 'exp/gnn', overrides: ['run.lr=0.5', 'run.lr=1,2'] });
    assert.equal(single.valid, false);
    assert.equal(single.errors[0]!.code, 'override-sweep-in-compose');
    assert.match(single.errors[0]!.message, /Ambiguous value for argument 'run\.lr=1,2'[\s\S]*--multirun \(-m\)/);
    assert.equal(single.errors[0]!.override!.index, 1);
    const sweep = await client.request<P.SweepJobCountResult>(P.SweepJobCountMethod, { uri: uri('/configs/sweeps/exp_gnn.yaml') });
    assert.equal(sweep.jobs, 2);
  });

  test('a file changed on disk (a watched-file event) recomposes what reads it', async () => {
    const { writeFileSync } = await import('node:fs');
    const mark = client.notifications.length;
    writeFileSync(ws.path('configs/db/mysql.yaml'), 'host: [unclosed\n');
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uri('/configs/db/mysql.yaml'), type: 2 }] });
    const m = await client.waitFor((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as Published).uri === uri('/configs/db/mysql.yaml')
      && (n.params as Published).diagnostics.length > 0, 20000, mark);
    assert.ok((m.params as Published).diagnostics.every((d) => d.code.startsWith('yaml')));
    writeFileSync(ws.path('configs/db/mysql.yaml'), TREE.files['/configs/db/mysql.yaml']!);
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uri('/configs/db/mysql.yaml'), type: 2 }] });
  });

  test('bad requests get an error or an empty answer, and the server lives on', async () => {
    const unknown = await client.requestRaw('bait/noSuchMethod', {});
    assert.ok(unknown.error);
    const badParams = await client.requestRaw(P.ComposedConfigMethod, { configName: 3 });
    assert.ok(badParams.error);
    assert.equal(await client.request('textDocument/hover', { textDocument: { uri: 'untitled:x' }, position: { line: 0, character: 0 } }), null);
    assert.deepEqual(await client.request('textDocument/completion', { textDocument: { uri: uri('/configs/nope.yaml') }, position: { line: 99, character: 99 } }), []);
    assert.equal(await client.request('textDocument/hover', { textDocument: { uri: uri('/configs/exp/gnn.yaml') }, position: { line: 1e6, character: -5 } }), null);
  });
});

test('the same server over Node IPC (how VS Code starts it)', async () => {
  const ws = writeFixture(TREE);
  const client = await LspClient.ipc(ws.dir);
  await client.initialize(pathToFileURL(ws.dir).href, { configDirs: [ws.path('configs')] });
  const hover = await client.request<{ contents: { value: string } }>('textDocument/hover', {
    textDocument: { uri: ws.uri('configs/exp/gnn.yaml') }, position: { line: 6, character: 3 } });
  assert.match(hover.contents.value, /run\.name/);
  assert.equal(await client.shutdown(), 0);
  assert.deepEqual(client.garbage, []);
});

test('a client with list defaults and lazy documentation (as VS Code declares) gets the compact completion list', async () => {
  const ws = writeFixture(TREE);
  const client = await LspClient.stdio(ws.dir);
  const init = await client.initialize(pathToFileURL(ws.dir).href, undefined, undefined, LspClient.VSCODE_COMPLETION);
  assert.deepEqual((init.capabilities.completionProvider as { resolveProvider?: boolean }).resolveProvider, true);
  type Item = { label: string; textEdit?: unknown; textEditText?: string; documentation?: { value: string }; data?: unknown };
  const u = ws.uri('configs/callbacks/early.yaml');
  const position = { line: 1, character: 20 };
  type List = { isIncomplete: boolean; itemDefaults: { editRange: unknown }; items: Item[] };
  // Asked again while the answer says it is incomplete (the tree or the Python index still being read), as clients do.
  const whole = async <T extends object>(c: LspClient): Promise<T> => {
    for (;;) {
      const answer = await c.request<T | List>('textDocument/completion', { textDocument: { uri: u }, position });
      if (Array.isArray(answer) || !(answer as List).isIncomplete) return answer as T;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const list = await whole<List>(client);
  // The `_target_` value's range, sent once for the whole list: `lightning.pytorch.callbacks.EarlyStopping`.
  assert.deepEqual(list.itemDefaults.editRange, { start: { line: 1, character: 12 }, end: { line: 1, character: 53 } });
  const early = list.items.find((i) => i.label === 'bait.callbacks.EarlyStopping');
  assert.ok(early, JSON.stringify(list.items.map((i) => i.label)));
  assert.ok(list.items.every((i) => i.textEdit === undefined && i.documentation === undefined), 'no per-item ranges or documentation');
  // Documentation comes when the item is resolved; the same item in the full form carries the same text.
  const resolved = await client.request<Item>('completionItem/resolve', early);
  assert.match(resolved.documentation!.value, /Stops training when the monitored metric stops improving/);
  const plain = await LspClient.stdio(ws.dir);
  await plain.initialize(pathToFileURL(ws.dir).href);
  const full = await whole<Item[]>(plain);
  assert.ok(Array.isArray(full), 'a complete answer to a plain client is a plain array');
  assert.equal(full.find((i) => i.label === early.label)!.documentation!.value, resolved.documentation!.value);
  assert.deepEqual(full.map((i) => i.label), list.items.map((i) => i.label));
  // The compact answer is a fraction of the full one.
  assert.ok(JSON.stringify(list).length * 2 < JSON.stringify(full).length);
  assert.equal(await plain.shutdown(), 0);
  assert.equal(await client.shutdown(), 0);
});
