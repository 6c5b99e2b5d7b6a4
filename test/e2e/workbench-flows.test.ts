// The experiment workbench in a real VS Code (code-server) with the packaged extension, the real runner and the
// real language server (issue #17): a failing run keeps its output and says why, Run with Overrides… validates as
// the user types, a failed sweep job shows its reason and opens its log, Stop Run from a row stops that row and is
// not an error, and the metrics of a sweep. Every step is screenshotted in the light and the dark theme under
// test-artifacts/e2e/ (wb-*.png).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEditor, packageVsix, repoRoot, skipOrFailEditor } from './code-server.js';
import { findRunDirs, TINY } from './tiny-workspace.js';

const CONFIGS = 'configs/premise_selection/mizar40';

test('workbench flows in code-server: failures, overrides, failed jobs, stop, sweep metrics', { timeout: 600_000 }, async (t) => {
  if (skipOrFailEditor(t)) return;
  const tmp = mkdtempSync(join(tmpdir(), 'bait-wb-'));
  const vsix = packageVsix(tmp);
  const ws = join(tmp, 'ws');
  cpSync(join(repoRoot, 'configs'), join(ws, 'configs'), { recursive: true });
  writeFileSync(join(ws, CONFIGS, 'e2e_tiny.yaml'), TINY);
  writeFileSync(join(ws, CONFIGS, 'e2e_broken.yaml'), TINY.replace('accelerator: cpu', 'accelerator: tpu'));
  // A real sweep made by the runner before the editor starts: two seeds on cpu train, the two jobs on an
  // accelerator the runner does not have (tpu) fail, each with its reason in launcher.log.
  const sweep = spawnSync(process.execPath, [join(repoRoot, 'dist/runner.js'), 'run', 'premise_selection/mizar40/e2e_tiny', '-m',
    'trainer.accelerator=cpu,tpu', 'trainer.seed=1,2', 'trainer.max_steps=8', '--config-dir', join(ws, 'configs')],
  { cwd: ws, encoding: 'utf8', timeout: 180_000 });
  assert.match(sweep.stderr + sweep.stdout, /2 completed, 2 failed/);

  const { page, wb, step } = await openEditor(t, { workspace: ws, vsix, prefix: 'wb', remove: [tmp], settings: {
    'terminal.integrated.gpuAcceleration': 'off', 'workbench.colorTheme': 'Default Light Modern' } });
  const shots = (name: string, settle?: () => Promise<void>) => wb.shotThemes(`wb-${name}`, settle);

  await step('a failing run keeps its terminal and output, and the notification says why with Open log / Show config', async () => {
    await wb.openFile('premise_selection/mizar40/e2e_broken.yaml');
    await wb.codeLens('Run Experiment').waitFor({ timeout: 60_000 });
    const lenses = await page.locator('.codelens-decoration a').allTextContents();
    assert.deepEqual(lenses.slice(0, 4), ['Run Experiment', 'Run with Overrides…', 'Sweep…', 'Show Composed Config']);
    await wb.codeLens('Run Experiment').click();
    const toast = wb.notification(/e2e_broken failed: .*e2e_broken\.yaml:17:16: error: config key 'trainer\.accelerator'/);
    await toast.waitFor({ timeout: 120_000 });
    const buttons = await toast.locator('.monaco-button').allTextContents();
    assert.deepEqual(buttons.map((b) => b.trim()), ['Open log', 'Show config']);
    const text = await wb.waitForTerminalText(/run ended: failed \(exit 1\)/);
    assert.match(text, /unknown accelerator "tpu"/, 'the reason stays readable in the terminal');
    await shots('01-failed-run');
    // Show config goes to the line the error names.
    await toast.locator('.monaco-button', { hasText: 'Show config' }).click();
    await page.locator('.statusbar-item', { hasText: 'Ln 17, Col 16' }).first().waitFor({ timeout: 30_000 });
  });

  await step('Run with Overrides… from the CodeLens: checked as typed, then runs with them', async () => {
    await wb.openFile('premise_selection/mizar40/e2e_tiny.yaml');
    await wb.codeLens('Run with Overrides…').waitFor({ timeout: 60_000 });
    const input = page.locator('.quick-input-widget input');
    const message = page.locator('.quick-input-widget .quick-input-message');
    // Opens the lens's input box and types; the theme switch closes it, so the screenshots open it again.
    const typeOverrides = async (text: string, expect: RegExp): Promise<void> => {
      if (!(await input.isVisible()) || (await input.getAttribute('placeholder'))?.includes('Color Theme')) {
        await page.keyboard.press('Escape');
        await wb.codeLens('Run with Overrides…').click();
        await input.waitFor({ state: 'visible', timeout: 30_000 });
      }
      await input.fill(text);
      await message.filter({ hasText: expect }).waitFor({ timeout: 30_000 });
    };
    await typeOverrides('trainer.max_steps=12 trainer.nope=1', /trainer\.nope/);
    await shots('02-run-with-overrides-invalid', () => typeOverrides('trainer.max_steps=12 trainer.nope=1', /trainer\.nope/));
    await typeOverrides('trainer.seed=1,2', /2 jobs.*Sweep/);
    const valid = 'trainer.max_steps=12 data_config.batch_size=8';
    await typeOverrides(valid, /2 overrides: composes/);
    await shots('03-run-with-overrides-valid', () => typeOverrides(valid, /2 overrides: composes/));
    await input.press('Enter');
    await wb.waitForTerminalText(/run ended: completed/);
    const runs = findRunDirs(join(ws, 'runs'));
    const made = runs.map((d) => JSON.parse(readFileSync(join(d, 'run.json'), 'utf8')))
      .find((r) => (r.overrides as string[]).includes('trainer.max_steps=12'));
    assert.ok(made, `a run with the typed overrides exists among ${runs.length}`);
    assert.equal(made.status, 'completed');
    await shots('04-run-with-overrides-finished');
  });

  await step('a failed sweep job: its reason in the tooltip, its launcher.log on click, the runs\' menu', async () => {
    await wb.foldFolders();
    const rows = await wb.viewRows('BAIT Runs');
    const sweepRow = rows.filter({ hasText: /4 jobs · 2 completed/ }).first();
    await sweepRow.waitFor({ timeout: 60_000 });
    if ((await sweepRow.getAttribute('aria-expanded')) !== 'true') await sweepRow.click();
    const failed = rows.filter({ hasText: /#2 trainer\.accelerator=tpu/ }).first();
    await failed.waitFor({ timeout: 30_000 });
    await failed.hover();
    const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: /Failed:/ }).first();
    await hover.waitFor({ timeout: 30_000 });
    assert.match((await hover.innerText()).replace(/\u00a0/g, ' '), /unknown accelerator "tpu"/);
    await shots('05-failed-job-tooltip', async () => {
      await failed.hover();
      await hover.waitFor({ timeout: 10_000 });
    });
    await failed.click();
    await page.locator('.tab.active', { hasText: 'launcher.log' }).waitFor({ timeout: 30_000 });
    await failed.click({ button: 'right' });
    const menu = page.locator('.context-view .action-label');
    await menu.first().waitFor({ timeout: 10_000 });
    const items = await menu.allTextContents();
    for (const item of ['Run with Overrides…', 'Open Log', 'Open Run Config']) assert.ok(items.includes(item), `${item} in ${items}`);
    await shots('06-failed-job-log-and-menu', async () => {
      if (!(await menu.first().isVisible())) await failed.click({ button: 'right' });
      await menu.first().waitFor({ timeout: 10_000 });
    });
    await page.keyboard.press('Escape');
  });

  await step('Stop Run from a running row stops that row; the terminal says stopped, and no error is shown', async () => {
    await wb.openFile('premise_selection/mizar40/e2e_tiny.yaml');
    await wb.runWithOverrides('trainer.max_steps=100000 trainer.max_epochs=1000');
    const rows = await wb.viewRows('BAIT Runs');
    const running = rows.filter({ hasText: /running · / }).first();
    await running.waitFor({ timeout: 120_000 });
    await wb.contextMenu(running, 'Stop Run');
    await wb.waitForTerminalText(/run ended: stopped/);
    assert.equal(await page.locator('.quick-input-widget input').isVisible(), false, 'no "Stop which run?" pick');
    assert.equal(await wb.notification(/max_steps=100000.*failed/).count(), 0, 'a stop is not an error');
    await rows.filter({ hasText: /stopped · / }).first().waitFor({ timeout: 60_000 });
    await shots('07-stopped-from-row');
  });

  await step('sweep metrics: table on top, legends with the swept values, charts in a grid', async () => {
    const rows = await wb.viewRows('BAIT Runs');
    const sweepRow = rows.filter({ hasText: /4 jobs · 2 completed/ }).first();
    // Inline actions show on the hovered or selected row.
    await sweepRow.hover();
    await sweepRow.locator('.action-label.codicon-graph-line').click();
    const view = wb.webview();
    await view.locator('#sweep-table tbody tr').nth(1).waitFor({ timeout: 60_000 });
    const header = await view.locator('#sweep-table thead th').allTextContents();
    assert.ok(!header.some((h) => h.startsWith('hydra')), `no Hydra bookkeeping in ${header}`);
    const legend = await view.locator('.chart[data-metric="loss"] .u-legend .u-series .u-label').allTextContents();
    assert.deepEqual(legend.slice(1), ['#0 seed=1', '#1 seed=2']);
    await view.locator('#sweep-table th', { hasText: 'loss final' }).click();
    await shots('08-sweep-metrics', async () => {
      await view.locator('.chart canvas').first().waitFor();
    });
  });

  await step('runs table: every run and failed job, tags saved in run.json, two runs compared', async () => {
    await wb.command('BAIT: Open Runs Table');
    const view = wb.webview();
    const rows = view.locator('#runs tbody tr');
    // 2 sweep runs, 2 sweep jobs that failed before having a run, the run with overrides, the stopped run.
    await rows.nth(5).waitFor({ timeout: 60_000 });
    assert.equal(await rows.count(), 6);
    const header = await view.locator('#runs thead th').allTextContents();
    for (const col of ['status', 'duration', 'host', 'tags', 'notes', 'trainer.seed', 'trainer.max_steps']) {
      assert.ok(header.some((h) => h === col), `${col} in ${header}`);
    }
    assert.ok(!header.some((h) => h.startsWith('hydra')), `no bookkeeping column in ${header}`);
    await view.locator('#filter').fill('trainer.max_steps=12');
    await view.locator('#count', { hasText: '1 of 6 runs' }).waitFor({ timeout: 10_000 });
    const key = await rows.first().getAttribute('data-key');
    await rows.first().locator('td[data-col="tags"]').click();
    await rows.first().locator('td[data-col="tags"] input').fill('baseline, editor');
    await rows.first().locator('td[data-col="tags"] input').press('Enter');
    const deadline = Date.now() + 30_000;
    while (JSON.stringify(JSON.parse(readFileSync(join(key!, 'run.json'), 'utf8')).tags) !== '["baseline","editor"]') {
      assert.ok(Date.now() < deadline, 'the tags reached run.json');
      await page.waitForTimeout(200);
    }
    await view.locator('#filter').fill('');
    await view.locator('#count', { hasText: /^6 runs$/ }).waitFor({ timeout: 10_000 });
    await view.locator('#group').selectOption('sweep');
    await view.locator('#runs tr.group-row').first().waitFor({ timeout: 10_000 });
    for (const n of ['#0', '#1']) {
      await rows.filter({ has: view.locator('.run-link', { hasText: new RegExp(`^${n}$`) }) }).locator('input[type="checkbox"]').check();
    }
    await shots('09-runs-table');
    await view.locator('#compare').click();
    await page.locator('.tab.active', { hasText: 'Compare: 2 runs' }).waitFor({ timeout: 30_000 });
    const compare = wb.webview();
    await compare.locator('#config-diff tbody tr').first().waitFor({ timeout: 30_000 });
    const keys = await compare.locator('#config-diff tbody td.key').allTextContents();
    assert.ok(keys.includes('trainer.seed'), `trainer.seed differs: ${keys}`);
    const legend = await compare.locator('.chart[data-metric="loss"] .u-legend .u-series .u-label').allTextContents();
    assert.equal(legend.length - 1, 2, 'both runs overlay in the chart');
    await shots('10-compare', async () => {
      await compare.locator('.chart canvas').first().waitFor();
    });
  });
});
