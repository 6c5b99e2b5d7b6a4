// The server as shipped (dist/server.js, which loads dist/server-main.js through the code cache) against the
// research-style Python repository: the Python `_target_` diagnostics arrive as they do from the source bundle
// the other stdio tests run. They once went missing only in the shipped entry (a dynamic import failed there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from './lsp-client.js';
import { PYREPO } from './python-fixture.js';

const SERVER = join(__dirname, '..', '..', 'dist', 'server.js');

interface Published { uri: string; diagnostics: { code?: string }[] }

test('dist/server.js reports the Python _target_ diagnostics of the fixture repository', { timeout: 120_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'bait-shipped-server-'));
  const ws = join(tmp, 'ws');
  cpSync(PYREPO, ws, { recursive: true });
  const client = await LspClient.stdio(ws, SERVER);
  try {
    await client.initialize(pathToFileURL(ws).href);
    const file = join(ws, 'configs', 'mistakes.yaml');
    const uri = pathToFileURL(file).href;
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: readFileSync(file, 'utf8') } });
    // Diagnostics are published again as the Python index fills in; wait for the set the source bundle gives.
    const m = await client.waitFor((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as Published).uri === uri
      && (n.params as Published).diagnostics.length === 4, 90_000);
    const codes = (m.params as Published).diagnostics.map((d) => d.code).sort();
    assert.deepEqual(codes, ['missing-target-param', 'missing-target-param', 'unknown-target', 'unknown-target-param']);
    assert.deepEqual(client.garbage, []);
  } finally {
    await client.shutdown().catch(() => undefined);
    client.child.kill();
    rmSync(tmp, { recursive: true, force: true });
  }
});
