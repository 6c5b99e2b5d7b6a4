// The language server never shows a value read through `${oc.env:...}`: the server process has a secret in its
// environment, the workspace reads it into keys (directly, inside a string, through a reference), and every
// byte the server sends over stdio (hovers at every position, diagnostics, completion, lenses, symbols, links)
// is searched for it. Hovers show `<env:NAME>` where a run would read NAME.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { writeFixture } from './disk-fixture.js';
import { LspClient } from './lsp-client.js';

const SECRET = 'sk_live_7f3e9a1c5b2d';
const APP = `defaults:
  - _self_
token: \${oc.env:LSP_SECRET_TOKEN}
header: "Bearer \${oc.env:LSP_SECRET_TOKEN}"
copy: \${token}
fallback: \${oc.env:LSP_SURELY_UNSET_VAR,plain-default}
nested:
  auth: \${header}
  epochs: \${oc.env:LSP_SECRET_TOKEN}
`;
const ws = writeFixture({ files: { '/configs/app.yaml': APP }, marks: [] });
let client: LspClient | undefined;
after(async () => {
  if (client) assert.equal(await client.shutdown(), 0);
});

type Hover = { contents: { value: string } } | null;

test('hovers, diagnostics and every other answer show <env:NAME>, never the value from the environment', async () => {
  process.env.LSP_SECRET_TOKEN = SECRET;
  client = await LspClient.stdio(ws.dir);
  let sent = '';
  client.child.stdout!.on('data', (d: Buffer) => (sent += d.toString()));
  await client.initialize(pathToFileURL(ws.dir).href);
  const uri = ws.uri('configs/app.yaml');
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: APP } });
  await client.waitFor((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as { uri: string }).uri === uri, 60_000);

  const lines = APP.split('\n');
  const hovers = new Map<string, string>();
  for (let line = 0; line < lines.length; line++) {
    for (let character = 0; character <= lines[line]!.length; character++) {
      const h = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line, character } });
      if (h && character === 2) hovers.set(lines[line]!.trim().split(':')[0]!, h.contents.value);
    }
  }
  const at = { textDocument: { uri }, position: { line: 4, character: 8 } };
  await client.request('textDocument/completion', at);
  await client.request('textDocument/codeLens', { textDocument: { uri } });
  await client.request('textDocument/documentSymbol', { textDocument: { uri } });
  await client.request('textDocument/documentLink', { textDocument: { uri } });
  await client.request('workspace/symbol', { query: 'token' });

  // What a run would read, masked: directly, inside a string, through references.
  assert.match(hovers.get('token')!, /resolves to `<env:LSP_SECRET_TOKEN>`/);
  assert.match(hovers.get('header')!, /resolves to `Bearer <env:LSP_SECRET_TOKEN>`/);
  assert.match(hovers.get('copy')!, /resolves to `<env:LSP_SECRET_TOKEN>`/);
  assert.match(hovers.get('fallback')!, /resolves to `plain-default`/, 'an unset variable still takes its default');
  assert.ok(sent.length > 10_000, `the server answered (${sent.length} bytes)`);
  assert.ok(!sent.includes(SECRET), 'the secret was sent over stdio');
  assert.ok(!client.stderr.join('').includes(SECRET), 'the secret was written to the server log');
});
