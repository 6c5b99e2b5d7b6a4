// The language server keeps working when the workspace holds a "billion laughs" YAML file: the file gets a
// diagnostic at its alias, and completion and hover still answer in the other files (before the alias cap, the
// server aborted with a native out-of-memory crash and the editor lost IntelliSense).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ALIAS_BOMB } from '../config/hostile-yaml.js';
import { writeFixture } from './disk-fixture.js';
import { LspClient } from './lsp-client.js';

const ws = writeFixture({ files: { '/configs/bomb.yaml': ALIAS_BOMB, '/configs/exp.yaml': 'defaults:\n  - bomb\n  - _self_\nlr: 0.1\n',
  '/configs/ok.yaml': 'lr: 0.1\nname: x\n' }, marks: [] });
let client: LspClient | undefined;
after(async () => {
  if (client) assert.equal(await client.shutdown(), 0);
});

type Published = { uri: string; diagnostics: Array<{ code: string; message: string; range: { start: { line: number; character: number } } }> };

test('the server survives the billion-laughs file and keeps answering', async () => {
  client = await LspClient.stdio(ws.dir);
  await client.initialize(pathToFileURL(ws.dir).href);
  const uri = ws.uri('configs/bomb.yaml');
  const m = await client.waitFor((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as Published).uri === uri
    && (n.params as Published).diagnostics.length > 0, 60_000);
  const d = (m.params as Published).diagnostics[0]!;
  assert.equal(d.code, 'yaml-syntax');
  assert.match(d.message, /expand to more than 10,000 nodes/);
  assert.deepEqual(d.range.start, { line: 4, character: 7 });
  // Opening it in the editor (the document path, not the disk scan) is as safe.
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: ALIAS_BOMB } });
  const hover = await client.request<{ contents: { value: string } } | null>('textDocument/hover', {
    textDocument: { uri: ws.uri('configs/ok.yaml') }, position: { line: 0, character: 1 } });
  assert.match(hover!.contents.value, /lr/);
  const completion = await client.request<Array<{ label: string }>>('textDocument/completion', {
    textDocument: { uri }, position: { line: 9, character: 0 } });
  assert.ok(Array.isArray(completion));
  assert.equal(client.child.exitCode, null, 'the server is still running');
});
