// Requests before background work (issue 16, "never makes you wait"): the server composes the tree in slices,
// and between two slices it answers every message that has arrived, not just one. What is asserted is the
// order of events (the server's own progress notifications, the handlers' order), never a duration.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node.js';
import { IncomingMessages } from '../../language-server/handlers/incoming.js';
import { warmUp } from '../../language-server/service/warm-up.js';
import { MemoryFileSystem } from '../../language-server/service/file-system.js';
import { LanguageService } from '../../language-server/service/service.js';
import { LineIndex } from '../../language-server/service/text.js';
import { LspClient } from './lsp-client.js';

const frame = (m: unknown) => {
  const body = Buffer.from(JSON.stringify(m), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
};

/**
 * A real JSON-RPC connection fed ten requests in one chunk while a background loop runs slices, yielding
 * through `yieldNow` between them. Returns the order in which requests and slices ran.
 */
async function burstDuringSlices(yieldNow: (incoming: IncomingMessages) => Promise<void>): Promise<string[]> {
  const input = new PassThrough();
  const output = new PassThrough();
  const incoming = new IncomingMessages();
  const connection = createMessageConnection(new StreamMessageReader(input), new StreamMessageWriter(output), undefined,
    { messageStrategy: incoming.strategy });
  const order: string[] = [];
  connection.onRequest('ping', (n: number) => {
    order.push(`request ${n}`);
    return n;
  });
  connection.listen();
  for (let slice = 0; slice < 30; slice++) {
    order.push('slice');
    // The burst arrives while the third slice runs, as a client's didOpen, hover and the rest arrive together.
    if (slice === 2) input.write(Buffer.concat(Array.from({ length: 10 }, (_, i) => frame({ jsonrpc: '2.0', id: i, method: 'ping', params: i }))));
    await yieldNow(incoming);
  }
  connection.dispose();
  return order;
}

test('between two slices of background work every queued request is answered, not one per slice', async () => {
  const drained = await burstDuringSlices((incoming) => incoming.drain());
  const first = drained.indexOf('request 0');
  const last = drained.indexOf('request 9');
  assert.ok(first > 0 && last > first, drained.join(', '));
  assert.deepEqual(drained.slice(first, last + 1), Array.from({ length: 10 }, (_, i) => `request ${i}`), 'no slice between two requests of the burst');
  // The control: yielding one event-loop turn (what the scheduler did before) runs a slice between requests.
  const oneTurn = await burstDuringSlices(() => new Promise((r) => setImmediate(r)));
  const between = oneTurn.slice(oneTurn.indexOf('request 0'), oneTurn.indexOf('request 9') + 1);
  assert.ok(between.includes('slice'), `one turn per yield interleaves: ${between.join(', ')}`);
});

/** 300 final configs over 6 groups of 20 options; `g0/special.yaml` is selected by one of them only. */
function writeTree(): { root: string; configDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'bait-requests-first-'));
  const configDir = join(root, 'configs');
  const write = (rel: string, text: string) => {
    mkdirSync(dirname(join(configDir, rel)), { recursive: true });
    writeFileSync(join(configDir, rel), text);
  };
  for (let g = 0; g < 6; g++) {
    for (let o = 0; o < 20; o++) write(`g${g}/o${o}.yaml`, `width: ${o}\nlabel: \${name}-g${g}\n`);
  }
  write('g0/special.yaml', 'width: 99\nlabel: ${name}-special\n');
  for (let e = 0; e < 300; e++) {
    const groups = Array.from({ length: 6 }, (_, g) => `  - /g${g}@g${g}: ${g === 0 && e === 157 ? 'special' : `o${(e + g) % 20}`}`);
    write(`exp/e${e}.yaml`, ['# @package _global_', 'defaults:', ...groups, '  - _self_', `name: run_${e}`, ''].join('\n'));
  }
  return { root, configDir };
}

interface Progress {
  token: string | number;
  value: { kind: 'begin' | 'report' | 'end'; title?: string; percentage?: number };
}

test('a hover sent with the didOpen on a fresh start is answered, exactly, before indexing ends', async () => {
  const { root, configDir } = writeTree();
  const client = await LspClient.stdio(root);
  try {
    await client.initialize(pathToFileURL(root).href, { configDirs: [configDir] }, undefined, {}, { workDoneProgress: true });
    const path = join(configDir, 'g0/special.yaml');
    const text = 'width: 99\nlabel: ${name}-special\n';
    const uri = pathToFileURL(path).href;
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    const hover = await client.request<{ contents: { value: string } }>('textDocument/hover',
      { textDocument: { uri }, position: new LineIndex(text).position(text.indexOf('label') + 1) });
    const progressSoFar = client.notifications.filter((n) => n.method === '$/progress').map((n) => (n.params as Progress).value.kind);
    assert.ok(!progressSoFar.includes('end'), `answered while indexing (progress so far: ${progressSoFar.join(', ')})`);
    // The exact answer: the one final config that selects the file, composed.
    assert.match(hover.contents.value, /\*\*`g0\.label`\*\* = `"\$\{name\}-special"`/);
    assert.match(hover.contents.value, /resolves to `run_157-special`/);
    assert.match(hover.contents.value, /composed through `exp\/e157`/);
    // Indexing then runs to its end, shown as work-done progress: begin, reports that only go up, end.
    await client.waitFor((n) => n.method === '$/progress' && (n.params as Progress).value.kind === 'end', 120_000);
    const progress = client.notifications.filter((n) => n.method === '$/progress').map((n) => (n.params as Progress).value);
    assert.equal(progress[0]!.kind, 'begin');
    assert.equal(progress[0]!.title, 'Indexing configs');
    const percents = progress.filter((p) => p.kind !== 'end').map((p) => p.percentage ?? 0);
    assert.deepEqual(percents, [...percents].sort((a, b) => a - b), 'progress only goes up');
    assert.equal(progress.at(-1)!.kind, 'end');
    // The server's own record of what it handled, in order: the didOpen, then the hover.
    const timings = await client.request<{ method: string; start: number; end: number; cpuMs: number }[]>('bait/serverTimings', {});
    const methods = timings.map((t) => t.method);
    assert.ok(methods.indexOf('textDocument/didOpen') < methods.indexOf('textDocument/hover'), methods.join(', '));
    for (const t of timings) assert.ok(t.end >= t.start && t.cpuMs >= 0, JSON.stringify(t));
  } finally {
    await client.shutdown();
  }
});

test('the start-up warm-up runs every request path it is meant to warm, on its own tree', () => {
  assert.deepEqual(warmUp(), []);
});

test('the Python crawl yields through the host\'s yield (the server\'s message drain), between its slices', async () => {
  const files: Record<string, string> = { '/ws/configs/a.yaml': 'x: 1\n' };
  // Enough source that the crawl takes several slices: each file's classes and functions are parsed.
  for (let i = 0; i < 400; i++) {
    files[`/ws/pkg/m${i}.py`] = Array.from({ length: 30 }, (_, k) =>
      `class C${k}:\n    """Doc ${k}."""\n    def __init__(self, a: int = ${k}, b: str = "x") -> None:\n        self.a = a\n`).join('\n');
  }
  let yields = 0;
  const service = new LanguageService({ fs: new MemoryFileSystem(files), configDirs: ['/ws/configs'], workspaceFolders: ['/ws'],
    yieldNow: async () => {
      yields++;
      await new Promise((r) => setImmediate(r));
    } });
  await service.python!.index.crawl();
  assert.equal(service.python!.index.files.size, 400, 'every file crawled');
  assert.ok(yields >= 1, 'the crawl yielded through the host');
});
