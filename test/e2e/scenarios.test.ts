// Browser scenarios in a real VS Code (code-server) with the packaged .vsix installed and the real runner and
// language server: open a config, see the lenses, run it, watch it finish in the run explorer, open its metrics,
// resume it and see two attempts in the resume tree, launch a 4-job sweep from the palette. Screenshots of each
// step are kept in test-artifacts/e2e/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEditor, packageVsix, repoRoot, skipOrFailEditor } from './code-server.js';
import { findRunDirs, TINY } from './tiny-workspace.js';
import { pidAlive, waitFor } from '../infra/common.js';

function vsixFiles(vsix: string): string[] {
  const r = spawnSync('python3', ['-c', 'import sys,zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', vsix],
    { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean);
}

test('UI scenarios in code-server with the packaged extension', { timeout: 420_000 }, async (t) => {
  if (skipOrFailEditor(t)) return;
  const tmp = mkdtempSync(join(tmpdir(), 'bait-scenario-'));
  const vsix = packageVsix(tmp);
  const files = vsixFiles(vsix);
  for (const f of ['extension/dist/extension.js', 'extension/dist/server.js', 'extension/dist/runner.js',
    'extension/dist/webview/metrics.js', 'extension/dist/webview/resume-tree.js', 'extension/dist/tfjs-backend-wasm.wasm']) {
    assert.ok(files.includes(f), `the .vsix contains ${f}`);
  }
  assert.ok(!files.some((f) => f.includes('node_modules/')), 'no node_modules in the .vsix: the bundles carry their dependencies');

  const ws = join(tmp, 'ws');
  cpSync(join(repoRoot, 'configs'), join(ws, 'configs'), { recursive: true });
  writeFileSync(join(ws, 'configs/premise_selection/mizar40/e2e_tiny.yaml'), TINY);
  // Each step keeps a screenshot of the failure (failed-<step>.png), so a red run shows what the editor looked like.
  const { page, wb, step } = await openEditor(t, { workspace: ws, vsix, remove: [tmp] });

  await step('open a config and see the lenses', async () => {
    await wb.openFile('premise_selection/mizar40/e2e_tiny.yaml');
    await wb.codeLens('Run Experiment').waitFor({ timeout: 60_000 });
    const titles = await page.locator('.codelens-decoration a').allTextContents();
    assert.deepEqual(titles.slice(0, 4), ['Run Experiment', 'Run with Overrides…', 'Sweep…', 'Show Composed Config']);
    await wb.shot('01-config-with-lenses');
  });

  let runDir = '';
  await step('click Run Experiment: the run appears in the explorer and finishes', async () => {
    await wb.codeLens('Run Experiment').click();
    await page.locator('.terminal-wrapper, .xterm').first().waitFor({ timeout: 30_000 });
    const rows = await wb.viewRows('BAIT Runs');
    await rows.filter({ hasText: 'e2e_tiny' }).first().waitFor({ timeout: 60_000 });
    const run = rows.filter({ hasText: /completed · / }).first();
    await run.waitFor({ timeout: 120_000 });
    await wb.shot('02-run-finished-in-explorer');
    const dirs = findRunDirs(join(ws, 'runs'));
    assert.equal(dirs.length, 1);
    runDir = dirs[0];
  });

  await step('open its metrics and see a chart with data', async () => {
    const rows = await wb.viewRows('BAIT Runs');
    await rows.filter({ hasText: /completed · / }).first().click();
    const view = wb.webview();
    await view.locator('.chart[data-metric="loss"] canvas').first().waitFor({ timeout: 60_000 });
    const points = Number(await view.locator('.chart[data-metric="loss"]').getAttribute('data-points'));
    assert.ok(points >= 30, `the loss chart has the run's rows (${points})`);
    await wb.shot('03-metrics');
  });

  await step('resume the run, then the resume tree shows two attempts', async () => {
    await wb.command('BAIT: Resume Run');
    const id = JSON.parse(require('node:fs').readFileSync(join(runDir, 'run.json'), 'utf8')).id as string;
    await wb.pick(id);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const rj = JSON.parse(require('node:fs').readFileSync(join(runDir, 'run.json'), 'utf8'));
      if (rj.attempts?.length === 2 && rj.status !== 'running') break;
      assert.ok(Date.now() < deadline, 'the resumed attempt finished');
      await new Promise((r) => setTimeout(r, 300));
    }
    // The resumed run's terminal closes around now and can swallow the palette's Enter: open again if needed.
    for (let attempt = 1; ; attempt++) {
      await wb.command('BAIT: Open Checkpoint Tree');
      try {
        await page.locator('.tab.active', { hasText: 'Checkpoint & Resume Tree' }).waitFor({ timeout: attempt < 3 ? 10_000 : 30_000 });
        break;
      } catch (e) {
        if (attempt >= 3) throw e;
      }
    }
    const view = wb.webview();
    await view.locator('.lane .attempt').nth(1).waitFor({ timeout: 60_000 });
    assert.equal(await view.locator('.lane .attempt').count(), 2);
    assert.ok(await view.locator('.checkpoint.best').count() >= 1, 'the best checkpoint is marked');
    await wb.shot('04-resume-tree-two-attempts');
  });

  await step('fork from the best checkpoint in the resume tree: the fork hangs under it', async () => {
    const view = wb.webview();
    await view.locator('.checkpoint.best').first().click();
    await view.locator('#details vscode-button.fork').click();
    await view.locator('.lane[data-depth="1"] .attempt').first().waitFor({ timeout: 120_000 });
    await view.locator('path.fork-edge').first().waitFor({ state: 'attached', timeout: 30_000 });
    const forks = findRunDirs(join(ws, 'runs')).filter((d) => d !== runDir);
    assert.equal(forks.length, 1);
    const parent = JSON.parse(readFileSync(join(forks[0], 'run.json'), 'utf8')).parent;
    assert.equal(parent.run, runDir);
    await wb.shotThemes('04b-fork-in-resume-tree');
    // The next step walks a chain of quick picks, and a terminal that ends takes the focus, which closes a quick
    // pick: let the fork's process end first (on a loaded machine it was still training when the dialog opened).
    const fork = () => JSON.parse(readFileSync(join(forks[0]!, 'run.json'), 'utf8'));
    await waitFor('the fork to finish', () => fork().status === 'completed', 180_000, 300);
    await waitFor('the fork\'s process to exit', () => !pidAlive(fork().pid), 60_000, 200);
  });

  await step('launch a 4-job sweep from the command palette and see the jobs', async () => {
    await wb.command('BAIT: Launch Sweep');
    await wb.pick('e2e_tiny');
    await wb.pick('trainer.seed');
    await wb.type('1,2', '2 jobs');
    await wb.pick('data_config.batch_size');
    await wb.type('8,16', '4 jobs');
    await wb.pick('trainer.max_steps');
    await wb.type('5', '4 jobs');
    await wb.pick('Done');
    await wb.pick('local');
    await wb.shot('05-sweep-confirm');
    await wb.pick('Launch 4 jobs');
    const rows = await wb.viewRows('BAIT Runs');
    const sweep = rows.filter({ hasText: /4 jobs · 4 completed/ }).first();
    await sweep.waitFor({ timeout: 180_000 });
    // Room for the jobs: fold the file tree, so the run explorer gets the side bar's height.
    await wb.foldFolders();
    await sweep.click();
    for (const n of [0, 1, 2, 3]) await rows.filter({ hasText: `#${n} trainer.seed=` }).first().waitFor({ timeout: 30_000 });
    await wb.shot('06-sweep-jobs');
    // The sweep's inline "Open Metrics" action: one line per job and the sweep table with the overrides as columns.
    await rows.filter({ hasText: /4 jobs · 4 completed/ }).first().locator('.action-label.codicon-graph-line').click();
    const view = wb.webview();
    await view.locator('#sweep-table tbody tr').nth(3).waitFor({ timeout: 60_000 });
    const header = await view.locator('#sweep-table thead th').allTextContents();
    for (const col of ['trainer.seed', 'data_config.batch_size', 'loss final', 'loss best']) assert.ok(header.includes(col), col);
    await wb.shot('07-sweep-metrics');
  });
});
