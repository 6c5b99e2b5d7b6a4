// Neovim (Debian's 0.7, headless) as a second real LSP client: it starts dist/server.js over stdio, opens a
// config, and asks for completion, hover and definition; its diagnostics arrive as Neovim sees them.
// Needs `nvim` (installed by test/setup/40-neovim.mjs): with CI=true a missing nvim fails, elsewhere it skips loudly.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeFixture } from './disk-fixture.js';
import { parseFixture } from './fixture.js';
import { serverBundle } from './lsp-client.js';

const hasNvim = spawnSync('sh', ['-c', 'command -v nvim'], { stdio: 'ignore' }).status === 0;

const TREE = parseFixture(`
//- /configs/exp/gnn.yaml
# @package _global_
defaults:
  - /base/run@_here_
  - _self_
run:
  name: gnn

//- /configs/base/run.yaml
run:
  name: ???
  lr: 0.1
//- /configs/broken.yaml
defaults:
  - /base/runn
`);

const LUA = `
local out = {}
local function finish(code)
  vim.fn.writefile({ vim.fn.json_encode(out) }, OUT)
  vim.cmd(code == 0 and 'qall!' or 'cquit 1')
end
local id = vim.lsp.start_client({ cmd = { NODE, SERVER, '--stdio' }, root_dir = ROOT, name = 'bait' })
if not id then out.error = 'start_client failed'; finish(1) end
vim.cmd('edit ' .. GNN)
local buf = vim.api.nvim_get_current_buf()
vim.lsp.buf_attach_client(buf, id)
local ok = vim.wait(15000, function()
  local c = vim.lsp.get_client_by_id(id)
  return c ~= nil and c.initialized == true
end, 20)
if not ok then out.error = 'not initialized'; finish(1) end
local uri = vim.uri_from_bufnr(buf)
local function ask(method, line, character)
  local res = vim.lsp.buf_request_sync(buf, method, { textDocument = { uri = uri }, position = { line = line, character = character } }, 10000)
  return res and res[id] and res[id].result or vim.NIL
end
out.completion = ask('textDocument/completion', 5, 2)
out.hover = ask('textDocument/hover', 5, 3)
out.definition = ask('textDocument/definition', 5, 3)
vim.cmd('edit ' .. BROKEN)
local broken = vim.api.nvim_get_current_buf()
vim.lsp.buf_attach_client(broken, id)
vim.wait(15000, function() return #vim.diagnostic.get(broken) > 0 end, 20)
out.diagnostics = {}
for _, d in ipairs(vim.diagnostic.get(broken)) do table.insert(out.diagnostics, { code = d.code, lnum = d.lnum, message = d.message }) end
finish(0)
`;

test('Neovim drives the server: completion, hover, definition, diagnostics', async (t) => {
  if (!hasNvim) {
    if (process.env.CI === 'true') assert.fail('nvim is not installed (test/setup/40-neovim.mjs installs Debian neovim)');
    console.error('SKIPPED: Neovim client test: nvim is not installed (run test/setup/40-neovim.mjs)');
    t.skip('nvim is not installed');
    return;
  }
  const ws = writeFixture(TREE);
  const home = join(ws.dir, '.nvim');
  for (const d of ['config', 'data', 'state', 'cache']) mkdirSync(join(home, d), { recursive: true });
  const out = join(ws.dir, 'out.json');
  const q = (s: string) => JSON.stringify(s);
  const script = join(ws.dir, 'check.lua');
  writeFileSync(script, `OUT = ${q(out)}\nNODE = ${q(process.execPath)}\nSERVER = ${q(await serverBundle())}\nROOT = ${q(ws.dir)}\n` +
    `GNN = ${q(ws.path('configs/exp/gnn.yaml'))}\nBROKEN = ${q(ws.path('configs/broken.yaml'))}\n${LUA}`);
  const r = spawnSync('nvim', ['--headless', '--clean', '-i', 'NONE', '-c', `luafile ${script}`], {
    cwd: ws.dir, timeout: 60000, encoding: 'utf8',
    env: { ...process.env, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data'),
      XDG_STATE_HOME: join(home, 'state'), XDG_CACHE_HOME: join(home, 'cache') },
  });
  const result = JSON.parse(readFileSync(out, 'utf8')) as {
    error?: string;
    completion: { label: string }[] | { items: { label: string }[] };
    hover: { contents: { value: string } };
    definition: { uri: string; range: { start: { line: number } } }[];
    diagnostics: { code: string; message: string }[];
  };
  assert.equal(r.status, 0, `nvim exited ${r.status}: ${r.stderr} ${result.error ?? ''}`);
  const items = Array.isArray(result.completion) ? result.completion : result.completion.items;
  assert.deepEqual(items.filter((i) => i.label === 'lr').length, 1, JSON.stringify(items));
  assert.match(result.hover.contents.value, /`run\.name`\*\* = `"gnn"`/);
  assert.equal(result.definition[0]!.uri, `file://${ws.path('configs/base/run.yaml')}`);
  assert.equal(result.definition[0]!.range.start.line, 1);
  assert.deepEqual(result.diagnostics.map((d) => d.code), ['missing-config']);
});
