// The bundled example's sweep file (configs/sweeps/bag_of_words.yaml): the language server over stdio shows its
// "Launch Sweep (N jobs)" CodeLens with the config it sweeps, and the CLI runs the file the
// way the lens's command does (`bait run --sweep FILE`, the config from the file's `--config-name`): every job of
// the first bayes round composes with the bundled config and sits inside the declared ranges.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import * as P from '../../language-server/protocol.js';
import { LspClient } from './lsp-client.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FILE = join('configs', 'sweeps', 'bag_of_words.yaml');

test('the bundled sweep file has a Launch Sweep CodeLens over stdio, naming its config and its job count', async (t) => {
  const ws = mkdtempSync(join(tmpdir(), 'bait-bundled-sweep-'));
  cpSync(join(ROOT, 'configs'), join(ws, 'configs'), { recursive: true });
  const client = await LspClient.stdio(ws);
  t.after(async () => { await client.shutdown(); });
  await client.initialize(pathToFileURL(ws).href, { configDirs: [join(ws, 'configs')] });
  const uri = pathToFileURL(join(ws, FILE)).href;
  const lenses = await client.request<Array<{ range: { start: { line: number } }; command: { title: string; command: string; arguments: Array<Record<string, unknown>> } }>>(
    'textDocument/codeLens', { textDocument: { uri } });
  assert.deepEqual(lenses.map((l) => l.command.title), ['Launch Sweep (8 jobs)'], 'run_cap: 8');
  assert.equal(lenses[0]!.command.command, P.Commands.launchSweepFile);
  const arg = lenses[0]!.command.arguments[0]!;
  assert.equal(arg.jobs, 8);
  assert.deepEqual(arg.config, { configDir: join(ws, 'configs'), configName: 'premise_selection/mizar40/bag_of_words' });
  // The runnable config itself still has its own lenses, and the sweep file is not offered as a config to run.
  const runnable = await client.request<P.RunnableConfigsResult>(P.RunnableConfigsMethod, {});
  assert.ok(runnable.some((r) => r.configName === 'premise_selection/mizar40/bag_of_words'));
  assert.ok(!runnable.some((r) => r.configName.startsWith('sweeps/')));
  assert.equal(await client.shutdown(), 0);
});

test('the bundled sweep file runs: bait run --sweep FILE plans its first bayes round with the bundled config', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'runner.js'), 'run', '--sweep', FILE, '--dry-run', '--json'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const jobs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { num: number; overrides: string[] });
  assert.deepEqual(jobs.map((j) => j.num), [0, 1]);
  for (const j of jobs) {
    const v = Object.fromEntries(j.overrides.map((o) => o.split('=') as [string, string]));
    assert.deepEqual(Object.keys(v), ['model.lr', 'data_config.batch_size', 'model.goal_embedding_module.dropout']);
    assert.ok(Number(v['model.lr']) >= 1e-4 && Number(v['model.lr']) <= 1e-2, v['model.lr']);
    assert.ok(['16', '32', '64'].includes(v['data_config.batch_size']!));
    assert.ok(['0.0', '0.1', '0.3'].includes(v['model.goal_embedding_module.dropout']!));
  }
  // The README shows this file and the command that runs it.
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.ok(readme.includes(`--sweep ${FILE}`), 'README shows how to run the bundled sweep file');
});
