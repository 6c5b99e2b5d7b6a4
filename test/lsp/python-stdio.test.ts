// Python `_target_`s through the real server process over stdio, on the research-style fixture repository:
// diagnostics pushed once the Python index is up, a quick fix for a misspelt parameter, definition into a .py
// file, parameter completion, `bait.diagnostics` changed at run time, and a .py edit on disk picked up; then
// `bait.versionBase` and `bait.pythonPath` changed at run time on a workspace of their own.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LspClient } from './lsp-client.js';
import { PYREPO } from './python-fixture.js';

interface Diag { range: { start: { line: number; character: number }; end: { line: number; character: number } }; code: string; message: string; data?: unknown }
type Published = { uri: string; diagnostics: Diag[] };

describe('Python _target_s over stdio', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bait-pyrepo-'));
  cpSync(PYREPO, dir, { recursive: true });
  const uri = (p: string) => pathToFileURL(join(dir, p)).href;
  let client: LspClient;
  const diagnosticsOf = (p: string, match: (d: Diag[]) => boolean, from = 0) =>
    client.waitFor((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as Published).uri === uri(p) && match((n.params as Published).diagnostics), 30000, from)
      .then((n) => (n.params as Published).diagnostics);

  before(async () => {
    client = await LspClient.stdio(dir);
    await client.initialize(pathToFileURL(dir).href);
  });
  after(async () => {
    assert.equal(await client.shutdown(), 0);
    assert.deepEqual(client.garbage, []);
  });

  test('mistakes.yaml gets the four true diagnostics; the misspelt parameter has a quick fix', async () => {
    const d = await diagnosticsOf('configs/mistakes.yaml', (x) => x.length === 4);
    assert.deepEqual(d.map((x) => x.code), ['unknown-target-param', 'missing-target-param', 'unknown-target', 'missing-target-param']);
    assert.deepEqual(d[0]!.range, { start: { line: 5, character: 2 }, end: { line: 5, character: 7 } });
    const actions = await client.request<{ title: string; edit: { changes: Record<string, { newText: string }[]> } }[]>('textDocument/codeAction', {
      textDocument: { uri: uri('configs/mistakes.yaml') }, range: d[0]!.range, context: { diagnostics: [d[0]] } });
    assert.equal(actions[0]!.title, "Change to 'depth'");
    assert.equal(actions[0]!.edit.changes[uri('configs/mistakes.yaml')]![0]!.newText, 'depth');
  });

  test('definition from a _target_ lands on the class line of the .py file', async () => {
    const def = await client.request<{ uri: string; range: { start: { line: number; character: number } } }[]>('textDocument/definition', {
      textDocument: { uri: uri('configs/data/cifar.yaml') }, position: { line: 0, character: 20 } });
    assert.deepEqual(def.map((l) => [l.uri, l.range.start]), [[uri('src/lab/data/datamodule.py'), { line: 5, character: 6 }]]);
  });

  test('completion offers the target\'s parameters with defaults', async () => {
    const u = uri('configs/data/cifar.yaml');
    client.notify('textDocument/didOpen', { textDocument: { uri: u, languageId: 'yaml', version: 1, text: '_target_: lab.data.CifarDataModule\nroot: x\n\n' } });
    const items = await client.request<{ label: string; detail?: string }[]>('textDocument/completion', { textDocument: { uri: u }, position: { line: 2, character: 0 } });
    assert.deepEqual(items.filter((i) => ['batch_size', 'num_workers'].includes(i.label)).map((i) => [i.label, i.detail]),
      [['batch_size', 'int = 64'], ['num_workers', 'int = 2']]);
    assert.ok(!items.some((i) => i.label === 'root'));
  });

  test('bait.diagnostics changes severities live; a .py change on disk is picked up', async () => {
    let mark = client.notifications.length;
    client.notify('workspace/didChangeConfiguration', { settings: { bait: { diagnostics: { 'missing-target-param': 'off', 'unknown-target': 'error' } } } });
    let d = await diagnosticsOf('configs/mistakes.yaml', (x) => x.length === 2, mark);
    assert.deepEqual(d.map((x) => x.code), ['unknown-target-param', 'unknown-target']);
    // The class gains the parameter that was misspelt: that diagnostic goes away.
    mark = client.notifications.length;
    const file = join(dir, 'src/lab/models/resnet.py');
    writeFileSync(file, (await import('node:fs')).readFileSync(file, 'utf8').replace('dropout: float = 0.1):', 'dropout: float = 0.1, depht: int = 0):'));
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(file).href, type: 2 }] });
    d = await diagnosticsOf('configs/mistakes.yaml', (x) => x.length === 1, mark);
    assert.deepEqual(d.map((x) => x.code), ['unknown-target']);
  });
});

describe('bait.versionBase and bait.pythonPath apply without a restart', () => {
  // A config dir no entry point composes (the setting decides its version_base), a config naming an installed
  // package's class with a misspelt parameter, and an interpreter outside the workspace whose site-packages
  // hold that package.
  const ws = mkdtempSync(join(tmpdir(), 'bait-pysettings-'));
  const venv = mkdtempSync(join(tmpdir(), 'bait-pysettings-venv-'));
  const put = (root: string, p: string, text: string) => {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  };
  put(ws, 'configs/app.yaml', 'defaults:\n  - db: a\n    optional: true\n  - _self_\nx: 1\n');
  put(ws, 'configs/db/a.yaml', 'y: 1\n');
  put(ws, 'configs/model.yaml', '_target_: thirdparty.models.Net\nwidht: 3\n');
  put(venv, 'bin/python', '');
  put(venv, 'lib/python3.11/site-packages/thirdparty/__init__.py', '');
  put(venv, 'lib/python3.11/site-packages/thirdparty/models.py', 'class Net:\n    def __init__(self, width: int = 1):\n        self.width = width\n');
  const uri = (p: string) => pathToFileURL(join(ws, p)).href;
  let client: LspClient;
  const codesOf = (p: string, match: (codes: string[]) => boolean, from: number) =>
    client.waitFor((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as Published).uri === uri(p)
      && match((n.params as Published).diagnostics.map((d) => d.code)), 30000, from)
      .then((n) => (n.params as Published).diagnostics.map((d) => d.code));
  const change = (bait: Record<string, unknown>) => {
    const mark = client.notifications.length;
    client.notify('workspace/didChangeConfiguration', { settings: { bait } });
    return mark;
  };

  before(async () => {
    client = await LspClient.stdio(ws);
    await client.initialize(pathToFileURL(ws).href);
  });
  after(async () => {
    assert.equal(await client.shutdown(), 0);
    assert.deepEqual(client.garbage, []);
  });

  test('version_base 1.3 (the default) refuses the legacy `optional:` key; switched to 1.1 it is accepted, and back', async () => {
    assert.deepEqual(await codesOf('configs/app.yaml', (c) => c.length > 0, 0), ['defaults-bad-entry']);
    let mark = change({ versionBase: '1.1', diagnostics: {} });
    assert.deepEqual(await codesOf('configs/app.yaml', (c) => c.length === 0, mark), []);
    mark = change({ versionBase: '1.3', diagnostics: {} });
    assert.deepEqual(await codesOf('configs/app.yaml', (c) => c.length > 0, mark), ['defaults-bad-entry']);
  });

  test('an installed target is checked once bait.pythonPath names its interpreter, and not after it is cleared', async () => {
    // Without an interpreter, `thirdparty` is not the workspace's: nothing is claimed about it.
    const model = join(ws, 'configs/model.yaml');
    const hover = () => client.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri: uri('configs/model.yaml') }, position: { line: 0, character: 25 } });
    client.notify('textDocument/didOpen', { textDocument: { uri: uri('configs/model.yaml'), languageId: 'yaml', version: 1, text: (await import('node:fs')).readFileSync(model, 'utf8') } });
    assert.doesNotMatch(JSON.stringify(await hover()), /width: int = 1/);
    let mark = change({ pythonPath: join(venv, 'bin/python') });
    assert.deepEqual(await codesOf('configs/model.yaml', (c) => c.includes('unknown-target-param'), mark), ['unknown-target-param']);
    assert.match(JSON.stringify(await hover()), /width: int = 1/);
    mark = change({ pythonPath: '' });
    assert.deepEqual(await codesOf('configs/model.yaml', (c) => c.length === 0, mark), []);
    assert.doesNotMatch(JSON.stringify(await hover()), /width: int = 1/);
  });
});

test('the shipped dist/server.js (loaded through the code cache) loads the Python parser: definition into a .py', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bait-pyrepo-dist-'));
  cpSync(PYREPO, dir, { recursive: true });
  const uri = (p: string) => pathToFileURL(join(dir, p)).href;
  // A fresh code cache folder: the first start compiles and writes the cache, the second starts from it.
  const env = { BAIT_CODE_CACHE_DIR: mkdtempSync(join(tmpdir(), 'bait-code-cache-')) };
  for (const start of ['compiled', 'from the cache']) {
    const client = await LspClient.stdio(dir, join(__dirname, '../../dist/server.js'), env);
    try {
      await client.initialize(pathToFileURL(dir).href);
      // The diagnostics that need the parser: then definition answers from the .py file.
      await client.waitFor((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as Published).uri === uri('configs/mistakes.yaml')
        && (n.params as Published).diagnostics.length === 4, 60000);
      const def = await client.request<{ uri: string }[]>('textDocument/definition', {
        textDocument: { uri: uri('configs/model/resnet.yaml') }, position: { line: 0, character: 23 } });
      assert.deepEqual(def.map((l) => l.uri), [uri('src/lab/models/resnet.py')], start);
      assert.deepEqual(client.notifications.filter((n) => n.method === 'window/logMessage').map((n) => JSON.stringify(n.params)), [], start);
    } finally {
      assert.equal(await client.shutdown(), 0);
    }
  }
});
