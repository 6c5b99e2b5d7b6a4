// The editing features yaml-language-server users rely on, over stdio against the real server process:
// formatting (comments and `# @package` kept), folding ranges, selection ranges, document links (defaults
// entries and `_target_`s), rename of a key across the files that set or interpolate it, rename of a config
// file across defaults lists, and workspace symbols.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
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
  log: lr=\${run.lr}
model:
  _target_: models.net.Net
//- /configs/exp/other.yaml
# @package _global_
defaults:
  - /base/run@_here_
  - /db/mysql@db
  - _self_
//- /configs/base/run.yaml
run:
  name: ???
  lr: 0.1
  dir: out/\${.lr}/\${.name}
//- /configs/db/mysql.yaml
host: mysql.local
//- /configs/db/postgres.yaml
host: pg.local
//- /configs/sweeps/exp_gnn.yaml
method: grid
parameters:
  run.lr:
    values: [0.1, 0.01]
//- /configs/messy.yaml
# @package _global_
# A header comment that must stay.
defaults:
    - /db: mysql   # the database
    - _self_
trainer:
      max_epochs: 3    
      # the optimiser
      optim:
            lr: 0.    
            betas: [0.9,  0.99]


notes: |
    keep   
      as is
//- /models/net.ts
// a workspace module
export class Net {}
`);

type Pos = { line: number; character: number };
type LspRange = { start: Pos; end: Pos };

describe('editing features over stdio', () => {
  const ws = writeFixture(TREE);
  const uri = (p: string) => ws.uri(p.replace(/^\//, ''));
  const text = (p: string) => TREE.files[p]!;
  const pos = (p: string, needle: string, delta = 0): Pos => {
    const t = text(p);
    const at = t.indexOf(needle) + delta;
    assert.ok(at >= delta, `${needle} in ${p}`);
    const before = t.slice(0, at).split('\n');
    return { line: before.length - 1, character: before[before.length - 1]!.length };
  };
  const slice = (p: string, r: LspRange) => {
    const lines = text(p).split('\n');
    if (r.start.line === r.end.line) return lines[r.start.line]!.slice(r.start.character, r.end.character);
    return [lines[r.start.line]!.slice(r.start.character), ...lines.slice(r.start.line + 1, r.end.line), lines[r.end.line]!.slice(0, r.end.character)].join('\n');
  };
  let client: LspClient;

  before(async () => {
    client = await LspClient.stdio(ws.dir);
    const init = await client.initialize(pathToFileURL(ws.dir).href, undefined,
      { workspaceEdit: { documentChanges: true, resourceOperations: ['create', 'rename', 'delete'] } });
    for (const cap of ['documentFormattingProvider', 'foldingRangeProvider', 'selectionRangeProvider', 'documentLinkProvider', 'renameProvider', 'workspaceSymbolProvider']) {
      assert.ok(init.capabilities[cap], cap);
    }
  });

  after(async () => {
    assert.equal(await client.shutdown(), 0);
  });

  test('formatting re-indents and trims but keeps the header, every comment and every scalar as written', async () => {
    const edits = await client.request<{ range: LspRange; newText: string }[]>('textDocument/formatting',
      { textDocument: { uri: uri('/configs/messy.yaml') }, options: { tabSize: 2, insertSpaces: true } });
    assert.equal(edits.length, 1);
    const t = text('/configs/messy.yaml');
    const lines = t.split('\n');
    const offset = (p: Pos) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
    const formatted = t.slice(0, offset(edits[0]!.range.start)) + edits[0]!.newText + t.slice(offset(edits[0]!.range.end));
    assert.equal(formatted, [
      '# @package _global_',
      '# A header comment that must stay.',
      'defaults:',
      '  - /db: mysql   # the database',
      '  - _self_',
      'trainer:',
      '  max_epochs: 3',
      '  # the optimiser',
      '  optim:',
      '    lr: 0.',
      '    betas: [0.9,  0.99]',
      '',
      'notes: |',
      // A block scalar is content: it moves only with its key (here it does not).
      '    keep   ',
      '      as is',
      '',
    ].join('\n'));
    // Formatting a formatted file changes nothing.
    client.notify('textDocument/didOpen', { textDocument: { uri: uri('/configs/messy.yaml'), languageId: 'yaml', version: 1, text: formatted } });
    const again = await client.request<unknown[]>('textDocument/formatting', { textDocument: { uri: uri('/configs/messy.yaml') }, options: { tabSize: 2, insertSpaces: true } });
    assert.deepEqual(again, []);
    client.notify('textDocument/didClose', { textDocument: { uri: uri('/configs/messy.yaml') } });
  });

  test('folding ranges: one per multi-line mapping or list, from its key\'s line', async () => {
    const folds = await client.request<{ startLine: number; endLine: number; kind?: string }[]>('textDocument/foldingRange', { textDocument: { uri: uri('/configs/exp/gnn.yaml') } });
    assert.deepEqual(folds.map((f) => [f.startLine, f.endLine]), [[1, 4], [5, 7], [8, 9]]);
  });

  test('selection ranges grow from a reference segment to the `${...}`, the value, the pair, the mapping, the document', async () => {
    const at = pos('/configs/exp/gnn.yaml', '${run.lr}', 6);
    const [sel] = await client.request<{ range: LspRange; parent?: unknown }[]>('textDocument/selectionRange', { textDocument: { uri: uri('/configs/exp/gnn.yaml') }, positions: [at] });
    const chain: string[] = [];
    for (let s = sel as { range: LspRange; parent?: unknown } | undefined; s; s = s.parent as typeof s) chain.push(slice('/configs/exp/gnn.yaml', s.range));
    assert.deepEqual(chain.slice(0, 5), ['lr', 'run.lr', '${run.lr}', 'lr=${run.lr}', 'log: lr=${run.lr}']);
    assert.equal(chain[5], 'name: gnn\n  log: lr=${run.lr}');
    assert.equal(chain[chain.length - 1], text('/configs/exp/gnn.yaml').trimEnd());
  });

  test('document links: defaults entries to their files, `_target_` to the workspace module', async () => {
    const links = await client.request<{ range: LspRange; target: string }[]>('textDocument/documentLink', { textDocument: { uri: uri('/configs/exp/gnn.yaml') } });
    const got = links.map((l) => [slice('/configs/exp/gnn.yaml', l.range), l.target.replace(pathToFileURL(ws.dir).href, '')]);
    assert.deepEqual(got, [
      ['/base/run', '/configs/base/run.yaml'],
      ['mysql', '/configs/db/mysql.yaml'],
      ['models.net.Net', '/models/net.ts#L2,14'],
    ]);
  });

  test('rename a key: the file that sets it, absolute and relative interpolations, and the sweep file\'s parameter', async () => {
    const edit = await client.request<{ changes: Record<string, { range: LspRange; newText: string }[]> }>('textDocument/rename',
      { textDocument: { uri: uri('/configs/base/run.yaml') }, position: pos('/configs/base/run.yaml', 'lr: 0.1'), newName: 'learning_rate' });
    const got = Object.entries(edit.changes).flatMap(([u, es]) => {
      const p = u.replace(pathToFileURL(ws.dir).href, '');
      return es.map((e) => `${p}:${e.range.start.line}:${slice(p, e.range)}->${e.newText}`);
    }).sort();
    assert.deepEqual(got, [
      '/configs/base/run.yaml:2:lr->learning_rate',
      '/configs/base/run.yaml:3:lr->learning_rate',
      '/configs/exp/gnn.yaml:7:lr->learning_rate',
      '/configs/sweeps/exp_gnn.yaml:2:lr->learning_rate',
    ]);
    // From a reference segment, the same rename.
    const prep = await client.request<{ range: LspRange; placeholder: string }>('textDocument/prepareRename',
      { textDocument: { uri: uri('/configs/exp/gnn.yaml') }, position: pos('/configs/exp/gnn.yaml', '${run.lr}', 7) });
    assert.equal(prep.placeholder, 'lr');
  });

  test('rename a config file: the file and every defaults entry that selects it', async () => {
    const edit = await client.request<{ documentChanges: ({ textDocument: { uri: string }; edits: { range: LspRange; newText: string }[] } | { kind: string; oldUri: string; newUri: string })[] }>('textDocument/rename',
      { textDocument: { uri: uri('/configs/exp/gnn.yaml') }, position: pos('/configs/exp/gnn.yaml', 'mysql', 1), newName: 'mariadb' });
    const strip = (u: string) => u.replace(pathToFileURL(ws.dir).href, '');
    const texts = edit.documentChanges.flatMap((c) => ('edits' in c ? c.edits.map((e) => `${strip(c.textDocument.uri)}:${e.range.start.line}:${slice(strip(c.textDocument.uri), e.range)}->${e.newText}`) : []));
    assert.deepEqual(texts.sort(), [
      '/configs/exp/gnn.yaml:3:mysql->mariadb',
      '/configs/exp/other.yaml:3:mysql->mariadb',
      '/configs/messy.yaml:3:mysql->mariadb',
    ]);
    const renames = edit.documentChanges.filter((c) => 'kind' in c);
    assert.deepEqual(renames.map((r) => 'kind' in r && [r.kind, strip(r.oldUri), strip(r.newUri)]), [['rename', '/configs/db/mysql.yaml', '/configs/db/mariadb.yaml']]);
    // The file operation comes after the text edits.
    assert.ok('kind' in edit.documentChanges[edit.documentChanges.length - 1]!);
  });

  test('rename refuses what it cannot rename, with a reason', async () => {
    const onComment = await client.requestRaw('textDocument/prepareRename', { textDocument: { uri: uri('/configs/messy.yaml') }, position: pos('/configs/messy.yaml', 'header comment') });
    assert.match(String(onComment.error?.message), /Rename works on a config key/);
    const clash = await client.requestRaw('textDocument/rename', { textDocument: { uri: uri('/configs/exp/gnn.yaml') }, position: pos('/configs/exp/gnn.yaml', 'mysql', 1), newName: 'postgres' });
    assert.match(String(clash.error?.message), /db\/postgres\.yaml` exists already/);
    const badKey = await client.requestRaw('textDocument/rename', { textDocument: { uri: uri('/configs/base/run.yaml') }, position: pos('/configs/base/run.yaml', 'lr: 0.1'), newName: 'a.b' });
    assert.match(String(badKey.error?.message), /not a plain key name/);
  });

  test('workspace symbols: config files by name and keys by their dotted path', async () => {
    type Sym = { name: string; kind: number; containerName: string; location: { uri: string; range: LspRange } };
    const lr = await client.request<Sym[]>('workspace/symbol', { query: 'run.lr' });
    assert.deepEqual(lr.map((s) => [s.name, s.containerName]), [['run.lr', 'base/run']]);
    assert.equal(slice('/configs/base/run.yaml', lr[0]!.location.range), 'lr');
    const files = await client.request<Sym[]>('workspace/symbol', { query: 'mysql' });
    assert.ok(files.some((s) => s.name === 'db/mysql' && s.kind === 1 && s.location.uri.endsWith('/configs/db/mysql.yaml')), JSON.stringify(files));
  });
});
