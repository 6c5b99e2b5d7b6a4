// Fuzzing: thousands of mutated config documents through every feature of the service, then a few hundred
// through the real server process. Nothing may throw (the service reports swallowed failures through
// onInternalError, which counts as a failure here), and the server must answer every request and log no
// uncaught error or unhandled rejection. The PRNG is seeded: a failure names the seed and the document.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MemoryFileSystem } from '../../language-server/service/file-system.js';
import { LanguageService } from '../../language-server/service/service.js';
import { composeWith, validate } from '../../language-server/service/requests.js';
import { seededRandom } from '../../runner/config/overrides/sweep.js';
import { LineIndex } from '../../language-server/service/text.js';
import { writeFixture } from './disk-fixture.js';
import { parseFixture } from './fixture.js';
import { LspClient } from './lsp-client.js';
import { fuzzSeed, withSeed } from '../infra/fuzz.js';

const SEED = fuzzSeed(20261128);
const FILE = 'test/lsp/fuzz.test.ts';
const DOCS = Number(process.env.FUZZ_DOCS ?? 3000);
const bait = join(dirname(fileURLToPath(import.meta.url)), '../conformance/bait/configs');

// mulberry32 from the engine: small, fast, and reproducible across runs.
const prng = seededRandom;
const TOKENS = [':', ': ', '-', '- ', ' ', '  ', '\n', '\n  ', '\t', '${', '}', '${a.b}', '${.x}', '${..y}', '${oc.env:HOME}',
  '${now:%Y}', '${hydra:runtime.choices}', '[', ']', '{', '}', ',', '#', '# @package ', '_global_', '_here_', "'", '"', '@', '/',
  '???', '_self_', 'override ', 'optional ', 'defaults:', '\n- ', '&a ', '*a', '<<: *a', '!!str ', '|', '>', '\r\n', '\u00e9', '\u{1F600}',
  'null', '1e-4', '0x1F', 'db', 'mysql', '_target_: ', 'model', '.', '..', '\\', '%', '\u0000'];

function mutate(text: string, rand: () => number): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  let out = text;
  const n = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rand() * (out.length + 1));
    const op = rand();
    if (op < 0.45) out = out.slice(0, at) + pick(TOKENS) + out.slice(at);
    else if (op < 0.7) out = out.slice(0, at) + out.slice(Math.min(out.length, at + 1 + Math.floor(rand() * 12)));
    else if (op < 0.8) {
      const lines = out.split('\n');
      const l = Math.floor(rand() * lines.length);
      lines.splice(l, 0, lines[Math.floor(rand() * lines.length)]!);
      out = lines.join('\n');
    } else if (op < 0.9) out = out.slice(0, at);
    else {
      const lines = out.split('\n');
      const a = Math.floor(rand() * lines.length);
      const b = Math.floor(rand() * lines.length);
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      out = lines.join('\n');
    }
  }
  return out;
}

const TREE = parseFixture(`
//- /configs/config.yaml
defaults:
  - db: mysql
  - server/apache@web
  - optional extra: ???
  - _self_
name: \${db.host}
run:
  dir: out/\${.name}/\${now:%Y}
  list: [1, 2.0, "3", {a: 1}]
//- /configs/db/mysql.yaml
host: mysql.local
port: 3306
//- /configs/db/postgres.yaml
# @package _group_
host: pg.local
//- /configs/server/apache.yaml
defaults:
  - /db: postgres
  - override /db: mysql
port: 80
//- /configs/extra/a.yaml
a: &anchor {x: 1}
b: *anchor
//- /configs/sweeps/s.yaml
method: grid
parameters:
  name:
    values: [a, b]
`);

const BAIT_FILES = ['premise_selection/hol4/gnn.yaml', 'premise_selection/mizar40/transformer.yaml', 'sweeps/hol4_transformer.yaml'];

test(`${DOCS} mutated documents through every service feature (seed ${SEED})`, () => withSeed(SEED, FILE, () => {
  const rand = prng(SEED);
  const files: Record<string, string> = { ...TREE.files };
  for (const f of BAIT_FILES) files[`/bait/${f}`] = readFileSync(join(bait, f), 'utf8');
  for (const f of ['premise_selection/hol4/hol4.yaml', 'premise_selection/premise_selection.yaml', 'premise_selection/mizar40/mizar.yaml',
    'base/data_config.yaml', 'base/logging_config.yaml', 'base/exp_config.yaml', 'data_type/gnn.yaml', 'data_type/sequence.yaml']) {
    files[`/bait/${f}`] = readFileSync(join(bait, f), 'utf8');
  }
  const s = new LanguageService({ fs: new MemoryFileSystem(files), configDirs: ['/configs', '/bait'], versionBase: '1.1' });
  const failures: string[] = [];
  let current = '';
  s.onInternalError = (what, e) => failures.push(`${what}: ${e instanceof Error ? e.stack : String(e)}\n--- document ---\n${current}`);
  const targets = [...Object.keys(TREE.files), ...BAIT_FILES.map((f) => `/bait/${f}`)];
  const originals = new Map(targets.map((p) => [p, files[p]!]));
  for (let i = 0; i < DOCS && failures.length === 0; i++) {
    const path = targets[Math.floor(rand() * targets.length)]!;
    // Mutations build on earlier ones half of the time, so documents drift far from valid YAML.
    const base = rand() < 0.5 ? s.text(path) ?? originals.get(path)! : originals.get(path)!;
    current = mutate(base, rand);
    s.change(path, current, i + 1);
    s.takeDirty();
    const diagnostics = s.diagnostics(path);
    s.codeActions(path, diagnostics);
    s.codeLenses(path);
    s.documentSymbols(path);
    for (let k = 0; k < 3; k++) {
      const offset = Math.floor(rand() * (current.length + 1));
      s.completions(path, offset);
      s.hover(path, offset);
      s.definition(path, offset);
    }
    if (rand() < 0.05) s.close(path);
  }
  assert.deepEqual(failures.slice(0, 1), []);
}));

const OVERRIDE_TOKENS = ['db', 'mysql', 'postgres', '=', '+', '++', '~', '@', 'run', '.', 'dir', ',', '[', ']', '{', '}', ':', "'", '"',
  'range(', 'choice(', 'glob(*)', 'interval(0,1)', ')', '1', '0.5', 'null', '???', '${name}', ' ', '\\', 'name', 'hydra.run.dir', 'x'];

test(`1,500 random override lists through composition with overrides, validation and job counting (seed ${SEED})`, () => withSeed(SEED, FILE, () => {
  const rand = prng(SEED + 2);
  const s = new LanguageService({ fs: new MemoryFileSystem(TREE.files), configDirs: ['/configs'] });
  const failures: string[] = [];
  for (let i = 0; i < 1500 && !failures.length; i++) {
    const overrides = Array.from({ length: 1 + Math.floor(rand() * 3) }, () =>
      Array.from({ length: 1 + Math.floor(rand() * 6) }, () => OVERRIDE_TOKENS[Math.floor(rand() * OVERRIDE_TOKENS.length)]).join(''));
    const req = { configDir: '/configs', configName: 'config', overrides };
    try {
      composeWith(s.workspace, req);
      const v = validate(s.workspace, req, true);
      assert.ok(v.jobs === null || (Number.isInteger(v.jobs) && v.jobs >= 0), String(v.jobs));
    } catch (e) {
      failures.push(`${JSON.stringify(overrides)}: ${e instanceof Error ? e.stack : String(e)}`);
    }
  }
  assert.deepEqual(failures.slice(0, 1), []);
}));

test(`300 mutated documents through the real server process: every request answered, nothing uncaught (seed ${SEED})`, async () => {
  try {
    await serverFuzz();
  } catch (e) {
    withSeed(SEED, FILE, () => {
      throw e;
    });
  }
});

async function serverFuzz(): Promise<void> {
  const rand = prng(SEED + 1);
  const ws = writeFixture(TREE);
  const client = await LspClient.stdio(ws.dir);
  await client.initialize(pathToFileURL(ws.dir).href);
  const paths = Object.keys(TREE.files);
  for (const p of paths) {
    client.notify('textDocument/didOpen', { textDocument: { uri: ws.uri(p.slice(1)), languageId: 'yaml', version: 1, text: TREE.files[p] } });
  }
  for (let i = 0; i < 300; i++) {
    const p = paths[Math.floor(rand() * paths.length)]!;
    const uri = ws.uri(p.slice(1));
    const text = mutate(TREE.files[p]!, rand);
    client.notify('textDocument/didChange', { textDocument: { uri, version: i + 2 }, contentChanges: [{ text }] });
    const idx = new LineIndex(text);
    const position = idx.position(Math.floor(rand() * (text.length + 1)));
    // A position past the end of the document must not break anything either.
    const wild = { line: Math.floor(rand() * 40), character: Math.floor(rand() * 80) };
    const answers = await Promise.all([
      client.requestRaw('textDocument/completion', { textDocument: { uri }, position }),
      client.requestRaw('textDocument/hover', { textDocument: { uri }, position: wild }),
      client.requestRaw('textDocument/definition', { textDocument: { uri }, position }),
      client.requestRaw('textDocument/codeLens', { textDocument: { uri } }),
      client.requestRaw('textDocument/documentSymbol', { textDocument: { uri } }),
    ]);
    for (const a of answers) assert.equal(a.error, undefined, JSON.stringify(a.error));
  }
  const logs = client.notifications.filter((n) => n.method === 'window/logMessage').map((n) => (n.params as { message: string }).message);
  assert.deepEqual(logs.filter((m) => /uncaught|unhandled|failed/.test(m)), []);
  assert.equal(await client.shutdown(), 0);
  assert.deepEqual(client.garbage, []);
}
